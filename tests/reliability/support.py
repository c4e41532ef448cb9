"""What the reliability tests share: forms filled in as a browser fills them in, faults
injected at the database driver, whole-database fingerprints, and a stand-in for the task
worker.

Faults are injected below the portal's own code, at Django's database layer: a second
connection ends the server process of Django's connection (`pg_terminate_backend`), just
before the statement or the COMMIT chosen, as a database restart, failover or network cut
would. Nothing in `committees` is patched.
"""

import contextlib
import re
import time
from html import unescape
from html.parser import HTMLParser

import psycopg2
from django.db import connections
from django.test import Client

from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory

# --- People and pages -------------------------------------------------------------------------


def governance_services_client(name: str) -> Client:
    """A browser signed in as a Governance Services officer; a server error comes back as the
    500 page, as a visitor would see it, not as an exception in the test."""
    client = Client(raise_request_exception=False)
    return sign_in(client, UserFactory(roles=[Role.GOVERNANCE_SERVICES], full_name=name))


class _FormReader(HTMLParser):
    """The fields of the page's own form: the first `<form method="post">` without an
    action (the header's sign-out form has one)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.found = self.inside = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.found:
            if (attrs.get("method") or "").lower() == "post" and "action" not in attrs:
                self.found = self.inside = True
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "t": []}

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        elif self._option is not None:
            self._option["t"].append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the newline straight after <textarea>.
            text = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            self.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else "".join(option["t"])
            self._options.append((value, option["selected"]))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self.fields += [(self._select, value) for value in chosen]
            self._select = None


def form_data(html: str) -> dict[str, list[str]]:
    """What a browser would submit from the page's form, untouched: every field's current
    value (checked boxes and radios only, the selected option, the textareas' text)."""
    reader = _FormReader()
    reader.feed(html)
    assert reader.found, "the page has no form of its own"
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return data


def open_form(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return form_data(response.content.decode())


def summary_errors(response) -> list[str]:
    """The messages in the page's GOV.UK error summary."""
    html = response.content.decode()
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not match:
        return []
    return [unescape(m.strip()) for m in re.findall(r"<a [^>]*>(.*?)</a>", match[1], re.S)]


def assert_refused(response, message: str) -> None:
    """The form page again, in GOV.UK error style, with `message` in its error summary."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert message in summary_errors(response), summary_errors(response)


def assert_error_page(response) -> None:
    """The GOV.UK 500 page: status 500, the apology, and no traceback or SQL."""
    assert response.status_code == 500, response.status_code
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "Nothing you sent has been saved" in html
    assert "govuk-header" in html
    for leak in ("Traceback", "OperationalError", "psycopg", "INSERT INTO", "UPDATE "):
        assert leak not in html


# --- Reaching the database server from outside Django ----------------------------------------


def connect(dbname: str | None = None, alias: str = "default"):
    """A psycopg2 connection with Django's connection parameters (host may be the embedded
    server's socket folder), in autocommit."""
    db = connections[alias].settings_dict
    params = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    raw = psycopg2.connect(**{k: v for k, v in params.items() if v})
    raw.autocommit = True
    return raw


def query(raw, sql: str, params=()) -> list[tuple]:
    with raw.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class DatabaseServer:
    """The database server seen from a connection of its own: it can end another
    connection's server process (and waits until it has gone) and see who waits for a lock."""

    def __init__(self):
        self.admin = connect()
        self.terminated: list[int] = []

    def terminate(self, pid: int, timeout: float = 10) -> None:
        ((signalled,),) = query(self.admin, "SELECT pg_terminate_backend(%s)", [pid])
        assert signalled, f"no server process {pid}"
        deadline = time.monotonic() + timeout
        while query(self.admin, "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]):
            assert time.monotonic() < deadline, f"server process {pid} did not end"
            time.sleep(0.002)
        self.terminated.append(pid)

    def wait_until_blocked_on_a_lock(self, pid: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = query(
                self.admin, "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
            )
            if rows and rows[0][0] == "Lock":
                return
            time.sleep(0.01)
        raise AssertionError(f"server process {pid} never waited for a lock")

    def close(self) -> None:
        self.admin.close()


def backend_pid(alias: str = "default") -> int:
    wrapper = connections[alias]
    wrapper.ensure_connection()
    return wrapper.connection.get_backend_pid()


_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


class DropConnection:
    """A `connection.execute_wrapper` that ends the connection's server process just before
    the `at`-th statement it counts runs (or before each of several: `at=(3, 4)`); it counts
    the statements that write to the portal's tables (not the session table: the session is
    saved after every request), or with `writes_only=False` every statement, or with
    `matching` only statements matching that regular expression. It keeps what it counted in
    `statements`. The wrapper stays on the connection's wrapper object, so it goes on
    counting on the fresh connection Django opens after one is closed."""

    def __init__(
        self,
        server: "DatabaseServer",
        *,
        at: int | tuple[int, ...],
        writes_only: bool = True,
        matching: str | None = None,
    ):
        self.server = server
        self.at = (at,) if isinstance(at, int) else tuple(at)
        self.writes_only = writes_only
        self.matching = re.compile(matching, re.I | re.S) if matching else None
        self.statements: list[str] = []

    @property
    def fired(self) -> bool:
        return len(self.statements) >= max(self.at)

    def _counts(self, sql: str, match) -> bool:
        if self.matching is not None:
            return bool(self.matching.search(sql))
        return not self.writes_only or bool(match and match[2] != "django_session")

    def __call__(self, execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if self._counts(sql, match):
            summary = f"{match[1].split()[0].upper()} {match[2]}" if match else sql[:60]
            self.statements.append(summary)
            if len(self.statements) in self.at:
                self.server.terminate(context["connection"].connection.get_backend_pid())
        return execute(sql, params, many, context)


@contextlib.contextmanager
def drop_connection_at_commit(server: DatabaseServer, alias: str = "default"):
    """Ends the connection's server process just before the next COMMIT is sent: every
    statement of the transaction ran, and then the database went away."""
    wrapper = connections[alias]
    real_commit = wrapper._commit
    fired = []

    def commit():
        if not fired:
            fired.append(True)
            server.terminate(wrapper.connection.get_backend_pid())
        return real_commit()

    wrapper._commit = commit
    try:
        yield fired
    finally:
        del wrapper._commit


# --- Whole-database fingerprints ---------------------------------------------------------------

_PRIMARY_KEYS = """
    SELECT c.relname, array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum))
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
    WHERE i.indisprimary AND n.nspname = current_schema()
    GROUP BY c.relname
"""


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def fingerprint(cursor, *, exclude=("django_session",)) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row as text in primary-key order)} for every table of the
    current schema: two databases (or one, before and after) with equal fingerprints hold
    the same rows, history tables included."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall() if row[0] not in exclude]
    cursor.execute(_PRIMARY_KEYS)
    keys = dict(cursor.fetchall())
    parts = []
    for table in tables:
        order = ", ".join(f"t.{quote(c)}" for c in keys.get(table, [])) or "t::text"
        parts.append(
            f"SELECT {len(parts)}, count(*), "  # noqa: S608 - names come from the catalogue
            f"coalesce(md5(string_agg(t::text, ',' ORDER BY {order})), '') "
            f"FROM {quote(table)} t"
        )
    if not parts:
        return {}
    cursor.execute(" UNION ALL ".join(parts))
    return {tables[n]: (count, digest) for n, count, digest in cursor.fetchall()}


def database_fingerprint(alias: str = "default") -> dict[str, tuple[int, str]]:
    with connections[alias].cursor() as cursor:
        return fingerprint(cursor)


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


# --- The task worker ----------------------------------------------------------------------------


class Worker:
    """Stands in for `manage.py db_worker`: tasks enqueued by the portal wait in the queue
    (django_tasks' DummyBackend) until the test runs them, as a separate worker would."""

    @staticmethod
    def _backend():
        from django_tasks import task_backends

        return task_backends["default"]

    def pending(self) -> int:
        return len(self._backend().results)

    def discard(self) -> None:
        self._backend().clear()

    def run(self) -> list:
        backend = self._backend()
        queued = list(backend.results)
        backend.clear()
        return [result.task.call(*result.args, **result.kwargs) for result in queued]
