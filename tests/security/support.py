"""Shared pieces of the hostile-input suite: the URL walk (the permission matrix's table),
who may open each page, a parser for the forms a page carries, and a snapshot of every
table's row count (history tables included) to prove that a request changed nothing."""

import contextlib
import dataclasses
from html.parser import HTMLParser

from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import resolve, reverse

from organisation.roles import ROLE_SPECS, Role
from tests.conftest import sign_in
from tests.permissions import ANON, account_for
from tests.test_permission_matrix import EXPECTED, SKIPPED_NAMESPACES, _all_url_names

#: Every URL name the project has, apart from the admin's generated pages (as in the matrix).
URL_NAMES = sorted(n for n in _all_url_names() if n.split(":")[0] not in SKIPPED_NAMESPACES)
#: The admin's entry points the matrix lists (its generated pages follow Django's own rules).
ADMIN_NAMES = sorted(n for n in EXPECTED if n.split(":")[0] in SKIPPED_NAMESPACES)
ROLES = [spec.role for spec in ROLE_SPECS]

# --- Who opens a page -------------------------------------------------------------------------

#: When several visitors may open a page, the first of these that may is used.
PREFERRED_VISITORS = [ANON, Role.GOVERNANCE_SERVICES, Role.OFFICER, *ROLES]


def visitor_for(url_name: str):
    """The visitor (ANON or a Role) the matrix says gets a 200 for `url_name`, or None."""
    _builder, row = EXPECTED[url_name]
    return next((who for who in PREFERRED_VISITORS if row.get(who) == 200), None)


#: A visitor only the walk has (not the matrix): someone following their own whistleblowing
#: concern with its receipt code, the case held in their session (tests/security/pages.py).
REPORTER = "reporter"


def client_as(who, **client_kwargs) -> Client:
    """A fresh client for ANON, or for a new account of a visitor of the matrix (a role, or a
    councillor), with the second factor given where the account needs one."""
    if who == REPORTER:
        from tests.whistleblowing.reporting import reporter_client

        return reporter_client(**client_kwargs)
    client = Client(**client_kwargs)
    if who not in (None, ANON):
        sign_in(client, account_for(who))
    return client


# --- The database, before and after -------------------------------------------------------------

# Tables that change on requests by design, whatever is posted: sessions (saved on every
# request), and django-axes' record of sign-in attempts (a failed sign-in is recorded).
VOLATILE_TABLES = {"django_session"}
VOLATILE_APPS = {"axes", "sessions"}


def _tables() -> list[str]:
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in VOLATILE_APPS and model._meta.managed
    }
    return sorted(tables - VOLATILE_TABLES)


TABLES = _tables()


def row_counts() -> dict[str, int]:
    """{table: rows} for every model's table and every history table, in one query."""
    quote = connection.ops.quote_name
    # Table names come from Django's model registry, never from input.
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {quote(t)}" for t in TABLES)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before[t], after[t]) for t in before if before[t] != after[t]}


@contextlib.contextmanager
def rolled_back():
    """Run the block in a savepoint that is always undone, so every example starts from the
    same data (and a failed statement cannot poison the next one)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- Forms in a page ------------------------------------------------------------------------------


@dataclasses.dataclass
class Field:
    name: str
    kind: str  # text, textarea, hidden, password, email, url, number, select, radio,
    # checkbox, file, submit, date_part
    value: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    multiple: bool = False
    checked: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: dict[str, Field] = dataclasses.field(default_factory=dict)

    def add(self, name, kind, value="", *, checked=False):
        field = self.fields.get(name)
        if field is None:
            field = self.fields[name] = Field(name=name, kind=kind, value=value)
        if kind in ("radio", "checkbox", "select_option"):
            if kind != "select_option":
                field.kind = kind
            field.options.append(value)
            # A lone checkbox with a value of its own is one choice of a multiple choice;
            # a yes/no checkbox (Django's CheckboxInput) has none, so browsers send "on".
            if kind == "checkbox" and (len(field.options) > 1 or value != "on"):
                field.multiple = True
            if checked:
                field.checked.append(value)
        return field

    def initial_data(self) -> dict:
        """What a browser would send untouched (the first submit button pressed)."""
        data = {}
        for field in self.fields.values():
            if field.kind == "submit":
                continue
            if field.kind in ("radio", "checkbox"):
                if field.checked:
                    data[field.name] = field.checked if field.multiple else field.checked[0]
            elif field.kind == "select":
                data[field.name] = field.checked[0] if field.checked else field.value
            elif field.kind != "file":
                data[field.name] = field.value
        submit = next((f for f in self.fields.values() if f.kind == "submit"), None)
        if submit is not None:
            data[submit.name] = submit.value
        return data


class _FormParser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.option: dict | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.form = Form(
                action=a.get("action") or self.page_url,
                method=(a.get("method") or "get").lower(),
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self.form)
            return
        if self.form is None or ("name" not in a and tag != "option"):
            return
        name = a.get("name")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self.form.add(name, "submit", a.get("value", ""))
            elif kind in ("radio", "checkbox"):
                self.form.add(name, kind, a.get("value", "on"), checked="checked" in a)
            else:
                if a.get("inputmode") == "numeric" and name[-2:] in ("_0", "_1", "_2"):
                    kind = "date_part"
                self.form.add(name, kind, a.get("value", ""))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                self.form.add(name, "submit", a.get("value", ""))
        elif tag == "textarea":
            self.textarea = self.form.add(name, "textarea")
        elif tag == "select":
            self.select = self.form.add(name, "select")
            self.select.multiple = "multiple" in a
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.option is not None:
            self.option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "option" and self.option is not None:
            self._close_option()
        elif tag == "select":
            if self.option is not None:
                self._close_option()
            self.select = None

    def _close_option(self):
        option = self.option
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self.select.options.append(value)
        if option["selected"]:
            self.select.checked.append(value)
        self.option = None


def parse_forms(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def url_name_of(path: str) -> str:
    match = resolve(path.split("?", 1)[0].split("#", 1)[0])
    return match.view_name


def reverse_name(url_name: str, kwargs_builder) -> str:
    return reverse(url_name, kwargs=kwargs_builder() if kwargs_builder else None)
