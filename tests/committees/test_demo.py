"""The seed's meetings as data: `load_demo` gives the 13 April 2017 agenda, its reports, the
July 2016 minutes and the pack, and a second load changes nothing."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from committees.models import (
    AgendaItem,
    AgendaPack,
    Consultation,
    Meeting,
    PackStatus,
    Paper,
    Resolution,
)

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def loaded(demo_data_for_module, db):
    """The demo data, loaded once for this module (tests/conftest.py)."""


def _row_counts():
    counts = {}
    for model in apps.get_models():
        if model._meta.app_label in {"organisation", "committees"}:
            counts[model._meta.label] = model.objects.count()
    return counts


def test_the_april_2017_agenda_from_the_seed(loaded):
    april = Meeting.objects.get(start__date=dt.date(2017, 4, 13))
    top = [
        (i.number, i.title)
        for i in AgendaItem.objects.filter(meeting=april, parent=None).order_by("position")
    ]
    assert [n for n, _ in top] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert top[3] == ("4", "Code of Corporate Governance")
    minutes_item = AgendaItem.objects.get(meeting=april, number="3")
    assert [s.number for s in minutes_item.sub_items.order_by("position")] == ["a)", "b)"]
    assert april.agenda_published_at.date() == dt.date(2017, 4, 5)


def test_the_reports_journeys_and_sign_offs(loaded):
    whistleblowing = Paper.objects.get(title="Review of the Council's Whistleblowing Policy")
    journey = [
        (c.meeting.start.date(), c.organization.name, c.role)
        for c in Consultation.objects.filter(paper=whistleblowing).order_by("meeting__start")
    ]
    assert journey == [
        (dt.date(2017, 3, 17), "Ethics Committee", "recommendation"),
        (dt.date(2017, 4, 3), "Audit and Procurement Committee", "recommendation"),
        (dt.date(2017, 4, 13), "Cabinet Member for Policy and Leadership", "decision"),
    ]
    assert {d.kind for d in whistleblowing.documents.all()} == {"report", "appendix"}
    assert whistleblowing.documents.filter(kind="appendix").count() == 2
    assert whistleblowing.sign_offs.filter(category="legal").get().name == "Helen Lynch"


def test_the_july_2016_minutes_and_their_outstanding_issue(loaded):
    july = Meeting.objects.get(start__date=dt.date(2016, 7, 28))
    assert july.closed_at == dt.time(14, 30)
    statuses = sorted((str(a.person or a.officer_name), a.status) for a in july.attendance.all())
    assert ("Councillor G Crookes", "substitute") in statuses
    assert ("Councillor J Blundell", "apologies") in statuses
    urgent = AgendaItem.objects.get(meeting=july, number="5")
    assert urgent.is_urgent and "prior to the next" in urgent.urgency_reason
    resolutions = Resolution.objects.filter(agenda_item__meeting=july, number__isnull=False)
    assert list(resolutions.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4]
    asked = [r for r in resolutions if r.requests_follow_up]
    assert [(r.number, r.closed_by.title) for r in asked] == [
        (3, "Information Management Strategy Update - Information Risk Policy")
    ]


def test_the_april_2017_agenda_lists_no_outstanding_issues_as_the_seed_says(loaded, client):
    april = Meeting.objects.get(start__date=dt.date(2017, 4, 13))

    page = client.get(april.get_absolute_url()).content.decode()

    item_7 = re.search(r"7\. Outstanding Issues.*?(?=app-agenda-item)", page, re.S).group(0)
    assert "There are no outstanding issues." in item_7


def test_the_pack_is_built_with_page_ranges(loaded):
    april = Meeting.objects.get(start__date=dt.date(2017, 4, 13))
    pack = AgendaPack.objects.get(meeting=april, status=PackStatus.READY)
    assert pack.page_count > 20
    code = AgendaItem.objects.get(meeting=april, number="4")
    whistleblowing = AgendaItem.objects.get(meeting=april, number="5")
    assert code.start_page < code.end_page < whistleblowing.start_page


def test_a_second_load_changes_nothing(loaded, tmp_path):
    counts = _row_counts()
    history = {
        label: apps.get_model(label).history.count()
        for label in ("committees.Meeting", "committees.AgendaItem", "committees.Paper")
    }
    with open(tmp_path / "again.txt", "w") as out:
        call_command("load_demo", stdout=out)
    assert _row_counts() == counts
    assert {label: apps.get_model(label).history.count() for label in history} == history


def test_the_papers_read_as_the_council_s_do_without_the_seed_s_markup(loaded):
    """The seed's text extraction left bold markers and list dashes ("- 1. Notes…**"): the
    papers and the pack that reprints them show neither."""
    import io
    import re

    from pypdf import PdfReader

    from committees.models import Document

    april = Meeting.objects.get(start__date=dt.date(2017, 4, 13))
    pack = AgendaPack.objects.get(meeting=april, status=PackStatus.READY)
    with pack.file.open("rb") as handle:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    texts = [text, *Document.objects.values_list("text", flat=True)]
    assert not [t for t in texts if "**" in t or re.search(r"(^|\n)\s*- \d", t)]


def test_meetings_to_come_one_published_in_time_and_one_still_a_draft(loaded, client):
    """So a newcomer finds upcoming meetings, the calendar and the iCalendar feed not empty:
    an agenda published on the day of loading, lawfully, and one the public cannot see yet."""
    from committees import rules
    from committees.models import MeetingState

    now = timezone.now()
    to_come = list(Meeting.objects.filter(start__gt=now).order_by("start"))
    published = [m for m in to_come if m.agenda_published_at is not None]
    drafts = [m for m in to_come if m.agenda_published_at is None]
    assert published and drafts
    for meeting in published:
        day = timezone.localdate(meeting.start)
        published_on = timezone.localdate(meeting.agenda_published_at)
        assert meeting.state == MeetingState.AGENDA_PUBLISHED
        assert rules.clear_working_days_between(published_on, day) > rules.CLEAR_WORKING_DAYS
        assert not meeting.late_publication_reason
        assert published_on == timezone.localdate(now)
    for meeting in to_come:
        assert rules.is_working_day(timezone.localdate(meeting.start))
        assert meeting.agenda_items.exists()
    draft = drafts[0]
    assert draft.state == MeetingState.SCHEDULED

    listing = client.get(reverse("committees:meetings")).content.decode()
    for meeting in to_come:
        assert meeting.get_absolute_url() in listing
    month = timezone.localtime(published[0].start)
    calendar = client.get(reverse("committees:calendar", args=[month.year, month.month]))
    assert published[0].get_absolute_url() in calendar.content.decode()
    feed = client.get(reverse("committees:meetings_ics")).content.decode()
    assert feed.count("BEGIN:VEVENT") >= len(to_come)
    for meeting in to_come:
        assert f"/meetings/{meeting.pk}/" in feed

    # The draft's items stay hidden from the public; the published agenda shows them.
    draft_titles = [i.title for i in draft.agenda_items.all()]
    draft_page = client.get(draft.get_absolute_url()).content.decode()
    assert "To agree the minutes from the meeting held on 13 April 2017" in draft_titles
    assert "To agree the minutes from the meeting held on 13 April 2017" not in draft_page
    published_page = client.get(published[0].get_absolute_url()).content.decode()
    for item in published[0].agenda_items.all():
        assert item.title in published_page


def test_the_seed_s_meetings_are_still_the_only_ones_before_the_day_of_loading(loaded):
    past = Meeting.objects.filter(start__lt=timezone.now()).order_by("start")
    assert [timezone.localdate(m.start) for m in past] == [
        dt.date(2016, 7, 28),
        dt.date(2017, 3, 17),
        dt.date(2017, 4, 3),
        dt.date(2017, 4, 13),
    ]


def test_the_demo_councillor_reads_their_committees_private_paper_after_the_second_factor(
    loaded, client
):
    """A councillor's demo login (printed by `make run` with the others): a member of the Audit
    and Procurement Committee, linked to their record, which needs the demo's second factor
    before the committee's report in private opens."""
    from committees.demo import COUNCILLOR_EMAIL, PRIVATE_REPORT
    from committees.models import Membership, PrivatePaperOpening
    from organisation import demo as organisation_demo
    from organisation import queries
    from organisation.models import User

    account = User.objects.get(email=COUNCILLOR_EMAIL)
    assert account.is_councillor and account.needs_two_factor and not account.roles
    assert queries.has_totp_device(account)
    sits_on = Membership.objects.current_on(timezone.localdate()).filter(person__user=account)
    assert [m.organization.name for m in sits_on] == ["Audit and Procurement Committee"]
    paper = Paper.objects.get(title=PRIVATE_REPORT)
    assert not paper.is_public and paper.exempt_paragraphs == [3]
    [step] = paper.consultations.all()
    assert step.meeting.agenda_published_at and step.meeting.start > timezone.now()
    report = reverse("committees:report", args=[paper.pk])
    assert client.get(report).status_code == 404, "not to the public"
    agenda = client.get(step.meeting.get_absolute_url()).content.decode()
    assert PRIVATE_REPORT in agenda and "paragraph 3" in agenda

    password = organisation_demo.DEMO_PASSWORD
    client.post(reverse("login"), {"username": COUNCILLOR_EMAIL, "password": password})
    assert client.get(report)["Location"].startswith(reverse("two_factor_verify"))
    assert not PrivatePaperOpening.objects.exists()
    client.post(reverse("two_factor_verify"), {"code": organisation_demo.current_code()})
    page = client.get(report)
    assert page.status_code == 200
    assert PRIVATE_REPORT in page.content.decode()
    [document] = paper.documents.all()
    assert client.get(reverse("committees:document", args=[document.pk])).status_code == 200
    assert PrivatePaperOpening.objects.filter(reader=account, paper=paper).count() == 2
