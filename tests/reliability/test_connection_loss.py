"""The database connection dropping mid-request: the visitor gets the GOV.UK error page, and
no half-written rows remain, because every service is one transaction.

The connection is really lost: a second connection ends its server process
(`pg_terminate_backend`) just before a chosen statement, as a database restart, failover or
network cut would. For each action, the cut comes before its first write, then before its
second, and so on until the action runs out of writes and goes through; and once just
before its COMMIT. After every cut the whole database (every table, history included) is
exactly as before, no pack build has been queued, no uploaded file is left behind (except
after a cut at the COMMIT), and the next request works.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from committees import services
from committees.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ConsultationRole,
    Document,
    DocumentKind,
    Meeting,
)
from committees.services import SCRIPT, AgendaItemDetails
from portal_kit.models import ANY_VERSION
from tests.committees.factories import (
    MeetingFactory,
    PaperFactory,
    PersonFactory,
    approve_fully,
    minimal_pdf,
)
from tests.reliability.support import (
    DropConnection,
    assert_error_page,
    changed_tables,
    database_fingerprint,
    drop_connection_at_commit,
    governance_services_client,
    open_form,
)


def _meeting(days: int, **kwargs) -> Meeting:
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(14))
    )
    return MeetingFactory(start=start, end=start + dt.timedelta(hours=2), **kwargs)


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(text, pages=2), content_type="application/pdf")


@dataclasses.dataclass
class Action:
    """One Governance Services action, ready to submit from its page."""

    url: str
    fill: Callable[[dict], dict]  # the page's form as loaded -> what is submitted
    done: Callable[[], bool]  # whether the action's change is in the database
    queues_pack: bool = False


def publish_agenda() -> Action:
    meeting = _meeting(days=40)
    services.add_agenda_item(
        meeting=meeting, details=AgendaItemDetails(title="Apologies"), actor=SCRIPT
    )
    item = services.add_agenda_item(
        meeting=meeting,
        details=AgendaItemDetails(title="Code of Corporate Governance"),
        actor=SCRIPT,
    )
    paper = approve_fully(PaperFactory(title="Code of Corporate Governance"))
    services.upload_document(
        uploaded_file=_pdf("code.pdf", "CODE OF CORPORATE GOVERNANCE"),
        paper=paper,
        kind=DocumentKind.REPORT,
        title="Code of Corporate Governance",
        actor=SCRIPT,
    )
    services.attach_report(item=item, paper=paper, role=ConsultationRole.DECISION, actor=SCRIPT)
    return Action(
        url=reverse("manage:meeting_publish", args=[meeting.pk]),
        fill=lambda form: form,
        done=lambda: Meeting.objects.get(pk=meeting.pk).agenda_published_at is not None,
        queues_pack=True,
    )


def add_agenda_item() -> Action:
    meeting = _meeting(days=40, published=True)
    services.add_agenda_item(
        meeting=meeting, details=AgendaItemDetails(title="Apologies"), actor=SCRIPT
    )
    title = "Coventry, UK City of Culture 2021"

    def fill(form):
        return {**form, "title": [title], "lead": ["Report of the Chief Executive"]}

    return Action(
        url=reverse("manage:item_add", args=[meeting.pk]),
        fill=fill,
        done=lambda: AgendaItem.objects.filter(meeting=meeting, title=title).exists(),
        queues_pack=True,
    )


def record_attendance() -> Action:
    meeting = _meeting(days=-1)
    duggins, blundell, crookes = (
        PersonFactory(family_name=n) for n in ("Duggins", "Blundell", "Crookes")
    )
    services.record_attendance(
        meeting=meeting,
        entries=[
            {"person": duggins, "status": AttendanceStatus.PRESENT},
            {"person": blundell, "status": AttendanceStatus.PRESENT},
        ],
        version=ANY_VERSION,
        actor=SCRIPT,
    )
    rows = [
        (duggins, AttendanceStatus.PRESENT, None),
        (blundell, AttendanceStatus.APOLOGIES, None),
        (crookes, AttendanceStatus.SUBSTITUTE, blundell),
    ]

    def fill(form):
        data = dict(form)  # two rows as recorded, then blank ones
        for n, (person, status, standing_in_for) in enumerate(rows):
            data[f"attendance-{n}-person"] = [str(person.pk)]
            data[f"attendance-{n}-status"] = [status]
            data[f"attendance-{n}-substitute_for"] = [
                str(standing_in_for.pk) if standing_in_for else ""
            ]
        return data

    def done():
        stored = Attendance.objects.filter(meeting=meeting).values_list("person", "status")
        return set(stored) == {(person.pk, status) for person, status, _ in rows}

    return Action(
        url=reverse("manage:attendance", args=[meeting.pk]),
        fill=fill,
        done=done,
    )


def record_minute() -> Action:
    meeting = _meeting(days=-1)
    item = services.add_agenda_item(
        meeting=meeting,
        details=AgendaItemDetails(title="Code of Corporate Governance"),
        actor=SCRIPT,
    )
    services.record_minute(
        item=item,
        minutes_text="The Cabinet Member considered the report.",
        resolutions=[{"text": "Notes the report."}],
        version=ANY_VERSION,
        actor=SCRIPT,
    )
    services.publish_minutes(meeting=meeting, closed_at=dt.time(14, 45), actor=SCRIPT)
    text = "The Cabinet Member considered the report and the Ethics Committee's comments."

    def fill(form):
        resolutions = "Approves the Code.\n* Asks for a progress report in six months."
        return {**form, "minutes_text": [text], "resolutions": [resolutions]}

    def done():
        stored = AgendaItem.objects.get(pk=item.pk)
        return stored.minutes_text == text and stored.resolutions.count() == 2

    return Action(url=reverse("manage:item_minute", args=[item.pk]), fill=fill, done=done)


def store_document() -> Action:
    paper = PaperFactory(title="Review of the Whistleblowing Policy")
    title = "Appendix 1: Whistleblowing Policy"

    def fill(form):
        return {
            **form,
            "kind": [DocumentKind.APPENDIX],
            "title": [title],
            "file": _pdf("policy.pdf", "WHISTLEBLOWING POLICY"),  # a fresh upload each time
        }

    return Action(
        url=reverse("manage:report_upload", args=[paper.pk]),
        fill=fill,
        done=lambda: Document.objects.filter(paper=paper, title=title).exists(),
    )


ACTIONS = {
    "publish_agenda": publish_agenda,
    "add_agenda_item": add_agenda_item,
    "record_attendance": record_attendance,
    "record_minute": record_minute,
    "store_document": store_document,
}


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("make_action", ACTIONS.values(), ids=ACTIONS.keys())
def test_a_connection_lost_mid_action_leaves_no_half_written_rows(
    make_action, server, worker, media
):
    clerk = governance_services_client("Suzanne Bennett")
    action = make_action()
    worker.discard()
    form = open_form(clerk, action.url)
    rows, files = database_fingerprint(), _files(media)

    # Lost just before the COMMIT: every statement ran, none of it may stay.
    with drop_connection_at_commit(server) as fired:
        response = clerk.post(action.url, action.fill(form))
    assert fired
    assert_error_page(response)
    assert changed_tables(rows, database_fingerprint()) == []
    assert worker.pending() == 0
    assert not action.done()
    # (A file stored before the failed COMMIT is removed again: see the test below.)
    files = _files(media)

    # Lost before the first write, then before the second, and so on.
    cut = 0
    while True:
        cut += 1
        drop = DropConnection(server, at=cut)
        with connection.execute_wrapper(drop):
            response = clerk.post(action.url, action.fill(form))
        if not drop.fired:
            break  # fewer writes than that: the connection stayed, the action went through
        where = f"connection lost before write {cut} ({drop.statements[-1]})"
        assert_error_page(response)
        assert changed_tables(rows, database_fingerprint()) == [], where
        assert _files(media) == files, where
        assert worker.pending() == 0, where  # nothing is built for a change rolled back
        assert not action.done(), where

    # Each time the next request had a working connection again; this one went through.
    assert response.status_code == 302
    assert action.done()
    assert cut - 1 >= 2, "the action should write more than once: nothing was half-written"
    assert len(server.terminated) == cut  # the commit, then every write
    assert worker.pending() == (1 if action.queues_pack else 0)


def test_an_upload_cut_off_at_commit_leaves_no_file_behind(server, media):
    clerk = governance_services_client("Suzanne Bennett")
    action = store_document()
    form = open_form(clerk, action.url)
    files = _files(media)

    with drop_connection_at_commit(server) as fired:
        response = clerk.post(action.url, action.fill(form))

    assert fired
    assert_error_page(response)
    assert not action.done()
    assert _files(media) == files


@pytest.mark.parametrize("cut", [1, 4])
def test_a_connection_lost_while_reading_a_public_page_shows_the_error_page(cut, server):
    meeting = _meeting(days=40, published=True)
    for title in ("Apologies", "Code of Corporate Governance"):
        services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title=title), actor=SCRIPT
        )
    visitor = Client(raise_request_exception=False)
    url = reverse("committees:meeting", args=[meeting.pk])

    drop = DropConnection(server, at=cut, writes_only=False)
    with connection.execute_wrapper(drop):
        response = visitor.get(url)

    assert drop.fired
    assert_error_page(response)
    # The server's request handler drops a broken connection when a request ends (the test
    # client leaves that out, to keep test transactions open): the next visitor is served.
    close_old_connections()
    assert "Code of Corporate Governance" in visitor.get(url).content.decode()
