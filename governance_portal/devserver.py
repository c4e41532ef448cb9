"""`make run`: start the database, migrate, load the demo data and serve on PORT.

Run as `python -m governance_portal.devserver`. With no DATABASE_URL the settings start the
embedded PostgreSQL; this process holds it, and when Ctrl-C ends the server the database is
stopped cleanly with its data kept for the next run.
"""

import atexit
import contextlib
import os
import subprocess
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance_portal.settings")
    os.environ.setdefault("PORTAL_ENV", "development")
    port = os.environ.get("PORT", "8000")
    if not port.isdigit():
        sys.exit(f"PORT must be a number, not {port!r}")

    import django
    from django.core.management import call_command

    django.setup()
    # The autoreloader runs this module again in a child process (RUN_MAIN=true), which
    # inherits DATABASE_URL and must not repeat the set-up.
    if os.environ.get("RUN_MAIN") != "true":
        call_command("migrate", interactive=False, verbosity=1)
        call_command("load_demo")
        _start_worker()
        print(f"Serving the portal on http://127.0.0.1:{port}/  (Ctrl-C stops it)\n", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        call_command("runserver", f"127.0.0.1:{port}")


def _start_worker() -> None:
    """One background worker (agenda pack builds, e-mail), as production runs them; it
    stops with the server."""
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "1"],
        env=os.environ.copy(),
    )

    def stop():
        worker.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=10)

    atexit.register(stop)


if __name__ == "__main__":
    main()
