"""What `make bench` and `make soak` share: the PostgreSQL server and the databases made on
it, the environment of a production-like run, and the gunicorn server.

Runs without Django set up (only the child processes load the project's settings), so the
orchestrating process can hold the embedded PostgreSQL server for the whole run.
"""

import base64
import contextlib
import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

#: The account the logged-in pages are measured with, created in each benchmark database.
#: Governance Services accounts, one per signed-in client: each has an authenticator app of
#: its own, since an app's code is accepted once (django-otp), and Governance Services must
#: give one.
GS_ACCOUNTS = 64


def gs_account(n: int, password: str) -> tuple[str, str]:
    """The n-th Governance Services account of a run: its address and its authenticator's
    key (hex), derived from the run's password so that the loader and the clients agree."""
    key = hashlib.sha256(f"{password}:{n}".encode()).hexdigest()[:40]
    return f"bench.governance-services-{n}@volume.example", key


#: Monitoring Officer accounts for the whistleblowing register's pages, one per signed-in
#: client (the most clients of a run), each with its own authenticator.
MO_ACCOUNTS = 32


def mo_account(n: int, password: str) -> tuple[str, str]:
    """The n-th Monitoring Officer account of a run: its address and its authenticator's key
    (hex), as gs_account."""
    key = hashlib.sha256(f"{password}:monitoring-officer:{n}".encode()).hexdigest()[:40]
    return f"bench.monitoring-officer-{n}@volume.example", key


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The database server --------------------------------------------------------------------


def server_url() -> str:
    """DATABASE_URL from the environment, else the embedded server, started (and held by
    this process until it exits, so it cannot stop under the benchmark)."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    sys.path.insert(0, str(ROOT))
    from governance_portal import embedded_db

    return embedded_db.start()


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(server: str):
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(server)
    connection = psycopg2.connect(
        dbname="postgres",
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
    )
    connection.autocommit = True
    return connection


def _check_name(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"Not a database name this script makes: {name!r}")
    return name


def create_database(server: str, name: str) -> str:
    with contextlib.closing(_admin_connection(server)) as connection:
        cursor = connection.cursor()
        cursor.execute(f'DROP DATABASE IF EXISTS "{_check_name(name)}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    return database_url(server, name)


def drop_database(server: str, name: str) -> None:
    with contextlib.closing(_admin_connection(server)) as connection:
        connection.cursor().execute(f'DROP DATABASE IF EXISTS "{_check_name(name)}" WITH (FORCE)')


def database_exists(server: str, name: str) -> bool:
    with contextlib.closing(_admin_connection(server)) as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def server_version(server: str) -> str:
    with contextlib.closing(_admin_connection(server)) as connection:
        cursor = connection.cursor()
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# --- Environments -----------------------------------------------------------------------------


def _whistleblowing_secrets() -> tuple[str, str]:
    """The whistleblowing key ring and pepper of the benchmark's runs: made once and kept in
    bench/results/ (git-ignored), so a database kept by BENCH_KEEP=1 and reused by
    BENCH_REUSE=1 still opens the concerns bench.volume sealed. They guard generated data
    only."""
    path = RESULTS / "whistleblowing-secrets.json"
    try:
        stored = json.loads(path.read_text())
    except FileNotFoundError:
        stored = {
            "keys": "1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "pepper": secrets.token_urlsafe(43),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored))
        path.chmod(0o600)
    return stored["keys"], stored["pepper"]


class Workspace:
    """Temporary STATIC_ROOT and MEDIA_ROOT, and the secrets of one run."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.static = self.root / "static"
        self.media = self.root / "media"
        self.media.mkdir()
        self.secret_key = secrets.token_urlsafe(50)
        self.whistleblowing_keys, self.whistleblowing_pepper = _whistleblowing_secrets()
        self.password = secrets.token_urlsafe(18)

    def production(self, database: str, **extra) -> dict:
        """The environment of a production app server on loopback HTTP."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "PORTAL_ENV", "DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME"}
        }
        env.update(
            PORTAL_ENV="production",
            DJANGO_SETTINGS_MODULE="governance_portal.settings",
            SECRET_KEY=self.secret_key,
            WHISTLEBLOWING_KEYS=self.whistleblowing_keys,
            WHISTLEBLOWING_PEPPER=self.whistleblowing_pepper,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
            STATIC_ROOT=str(self.static),
            MEDIA_ROOT=str(self.media),
            DATABASE_URL=database,
            BENCHMARK_FLOOR="1",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def development(self, database: str) -> dict:
        """For bench.volume, which refuses production settings."""
        env = self.production(database)
        env.update(PORTAL_ENV="development", DEBUG="false")
        return env

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def generate_volume(env: dict, *args: str) -> str:
    """Run `python -m bench.volume` (bench/volume/__init__.py); returns what it printed."""
    return subprocess.run(
        [PYTHON, "-m", "bench.volume", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    ).stdout


def task(env: dict, *args: str) -> dict:
    """Run a bench/tasks.py command in a one-off Django process; it answers in JSON."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.tasks", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    ).stdout
    return json.loads(out)


def prepare_database(ws: Workspace, server: str, name: str, scale: float, seed: int) -> dict:
    """A fresh database: migrated, filled with `scale` volume data, with the Governance
    Services account. Returns the generator's figures."""
    url = create_database(server, name)
    manage(ws.production(url), "migrate", "--verbosity", "0")
    started = time.perf_counter()
    output = generate_volume(ws.development(url), "--scale", str(scale), "--seed", str(seed))
    seconds = time.perf_counter() - started
    print(output, end="", flush=True)
    task(ws.production(url), "users", ws.password)
    size = task(ws.production(url), "size")["bytes"]
    counts = {}
    for line in output.splitlines():
        match = re.match(r"\s+([a-z][^:]*): ([\d,]+)$", line)
        if match:
            counts[match[1]] = int(match[2].replace(",", ""))
    return {"url": url, "seconds": seconds, "bytes": size, "counts": counts}


# --- The app server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_workers() -> int:
    """2 x cores: the README's deployment runs 4 sync workers on a 2-core server; a sync
    worker blocks on PostgreSQL for part of each request, so one per core leaves CPU idle."""
    return int(os.environ.get("BENCH_WORKERS") or 2 * (os.cpu_count() or 1))


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except (http.client.HTTPException, OSError):
        return False
    finally:
        connection.close()


class Server:
    """gunicorn as the README deploys it (sync workers), on loopback."""

    def __init__(self, env: dict, workdir: Path, workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = workdir / f"access-{self.port}.log"
        self.error_log = workdir / f"server-{self.port}.log"
        self.workers = workers
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "governance_portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--access-logfile",
                str(self.access_log),
                "--error-logfile",
                str(self.error_log),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while True:
            if _healthy(self.port):
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start; see {self.error_log}")
            time.sleep(0.3)

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        import psutil

        return [p.pid for p in psutil.Process(self.pid).children()]

    def server_errors(self) -> int:
        """5xx responses in the access log (gunicorn's default format: status after the
        request line)."""
        if not self.access_log.exists():
            return 0
        pattern = re.compile(r'" (5\d\d) ')
        with self.access_log.open() as handle:
            return sum(1 for line in handle if pattern.search(line))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- The machine ------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(memory / 1024**3, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": os.getloadavg(),
    }
