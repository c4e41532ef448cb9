"""After concerns are raised and followed up through the pages, nothing anywhere holds what the
reporter wrote, who they are, or the address and browser they came from: not the database
(read whole with pg_dump where a pg_dump matching the server is at hand, and column by column
in every case), not the stored files, not the application's log, and not gunicorn's access
log as the README deploys it (gunicorn.conf.py).

The test commits (the dump is read by another process), so it cleans up after itself as
pytest-django's transactional tests do: by emptying every table."""

import logging
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.helpers import pg_dump
from tests.whistleblowing.reporting import (
    code_of,
    pdf_by,
    send,
    upload,
    url,
    walk,
)
from whistleblowing.models import Concern

ADDRESS = "203.0.113.197"
FORWARDED = "198.51.100.201"
AGENT = "WhistleTestBrowser/9.9 (Quokka-7781)"
HEADERS = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT, "HTTP_X_FORWARDED_FOR": FORWARDED}

WORDS = "Quartermaster Blenkinsop falsified the Fenwick ledgers"
MORE_WORDS = "Second message about the Okonkwo invoices"
SIGNED_IN_WORDS = "Signed-in account of the Marchbanks overtime"
NAME = "Perpetua Quillfeather"
CONTACT = "perpetua.quill@example.org"
FILE_WORDS = "Zanzibar ledger 9931"

SECRETS = [WORDS, MORE_WORDS, SIGNED_IN_WORDS, NAME, CONTACT, FILE_WORDS, ADDRESS, FORWARDED, AGENT]
ROOT = Path(__file__).resolve().parents[2]


def _raise_and_follow(client):
    named = {
        "what_happened": {"what_happened": WORDS},
        "anonymous": {"anonymous": "named"},
        "contact": {"name": NAME, "contact": CONTACT},
    }
    check = walk(
        client,
        changes=named,
        files=[upload("ledger.pdf", pdf_by(author=NAME, text=FILE_WORDS))],
        **HEADERS,
    )
    done = send(client, check, **HEADERS)
    code = code_of(done)
    assert code
    wrong = client.post(url("follow"), {"code": "ABCD-EFGH-JKMN-PQRS-TVWX"}, **HEADERS)
    assert wrong.status_code == 200
    assert client.post(url("follow"), {"code": code}, **HEADERS).status_code == 302
    assert client.get(url("case"), **HEADERS).status_code == 200
    replied = client.post(url("case_reply"), {"text": MORE_WORDS}, **HEADERS)
    assert replied.status_code == 302
    client.post(url("case_sign_out"), **HEADERS)

    # A named officer, signed in, raising one too.
    officer = UserFactory()
    sign_in(client, officer)
    check = walk(
        client,
        changes={
            "what_happened": {"what_happened": SIGNED_IN_WORDS},
            "anonymous": {"anonymous": "named"},
            "contact": {"name": officer.full_name, "contact": officer.email},
        },
        **HEADERS,
    )
    assert send(client, check, **HEADERS).status_code == 200
    assert client.get(url("my_concerns"), **HEADERS).status_code == 200
    client.logout()
    assert Concern.objects.count() == 2


def _found_in_columns() -> list[tuple[str, str, str]]:
    """(table, column, secret) for every text, JSON, address or byte column of every table of
    the database holding one of the secrets."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type IN (
                'text', 'character varying', 'character', 'json', 'jsonb', 'bytea',
                'inet', 'cidr', 'ARRAY', 'USER-DEFINED'
            )
            """
        )
        columns = cursor.fetchall()
        found = []
        quote = connection.ops.quote_name
        for table, column, kind in columns:
            for secret in SECRETS:
                if kind == "bytea":
                    condition = f"position(%s::bytea in {quote(column)}) > 0"
                    value = secret.encode()
                else:
                    condition = f"{quote(column)}::text ILIKE %s"
                    value = f"%{secret}%"
                # Names come from the catalogue, never from input.
                cursor.execute(
                    f"SELECT 1 FROM {quote(table)} WHERE {condition} LIMIT 1",  # noqa: S608
                    [value],
                )
                if cursor.fetchone():
                    found.append((table, column, secret))
    return found


def _dump() -> str | None:
    """The whole database as pg_dump writes it, or None without a pg_dump for this server."""
    return pg_dump(settings.DATABASES["default"])[0]


@pytest.mark.django_db(transaction=True)
def test_no_word_name_contact_address_or_browser_is_kept_or_logged(
    client, caplog, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    caplog.set_level(logging.DEBUG)
    _raise_and_follow(client)

    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    for secret in SECRETS:
        assert secret not in logged, f"the log holds {secret!r}"

    assert _found_in_columns() == []

    dump = _dump()
    if dump is not None:
        assert "whistleblowing_entry" in dump  # the dump is of this database
        for secret in SECRETS:
            assert secret not in dump, f"the dump holds {secret!r}"

    stored = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert stored  # the sealed attachment is there
    for path in stored:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{path.name} holds {secret!r}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_as_deployed_logs_no_address_or_browser(tmp_path):
    """The README's command, run: the access log of a request with an address, a forwarded
    address and a user agent holds none of them."""
    port = _free_port()
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "governance_portal.wsgi",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/whistleblowing/",
                    headers={"User-Agent": AGENT, "X-Forwarded-For": FORWARDED},
                )
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    assert response.status == 200
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        for _ in range(50):
            if access_log.exists() and "/whistleblowing/" in access_log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    line = next(x for x in access_log.read_text().splitlines() if "/whistleblowing/" in x)
    assert '"GET /whistleblowing/ HTTP/1.1" 200' in line
    for secret in ("127.0.0.1", FORWARDED, AGENT, "WhistleTestBrowser"):
        assert secret not in line, line
