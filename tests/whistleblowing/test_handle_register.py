"""The Monitoring Officer's register (policy 28) and its export, against the real database:
who sees which concerns, the filters, the acknowledgement clock and its flags, the CSV for the
Monitoring Officer alone with no content and no identities, and a fixed number of queries
with nothing unsealed whatever the number of concerns."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.helpers import text_of
from tests.whistleblowing.handle_support import (
    APRIL_10,
    REPORTER_CONTACT,
    REPORTER_NAME,
    WORDS,
    evidence,
    monitoring_officer,
    named,
    person,
    raise_concern,
    signed_in,
)
from whistleblowing import sealing, services
from whistleblowing.models import CaseOpening, OpeningKind

pytestmark = pytest.mark.django_db

REGISTER = reverse("concerns:register")
EXPORT = reverse("concerns:export")


@pytest.fixture
def world():
    """A concern for the Monitoring Officer, one about fraud for the Chief Internal Auditor,
    and one appointed to an investigating officer."""
    mo = monitoring_officer(full_name="Helen Lynch")
    investigator = person(Role.INVESTIGATING_OFFICER, full_name="Ann Smith")
    general = raise_concern()
    fraud = raise_concern(ground="fraud", now=APRIL_10 + dt.timedelta(days=1))
    theirs = raise_concern(ground="health_and_safety", now=APRIL_10 + dt.timedelta(days=2))
    services.appoint_investigator(
        concern=theirs, investigator=investigator, version=ANY_VERSION, actor=mo
    )
    return {
        "mo": mo,
        "investigator": investigator,
        "general": general,
        "fraud": fraud,
        "theirs": theirs,
    }


def references(response) -> list[str]:
    return [row[0] for row in response.context["rows"]] if response.context else []


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("mo", ["theirs", "fraud", "general"]),
        ("cia", ["fraud"]),
        ("investigator", ["theirs"]),
        ("other_investigator", []),
    ],
)
def test_each_handler_sees_only_the_concerns_the_policy_gives_them(client, world, who, sees):
    user = {
        "mo": world["mo"],
        "cia": person(Role.CHIEF_INTERNAL_AUDITOR),
        "investigator": world["investigator"],
        "other_investigator": person(Role.INVESTIGATING_OFFICER),
    }[who]
    response = signed_in(client, user).get(REGISTER)
    assert response.status_code == 200
    assert references(response) == [world[name] for name in sees]  # newest first
    page = response.content.decode()
    for name in ("general", "fraud", "theirs"):
        assert (world[name].reference in page) == (name in sees)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.OFFICER, Role.ADMINISTRATOR, Role.SIRO])
def test_everyone_else_gets_the_same_404_and_anonymous_visitors_sign_in(client, world, role):
    assert signed_in(client, person(role)).get(REGISTER).status_code == 404
    client.logout()
    response = client.get(REGISTER)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_a_row_shows_the_register_s_columns_and_no_content(client, world):
    services.add_information(concern=world["general"], text="More about it", now=APRIL_10)
    response = signed_in(client, world["mo"]).get(REGISTER)
    text = text_of(response)
    assert "10 April 2017" in text
    assert "A criminal offence" in text and "Fraud or financial irregularity" in text
    assert "Chief Internal Auditor" in text and "Investigating: Ann Smith" in text
    assert "Received" in text
    # The clock: received 10 April 2017, so overdue since the 18th, flagged in words.
    assert "Overdue" in text and "Acknowledgement overdue by" in text
    assert 'govuk-tag govuk-tag--red">Overdue' in response.content.decode()
    assert "Reporter waiting" in text
    assert WORDS not in text and "More about it" not in text


def test_the_register_counts_the_clock_from_the_day_received(client, world, settings):
    mo = world["mo"]
    today = dt.datetime.now(dt.UTC)
    recent = raise_concern(now=today - dt.timedelta(days=6))
    services.acknowledge(
        concern=world["general"],
        summary="Fuel cards",
        version=ANY_VERSION,
        actor=mo,
        now=APRIL_10 + dt.timedelta(days=3),
    )
    response = signed_in(client, mo).get(REGISTER)
    rows = dict(response.context["rows"])
    assert rows[recent].state == "due_soon"
    assert rows[world["general"]].wording == "Acknowledged on time, after 3 days"
    assert "Due soon" in text_of(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"ground": "fraud"}, ["fraud"]),
        ({"route": "monitoring_officer"}, ["theirs", "general"]),
        ({"status": "acknowledged"}, ["general"]),
        ({"overdue": "on"}, ["theirs", "fraud"]),
        ({"ground": "fraud", "overdue": "on"}, ["fraud"]),
    ],
)
def test_filters(client, world, query, expected):
    services.acknowledge(
        concern=world["general"], summary="Fuel cards", version=ANY_VERSION, actor=world["mo"]
    )
    response = signed_in(client, world["mo"]).get(REGISTER, query)
    assert references(response) == [world[name] for name in expected]


@pytest.mark.parametrize(
    "query",
    [{"ground": "gossip"}, {"status": "x" * 10_000}, {"route": ["a", "b"]}, {"ground": "\x00"}],
)
def test_a_filter_that_is_not_in_the_list_is_a_govuk_error(client, world, query):
    response = signed_in(client, world["mo"]).get(REGISTER, query)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert references(response) == []


def test_the_register_pages_fifty_at_a_time_keeping_the_filters(client, world):
    for n in range(55):
        raise_concern(ground="fraud", now=APRIL_10 - dt.timedelta(days=n + 1))
    client = signed_in(client, world["mo"])
    first = client.get(REGISTER, {"ground": "fraud"})
    assert len(first.context["rows"]) == 50
    assert 'href="?ground=fraud&page=2"' in first.content.decode()
    second = client.get(REGISTER, {"ground": "fraud", "page": "2"})
    assert len(second.context["rows"]) == 6


class _Counting:
    def __init__(self, monkeypatch):
        self.calls = 0
        original = sealing.open_bytes

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(sealing, "open_bytes", counted)


def test_the_register_costs_the_same_queries_whatever_the_rows_and_unseals_nothing(
    client, world, monkeypatch
):
    client = signed_in(client, world["mo"])
    client.get(REGISTER)  # the session and the user, loaded once
    with CaptureQueriesContext(connection) as few:
        client.get(REGISTER)
    investigators = [person(Role.INVESTIGATING_OFFICER) for _ in range(4)]
    for n in range(40):
        concern = raise_concern(files=evidence(), now=APRIL_10 - dt.timedelta(days=n))
        services.add_information(concern=concern, text="More", now=APRIL_10)
        services.appoint_investigator(
            concern=concern,
            investigator=investigators[n % 4],
            version=ANY_VERSION,
            actor=world["mo"],
        )
    opened = _Counting(monkeypatch)
    with CaptureQueriesContext(connection) as many:
        response = client.get(REGISTER)
    assert len(response.context["rows"]) == 43
    assert len(many) == len(few), [q["sql"] for q in many]
    assert opened.calls == 0


def _rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode())))


def test_the_export_is_the_monitoring_officer_s_without_content_or_identities(
    client, world, monkeypatch
):
    mo = world["mo"]
    reporter = person(Role.OFFICER, full_name=REPORTER_NAME, email=REPORTER_CONTACT)
    services.raise_concern(answers=named(), reporter=reporter, now=APRIL_10)
    opened = _Counting(monkeypatch)
    response = signed_in(client, mo).get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    rows = _rows(response)
    assert rows[0][:3] == ["Reference", "Received", "How it was raised"]
    assert len(rows) == 5
    assert {row[0] for row in rows[1:]} >= {world["general"].reference, world["fraud"].reference}
    body = response.content.decode()
    for secret in (WORDS, REPORTER_NAME, REPORTER_CONTACT, "Whitley", "supervisor"):
        assert secret not in body
    assert opened.calls == 0
    assert CaseOpening.objects.filter(reader=mo, kind=OpeningKind.EXPORT).count() == 1


@pytest.mark.parametrize("role", [Role.CHIEF_INTERNAL_AUDITOR, Role.INVESTIGATING_OFFICER])
def test_other_handlers_cannot_export(client, world, role):
    assert signed_in(client, person(role)).get(EXPORT).status_code == 404
    assert not CaseOpening.objects.exists()


def test_a_cell_that_a_spreadsheet_would_run_is_kept_as_text(client, world):
    world["investigator"].full_name = '=HYPERLINK("http://evil.example")'
    world["investigator"].save()
    rows = _rows(signed_in(client, world["mo"]).get(EXPORT))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_the_navigation_offers_the_register_to_handlers_only(client, world):
    assert "Whistleblowing register" in signed_in(client, world["mo"]).get("/").content.decode()
    client.logout()
    officer_page = signed_in(client, person(Role.OFFICER)).get("/").content.decode()
    assert "Whistleblowing register" not in officer_page
