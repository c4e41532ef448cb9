"""Governance Services' own pages (/manage/): every page renders, every action works through
the pages, bad input gets a GOV.UK error and changes nothing, GET changes nothing, CSRF is
enforced, and the busiest pages cost a fixed number of queries."""

import dataclasses
import datetime as dt
import html
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from committees import documents, policies, services
from committees.models import (
    AgendaItem,
    AgendaPack,
    Attendance,
    AttendanceStatus,
    Consultation,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingState,
    MinutesCorrection,
    PackStatus,
    Paper,
    Resolution,
    SignOff,
)
from committees.services import SCRIPT, AgendaItemDetails
from organisation.roles import Role
from portal_kit import forms as kit_forms
from portal_kit.models import ANY_VERSION, STALE
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    LocationFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
    ResolutionFactory,
    approve_fully,
    minimal_pdf,
)
from tests.committees.permission_rows_manage import ROWS
from tests.conftest import sign_in
from tests.factories import DirectorateFactory, UserFactory
from tests.helpers import future_day, text_of

HOSTILE = "<script>alert(1)</script>"
MODELS = (
    Meeting,
    AgendaItem,
    Consultation,
    Paper,
    Document,
    SignOff,
    Attendance,
    Declaration,
    Resolution,
    MinutesCorrection,
    Decision,
    ForwardPlanEntry,
    AgendaPack,
)


def snapshot() -> dict:
    """Row counts and history counts of everything these pages can change."""
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts.update({f"{m.__name__} history": m.history.count() for m in MODELS})
    return counts


def summary_errors(response) -> list[str]:
    """The messages in the page's GOV.UK error summary."""
    html = response.content.decode()
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not match:
        return []
    return [unescape(m.strip()) for m in re.findall(r"<a [^>]*>(.*?)</a>", match[1], re.S)]


def assert_refused(response, message: str):
    """A GOV.UK error page: 200, "Error:" title, "There is a problem", the message."""
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert message in summary_errors(response), summary_errors(response)


def date_fields(day: dt.date, prefix="date") -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.fixture
def gs_user(db):
    return UserFactory(roles=[Role.GOVERNANCE_SERVICES], full_name="Suzanne Bennett")


@pytest.fixture
def gs(client, gs_user):
    return sign_in(client, gs_user)


def meeting_at(day: dt.date, hour=14, **kwargs) -> Meeting:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    return MeetingFactory(start=start, end=start + dt.timedelta(hours=2), **kwargs)


def item_on(meeting, *, parent=None, **details) -> AgendaItem:
    return services.add_agenda_item(
        meeting=meeting,
        parent=parent,
        details=AgendaItemDetails(title=details.pop("title", "Apologies"), **details),
        actor=SCRIPT,
    )


# --- Every page -------------------------------------------------------------------------------

GET_PAGES = sorted(name for name, (_, row) in ROWS.items() if row[Role.GOVERNANCE_SERVICES] == 200)
#: Answered with a file, not a page.
DOWNLOADS = {"manage:pack_download"}


@pytest.mark.parametrize("url_name", [name for name in GET_PAGES if name not in DOWNLOADS])
def test_every_page_renders_for_governance_services_with_govuk_markup(gs, url_name):
    builder, _ = ROWS[url_name]
    response = gs.get(reverse(url_name, kwargs=builder() if builder else None))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-heading-l"' in html
    assert "<title>Error:" not in html


@pytest.mark.parametrize("url_name", GET_PAGES)
def test_get_never_changes_anything(gs, url_name):
    builder, _ = ROWS[url_name]
    url = reverse(url_name, kwargs=builder() if builder else None)
    before = snapshot()
    assert gs.get(url).status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("url_name", ["manage:item_move", "manage:pack_rebuild"])
def test_post_only_actions_refuse_get(gs, url_name):
    builder, _ = ROWS[url_name]
    url = reverse(url_name, kwargs=builder())
    before = snapshot()
    assert gs.get(url).status_code == 405
    assert snapshot() == before


def test_other_roles_are_refused_and_change_nothing(client, db):
    meeting = MeetingFactory()
    sign_in(client, UserFactory(roles=[Role.AUDITOR]))
    before = snapshot()
    response = client.post(
        reverse("manage:item_add", args=[meeting.pk]), {"title": "Sneaky", "visibility": "public"}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("manage:meetings"))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_navigation_shows_manage_meetings_to_governance_services_only(client, db):
    sign_in(client, UserFactory(roles=[Role.GOVERNANCE_SERVICES]))
    assert f'href="{reverse("manage:meetings")}"' in client.get("/").content.decode()
    other = Client()
    sign_in(other, UserFactory(roles=[Role.OFFICER]))
    assert f'href="{reverse("manage:meetings")}"' not in other.get("/").content.decode()


def test_csrf_is_enforced(gs_user):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, gs_user)
    organization = OrganizationFactory()
    before = snapshot()
    response = client.post(
        reverse("manage:meeting_create"),
        {"organizations": [organization.pk], **date_fields(future_day()), "start_time": "2pm"},
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- Meetings -------------------------------------------------------------------------------


def test_meetings_list_shows_state_and_publish_by_date(gs):
    organization = OrganizationFactory(name="Cabinet Member for Policy and Leadership")
    meeting = meeting_at(future_day(30), organizations=[organization])
    response = gs.get(reverse("manage:meetings"))
    html = response.content.decode()
    assert "Cabinet Member for Policy and Leadership" in html
    assert "Scheduled" in html
    publish_by = manage_publish_by(meeting)
    assert f"{publish_by:%A} {publish_by.day} {publish_by:%B %Y}" in html
    assert reverse("manage:meeting_create") in html


def manage_publish_by(meeting):
    from committees import rules

    return rules.last_publication_date(timezone.localdate(meeting.start))


def test_creating_a_meeting(gs, gs_user):
    organization = OrganizationFactory(name="Ethics Committee")
    location = LocationFactory()
    day = future_day()
    response = gs.post(
        reverse("manage:meeting_create"),
        {
            "organizations": [organization.pk],
            **date_fields(day),
            "start_time": "2pm",
            "end_time": "16:30",
            "location": location.pk,
            "contact_officer": gs_user.pk,
            "webcast_url": "https://webcast.example/ethics",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:meeting", args=[meeting.pk])
    assert timezone.localtime(meeting.start) == timezone.make_aware(
        dt.datetime.combine(day, dt.time(14))
    )
    assert timezone.localtime(meeting.end).time() == dt.time(16, 30)
    assert list(meeting.organizations.all()) == [organization]
    assert meeting.location == location
    assert meeting.contact_officer == gs_user
    assert meeting.history.get().history_user == gs_user


def test_the_meeting_page_shows_the_last_lawful_publication_day(gs):
    meeting = meeting_at(dt.date(2017, 4, 13))
    response = gs.get(reverse("manage:meeting", args=[meeting.pk]))
    assert "Wednesday 5 April 2017" in response.content.decode()


def test_the_meeting_page_says_publish_by_for_an_upcoming_meeting(gs):
    meeting = meeting_at(future_day(40))
    publish_by = manage_publish_by(meeting)
    html = gs.get(reverse("manage:meeting", args=[meeting.pk])).content.decode()
    assert f"Publish the agenda by {publish_by:%A} {publish_by.day} {publish_by:%B %Y}" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date_0": "31", "date_1": "2", "date_2": "2030"}, kit_forms.REAL_DATE),
        ({"date_0": "aa", "date_1": "4", "date_2": "2030"}, kit_forms.REAL_DATE),
        ({"date_0": "13", "date_1": "13", "date_2": "2030"}, kit_forms.REAL_DATE),
        ({"date_0": "13", "date_1": "4", "date_2": "30"}, kit_forms.YEAR_FOUR_DIGITS),
        ({"date_0": "13", "date_1": "", "date_2": "2030"}, kit_forms.DATE_INCOMPLETE),
        ({"date_0": "", "date_1": "", "date_2": ""}, "Enter the date of the meeting"),
        ({"start_time": "25:00"}, kit_forms.REAL_TIME),
        ({"start_time": "teatime"}, kit_forms.REAL_TIME),
        ({"start_time": "2"}, kit_forms.REAL_TIME),
        ({"date_0": "1" * 30, "date_1": "4", "date_2": "2030"}, kit_forms.REAL_DATE),
        ({"start_time": ""}, "Enter the time the meeting starts"),
        ({"start_time": "2pm", "end_time": "1pm"}, services.END_BEFORE_START),
        ({"start_time": "2pm", "end_time": "2pm"}, services.END_BEFORE_START),
        ({"organizations": []}, services.NO_ORGANIZATION),
        ({"webcast_url": "not a web address"}, "Enter a web address in the correct format"),
    ],
)
def test_bad_meeting_details_are_refused_and_nothing_is_saved(gs, fields, message):
    organization = OrganizationFactory()
    data = {"organizations": [organization.pk], **date_fields(future_day()), "start_time": "2pm"}
    data.update(fields)
    before = snapshot()
    response = gs.post(reverse("manage:meeting_create"), data)
    assert response.status_code == 200
    assert any(e.startswith(message) for e in summary_errors(response)), summary_errors(response)
    assert "<title>Error: " in response.content.decode()
    assert snapshot() == before


def test_rescheduling_a_meeting(gs):
    meeting = meeting_at(future_day(30))
    new_day = future_day(45)
    response = gs.post(
        reverse("manage:meeting_reschedule", args=[meeting.pk]),
        {**date_fields(new_day), "start_time": "10am", "end_time": "12pm", "version": 1},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert timezone.localtime(meeting.start) == timezone.make_aware(
        dt.datetime.combine(new_day, dt.time(10))
    )
    assert meeting.version == 2


def test_rescheduling_with_the_end_before_the_start_changes_nothing(gs):
    meeting = meeting_at(future_day(30))
    before = snapshot()
    response = gs.post(
        reverse("manage:meeting_reschedule", args=[meeting.pk]),
        {**date_fields(future_day(45)), "start_time": "3pm", "end_time": "2pm", "version": 1},
    )
    assert_refused(response, services.END_BEFORE_START)
    assert snapshot() == before


def test_rescheduling_a_stale_copy_changes_nothing(gs):
    meeting = meeting_at(future_day(30))
    Meeting.objects.filter(pk=meeting.pk).update(version=2)
    before = snapshot()
    response = gs.post(
        reverse("manage:meeting_reschedule", args=[meeting.pk]),
        {**date_fields(future_day(45)), "start_time": "3pm", "version": 1},
    )
    assert_refused(response, STALE)
    assert snapshot() == before


def test_cancelling_a_meeting_with_a_reason(gs):
    meeting = meeting_at(future_day(30))
    response = gs.post(
        reverse("manage:meeting_cancel", args=[meeting.pk]),
        {"reason": "Insufficient business", "version": 1},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED
    assert meeting.cancellation_reason == "Insufficient business"
    page = gs.get(reverse("manage:meeting", args=[meeting.pk])).content.decode()
    assert "This meeting has been cancelled: Insufficient business" in page


def test_cancelling_without_a_reason_changes_nothing(gs):
    meeting = meeting_at(future_day(30))
    before = snapshot()
    response = gs.post(
        reverse("manage:meeting_cancel", args=[meeting.pk]), {"reason": "  ", "version": 1}
    )
    assert_refused(response, "Enter why the meeting is cancelled")
    assert snapshot() == before


# --- The agenda -----------------------------------------------------------------------------


def add_item(client, meeting, **fields):
    data = {"title": "An item", "visibility": "public", **fields}
    return client.post(reverse("manage:item_add", args=[meeting.pk]), data)


def test_paragraphs_ticked_for_a_public_item_are_not_kept_and_the_clerk_is_told(gs):
    meeting = meeting_at(future_day(30))

    response = add_item(gs, meeting, title="Apologies", exempt_paragraphs=["3"])
    page = gs.get(response["Location"]).content.decode()

    assert AgendaItem.objects.get(title="Apologies").exempt_paragraphs == []
    assert "Item 1 added. " + services.PARAGRAPHS_NOT_KEPT in html.unescape(page)


def test_building_an_agenda_with_items_and_sub_items(gs):
    meeting = meeting_at(future_day(30))
    assert add_item(gs, meeting, title="Apologies").status_code == 302
    assert add_item(gs, meeting, title="Declarations of Interest").status_code == 302
    second = AgendaItem.objects.get(title="Declarations of Interest")
    response = gs.post(
        reverse("manage:sub_item_add", args=[meeting.pk, second.pk]),
        {"title": "Disclosable pecuniary interests", "visibility": "public"},
    )
    assert response.status_code == 302
    numbers = {i.title: i.number for i in AgendaItem.objects.all()}
    assert numbers == {
        "Apologies": "1",
        "Declarations of Interest": "2",
        "Disclosable pecuniary interests": "a)",
    }
    page = gs.get(reverse("manage:meeting", args=[meeting.pk])).content.decode()
    assert "1 Apologies" in page
    assert "a) Disclosable pecuniary interests" in page


def test_a_sub_item_cannot_have_sub_items(gs):
    meeting = meeting_at(future_day(30))
    parent = item_on(meeting, title="Reports")
    sub = item_on(meeting, title="Sub", parent=parent)
    before = snapshot()
    response = gs.post(
        reverse("manage:sub_item_add", args=[meeting.pk, sub.pk]),
        {"title": "Too deep", "visibility": "public"},
    )
    assert_refused(response, services.SUB_ITEM_DEPTH)
    assert snapshot() == before


def test_a_sub_item_of_another_meetings_item_is_not_found(gs):
    meeting = meeting_at(future_day(30))
    other = item_on(meeting_at(future_day(31)), title="Elsewhere")
    response = gs.get(reverse("manage:sub_item_add", args=[meeting.pk, other.pk]))
    assert response.status_code == 404


def test_a_private_item_names_its_paragraphs(gs):
    meeting = meeting_at(future_day(30))
    response = add_item(
        gs,
        meeting,
        title="Contract award",
        visibility="private",
        exempt_paragraphs=["3"],
        public_interest_statement="Commercially sensitive",
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.is_public is False
    assert item.exempt_paragraphs == [3]


def test_a_private_item_without_a_paragraph_is_refused(gs):
    meeting = meeting_at(future_day(30))
    before = snapshot()
    response = add_item(gs, meeting, title="Contract award", visibility="private")
    assert_refused(response, services.PRIVATE_NEEDS_PARAGRAPH)
    assert snapshot() == before


def test_an_urgent_item_needs_its_reason(gs):
    meeting = meeting_at(future_day(30))
    before = snapshot()
    response = add_item(gs, meeting, title="Urgent", is_urgent="on")
    assert_refused(response, services.URGENT_NEEDS_REASON)
    assert snapshot() == before


def test_hostile_text_is_shown_escaped(gs):
    meeting = meeting_at(future_day(30))
    assert add_item(gs, meeting, title=HOSTILE, lead=HOSTILE).status_code == 302
    for url in (
        reverse("manage:meeting", args=[meeting.pk]),
        reverse("manage:item_edit", args=[AgendaItem.objects.get().pk]),
        reverse("manage:meeting_minutes", args=[meeting.pk]),
    ):
        html = gs.get(url).content.decode()
        assert HOSTILE not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_text_in_a_refused_form_is_shown_escaped(gs):
    meeting = meeting_at(future_day(30))
    before = snapshot()
    response = add_item(gs, meeting, title=HOSTILE, visibility="private")
    assert_refused(response, services.PRIVATE_NEEDS_PARAGRAPH)
    assert HOSTILE not in response.content.decode()
    assert snapshot() == before


def test_reordering_items_with_the_move_buttons(gs):
    meeting = meeting_at(future_day(30))
    first = item_on(meeting, title="First")
    second = item_on(meeting, title="Second")
    response = gs.post(reverse("manage:item_move", args=[second.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{second.pk}")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number, first.number) == ("1", "2")


def test_editing_an_item(gs):
    meeting = meeting_at(future_day(30))
    item = item_on(meeting, title="Old title")
    data = {"title": "New title", "visibility": "public", "version": item.version}
    response = gs.post(reverse("manage:item_edit", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "New title"
    assert item.version == 2


def test_editing_a_stale_copy_of_an_item_saves_nothing(gs):
    meeting = meeting_at(future_day(30))
    item = item_on(meeting, title="Old title")
    edit_url = reverse("manage:item_edit", args=[item.pk])
    form_page = gs.get(edit_url).content.decode()
    assert f'name="version" value="{item.version}"' in form_page
    services.update_agenda_item(
        item=item,
        version=item.version,
        details=dataclasses.replace(AgendaItemDetails.of(item), title="Someone else's title"),
        actor=SCRIPT,
    )
    before = snapshot()
    response = gs.post(edit_url, {"title": "My title", "visibility": "public", "version": 1})
    assert_refused(response, STALE)
    assert snapshot() == before
    item.refresh_from_db()
    assert item.title == "Someone else's title"


def test_removing_an_item_asks_first(gs):
    meeting = meeting_at(future_day(30))
    item = item_on(meeting, title="To go")
    url = reverse("manage:item_remove", args=[item.pk])
    page = gs.get(url)
    assert "Remove item 1?" in page.content.decode()
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    response = gs.post(url)
    assert response.status_code == 302
    assert not AgendaItem.objects.filter(pk=item.pk).exists()


def test_attaching_a_report_to_an_item(gs):
    meeting = meeting_at(future_day(30))
    item = item_on(meeting, title="Whistleblowing Policy")
    paper = PaperFactory(title="Whistleblowing Policy report")
    response = gs.post(
        reverse("manage:item_attach_report", args=[item.pk]),
        {"paper": paper.pk, "role": "decision", "recommendation": "Approve the policy"},
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert (consultation.paper, consultation.agenda_item) == (paper, item)
    assert consultation.recommendation == "Approve the policy"
    page = gs.get(reverse("manage:meeting", args=[meeting.pk])).content.decode()
    assert "Whistleblowing Policy report" in page


def test_the_attach_page_names_the_approvals_the_council_requires(gs, settings):
    settings.COMMITTEE_REQUIRED_SIGN_OFFS = ["finance", "legal"]
    item = AgendaItemFactory(meeting=meeting_at(future_day(30), published=True))

    page = gs.get(reverse("manage:item_attach_report", args=[item.pk])).content.decode()

    assert "needs these approvals before it can be attached: finance, legal." in page


def test_attaching_an_unapproved_report_to_a_published_agenda_is_refused(gs):
    meeting = meeting_at(future_day(30), published=True)
    item = AgendaItemFactory(meeting=meeting)
    paper = PaperFactory()
    before = snapshot()
    response = gs.post(
        reverse("manage:item_attach_report", args=[item.pk]),
        {"paper": paper.pk, "role": "decision"},
    )
    assert response.status_code == 200
    assert any("cannot go on a published agenda" in e for e in summary_errors(response))
    assert snapshot() == before


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_in_time(gs, gs_user):
    meeting = meeting_at(future_day(30))
    item_on(meeting)
    page = gs.get(reverse("manage:meeting_publish", args=[meeting.pk])).content.decode()
    assert 'name="late_reason"' not in page
    response = gs.post(reverse("manage:meeting_publish", args=[meeting.pk]), {})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.AGENDA_PUBLISHED
    assert meeting.late_publication_reason == ""
    assert meeting.history.latest().history_user == gs_user


def test_publishing_late_asks_for_the_reason_for_urgency(gs):
    meeting = meeting_at(future_day(2))
    item_on(meeting)
    url = reverse("manage:meeting_publish", args=[meeting.pk])
    assert 'name="late_reason"' in gs.get(url).content.decode()
    before = snapshot()
    refused = gs.post(url, {"late_reason": ""})
    assert_refused(refused, services.LATE_NEEDS_REASON)
    assert snapshot() == before
    response = gs.post(url, {"late_reason": "The report was delayed by the audit"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.AGENDA_PUBLISHED
    assert meeting.late_publication_reason == "The report was delayed by the audit"


def test_a_late_error_from_the_service_brings_up_the_reason_field(gs, monkeypatch):
    """If the deadline passes between showing the page and pressing the button."""
    meeting = meeting_at(future_day(2))
    item_on(meeting)
    from types import SimpleNamespace

    from committees import rules
    from committees.views import manage as views_manage

    page_thinks_in_time = SimpleNamespace(
        is_late_publication=lambda *args: False,
        last_publication_date=rules.last_publication_date,
    )
    monkeypatch.setattr(views_manage, "rules", page_thinks_in_time)
    response = gs.post(reverse("manage:meeting_publish", args=[meeting.pk]), {})
    assert_refused(response, services.LATE_NEEDS_REASON)
    assert 'name="late_reason"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.agenda_published_at is None


def test_publishing_with_a_report_lacking_its_approvals_is_refused(gs):
    meeting = meeting_at(future_day(30))
    item = item_on(meeting)
    paper = PaperFactory(title="Information Risk Policy")
    services.attach_report(item=item, paper=paper, role="decision", actor=SCRIPT)
    before = snapshot()
    response = gs.post(reverse("manage:meeting_publish", args=[meeting.pk]), {})
    assert response.status_code == 200
    assert any(
        e.startswith("Information Risk Policy cannot go on a published agenda")
        for e in summary_errors(response)
    )
    assert snapshot() == before
    approve_fully(paper)
    assert gs.post(reverse("manage:meeting_publish", args=[meeting.pk]), {}).status_code == 302


def test_publishing_a_past_meeting_is_refused(gs):
    meeting = meeting_at(timezone.localdate() - dt.timedelta(days=3))
    item_on(meeting)
    before = snapshot()
    response = gs.post(
        reverse("manage:meeting_publish", args=[meeting.pk]), {"late_reason": "Too late"}
    )
    assert_refused(response, services.MEETING_PAST)
    assert snapshot() == before


def test_publishing_an_empty_agenda_is_refused(gs):
    meeting = meeting_at(future_day(30))
    before = snapshot()
    response = gs.post(reverse("manage:meeting_publish", args=[meeting.pk]), {})
    assert_refused(response, services.EMPTY_AGENDA)
    assert snapshot() == before


# --- The agenda pack ------------------------------------------------------------------------


def test_pack_status_refreshes_itself_while_building(gs):
    meeting = meeting_at(future_day(30))
    AgendaPack.objects.create(meeting=meeting, status=PackStatus.BUILDING, progress=40)
    html = gs.get(reverse("manage:pack_status", args=[meeting.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "40% done" in html
    assert '<progress id="pack-progress" max="100" value="40">' in html


def test_pack_status_stops_refreshing_when_ready_and_shows_failures(gs):
    meeting = meeting_at(future_day(30))
    AgendaPack.objects.create(meeting=meeting, status=PackStatus.READY, progress=100)
    html = gs.get(reverse("manage:pack_status", args=[meeting.pk])).content.decode()
    assert 'http-equiv="refresh"' not in html
    AgendaPack.objects.create(
        meeting=meeting, status=PackStatus.FAILED, error="Appendix 2 is damaged"
    )
    html = gs.get(reverse("manage:pack_status", args=[meeting.pk])).content.decode()
    assert "Appendix 2 is damaged" in html
    assert 'http-equiv="refresh"' not in html


def test_rebuilding_the_pack(gs, django_capture_on_commit_callbacks):
    meeting = meeting_at(future_day(30), published=True)
    AgendaItemFactory(meeting=meeting, title="Apologies")
    with django_capture_on_commit_callbacks(execute=True):
        response = gs.post(reverse("manage:pack_rebuild", args=[meeting.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:pack_status", args=[meeting.pk])
    pack = AgendaPack.objects.get(meeting=meeting)
    assert pack.status == PackStatus.READY, pack.error
    html = gs.get(response["Location"]).content.decode()
    assert "Ready" in html
    assert 'http-equiv="refresh"' not in html


# --- Minutes --------------------------------------------------------------------------------


def attendance_data(rows, version=1):
    data = {
        "version": version,
        "attendance-TOTAL_FORMS": len(rows),
        "attendance-INITIAL_FORMS": 0,
        "attendance-MIN_NUM_FORMS": 0,
        "attendance-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"attendance-{n}-{key}"] = value
    return data


def test_recording_attendance(gs):
    meeting = meeting_at(future_day(-1))
    duggins, crookes, blundell = PersonFactory(), PersonFactory(), PersonFactory()
    directorate = DirectorateFactory(name="Place")
    page = gs.get(reverse("manage:attendance", args=[meeting.pk]))
    assert page.status_code == 200
    response = gs.post(
        reverse("manage:attendance", args=[meeting.pk]),
        attendance_data(
            [
                {"person": duggins.pk, "status": "present", "capacity": "Cabinet Member"},
                {"person": crookes.pk, "status": "substitute", "substitute_for": blundell.pk},
                {"officer_name": "A West", "directorate": directorate.pk, "status": "present"},
                {"person": "", "officer_name": "", "status": "present"},
            ]
        ),
    )
    assert response.status_code == 302
    rows = {(a.person_id, a.officer_name): a for a in Attendance.objects.all()}
    assert len(rows) == 3
    assert rows[(crookes.pk, "")].substitute_for == blundell
    assert rows[(None, "A West")].directorate == directorate


def test_a_substitute_must_say_for_whom(gs):
    meeting = meeting_at(future_day(-1))
    crookes = PersonFactory()
    before = snapshot()
    response = gs.post(
        reverse("manage:attendance", args=[meeting.pk]),
        attendance_data([{"person": crookes.pk, "status": "substitute"}]),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert f"Person 1: {services.SUBSTITUTE_FOR_WHOM}" in summary_errors(response)
    assert snapshot() == before


def test_recording_a_declaration(gs):
    meeting = meeting_at(future_day(-1))
    item = item_on(meeting, title="Declarations of Interest")
    person = PersonFactory()
    response = gs.post(
        reverse("manage:declaration_add", args=[meeting.pk]),
        {
            "agenda_item": item.pk,
            "person": person.pk,
            "interest": "other",
            "description": "Member of the trust",
        },
    )
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert (declaration.agenda_item, declaration.person) == (item, person)


def test_writing_a_minute_with_resolutions_and_a_follow_up(gs):
    meeting = meeting_at(future_day(-1))
    item = item_on(meeting, title="Whistleblowing Policy")
    response = gs.post(
        reverse("manage:item_minute", args=[item.pk]),
        {
            "minutes_text": "The Cabinet Member considered a report.",
            "resolutions": "Approves the policy.\n\n* Asks for a report back in a year.",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.minutes_text == "The Cabinet Member considered a report."
    resolutions = list(item.resolutions.order_by("number"))
    assert [(r.number, r.text, r.requests_follow_up) for r in resolutions] == [
        (1, "Approves the policy.", False),
        (2, "Asks for a report back in a year.", True),
    ]


def test_saving_a_minute_again_keeps_closed_issues_closed(gs):
    meeting = meeting_at(future_day(-40))
    item = item_on(meeting, title="Policy")
    services.record_minute(
        item=item,
        minutes_text="Considered.",
        resolutions=[{"text": "Asks for a report back.", "requests_follow_up": True}],
        version=ANY_VERSION,
        actor=SCRIPT,
    )
    issue = item.resolutions.get()
    closing = AgendaItemFactory(meeting=meeting_at(future_day(-2)))
    services.close_outstanding_issue(resolution=issue, closed_by=closing, actor=SCRIPT)
    item.refresh_from_db()
    response = gs.post(
        reverse("manage:item_minute", args=[item.pk]),
        {
            "minutes_text": "Considered the report.",
            # As a browser sends a textarea: CRLF line ends.
            "resolutions": "* Asks for a report back.\r\n",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.closed_by == closing
    item.refresh_from_db()
    assert item.minutes_text == "Considered the report."


def test_publishing_approving_and_correcting_minutes(gs, gs_user):
    organization = OrganizationFactory()
    meeting = meeting_at(timezone.localdate() - dt.timedelta(days=30), organizations=[organization])
    later = meeting_at(timezone.localdate() - dt.timedelta(days=2), organizations=[organization])
    item = item_on(meeting, title="Policy")

    response = gs.post(
        reverse("manage:minutes_publish", args=[meeting.pk]), {"closed_at": "3:40pm"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.closed_at == dt.time(15, 40)
    assert meeting.state == MeetingState.HELD

    response = gs.post(
        reverse("manage:minutes_approve", args=[meeting.pk]), {"at_meeting": later.pk}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.MINUTES_APPROVED
    assert meeting.minutes_approved_at == later

    # Once approved, the minute cannot be changed, only corrected.
    item.refresh_from_db()
    before = snapshot()
    refused = gs.post(
        reverse("manage:item_minute", args=[item.pk]),
        {"minutes_text": "Rewritten", "resolutions": "", "version": item.version},
    )
    assert_refused(refused, policies.MINUTES_LOCKED)
    assert snapshot() == before

    response = gs.post(
        reverse("manage:minutes_correct", args=[meeting.pk]),
        {"agenda_item": item.pk, "correction": "Read 3:45 pm", "reason": "Typing error"},
    )
    assert response.status_code == 302
    correction = MinutesCorrection.objects.get()
    assert (correction.agenda_item, correction.made_by) == (item, gs_user)
    page = gs.get(reverse("manage:meeting_minutes", args=[meeting.pk])).content.decode()
    assert "Read 3:45 pm" in page


def test_approving_at_an_earlier_meeting_is_not_offered(gs):
    organization = OrganizationFactory()
    meeting = meeting_at(timezone.localdate() - dt.timedelta(days=10), organizations=[organization])
    earlier = meeting_at(timezone.localdate() - dt.timedelta(days=40), organizations=[organization])
    services.publish_minutes(meeting=meeting, closed_at=dt.time(15), actor=SCRIPT)
    before = snapshot()
    response = gs.post(
        reverse("manage:minutes_approve", args=[meeting.pk]), {"at_meeting": earlier.pk}
    )
    assert_refused(response, "Select the meeting")
    assert snapshot() == before


def test_approving_unpublished_minutes_is_refused(gs):
    organization = OrganizationFactory()
    meeting = meeting_at(timezone.localdate() - dt.timedelta(days=30), organizations=[organization])
    later = meeting_at(timezone.localdate() - dt.timedelta(days=2), organizations=[organization])
    before = snapshot()
    response = gs.post(
        reverse("manage:minutes_approve", args=[meeting.pk]), {"at_meeting": later.pk}
    )
    assert_refused(response, services.MINUTES_NOT_PUBLISHED)
    assert snapshot() == before


def test_closing_an_outstanding_issue(gs):
    organization = OrganizationFactory()
    july = meeting_at(timezone.localdate() - dt.timedelta(days=200), organizations=[organization])
    april = meeting_at(timezone.localdate() - dt.timedelta(days=10), organizations=[organization])
    issue = ResolutionFactory(
        agenda_item=AgendaItemFactory(meeting=july),
        text="Asks for a report back",
        requests_follow_up=True,
    )
    closing = AgendaItemFactory(meeting=april, title="Outstanding Issues")
    listing = gs.get(reverse("manage:outstanding_issues")).content.decode()
    assert "Asks for a report back" in listing
    response = gs.post(reverse("manage:issue_close", args=[issue.pk]), {"closed_by": closing.pk})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.closed_by == closing
    assert (
        "Asks for a report back"
        not in gs.get(reverse("manage:outstanding_issues")).content.decode()
    )


# --- Reports --------------------------------------------------------------------------------


def test_uploading_a_pdf_to_a_report(gs):
    paper = PaperFactory()
    upload = SimpleUploadedFile("report.pdf", minimal_pdf("Whistleblowing"), "application/pdf")
    response = gs.post(
        reverse("manage:report_upload", args=[paper.pk]),
        {"kind": "report", "title": "Whistleblowing Policy report", "file": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.paper, document.kind, document.page_count) == (paper, "report", 1)
    page = gs.get(reverse("manage:report", args=[paper.pk])).content.decode()
    assert "Whistleblowing Policy report" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just some text", documents.WRONG_TYPE),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", documents.DAMAGED),
        ("empty.pdf", b"", documents.EMPTY),
    ],
)
def test_a_bad_upload_is_refused_and_stores_nothing(gs, name, content, message):
    paper = PaperFactory()
    before = snapshot()
    response = gs.post(
        reverse("manage:report_upload", args=[paper.pk]),
        {"kind": "report", "title": "A file", "file": SimpleUploadedFile(name, content)},
    )
    assert_refused(response, message)
    assert snapshot() == before


def test_an_upload_without_a_file_is_refused(gs):
    paper = PaperFactory()
    before = snapshot()
    response = gs.post(
        reverse("manage:report_upload", args=[paper.pk]), {"kind": "report", "title": "A file"}
    )
    assert_refused(response, documents.NO_FILE)
    assert snapshot() == before


def test_adding_to_the_sign_off_table(gs):
    paper = PaperFactory()
    response = gs.post(
        reverse("manage:report_sign_off", args=[paper.pk]),
        {
            "kind": "approver",
            "category": "finance",
            "name": "Paul Jennings",
            "title": "Finance Manager",
            **date_fields(dt.date(2017, 3, 9), "sent_on"),
            **date_fields(dt.date(2017, 3, 10), "approved_on"),
        },
    )
    assert response.status_code == 302
    sign_off = SignOff.objects.get()
    assert (sign_off.name, sign_off.approved_on) == ("Paul Jennings", dt.date(2017, 3, 10))
    assert "Paul Jennings" in gs.get(reverse("manage:report", args=[paper.pk])).content.decode()


def test_a_sign_off_approved_before_it_was_sent_is_refused(gs):
    paper = PaperFactory()
    before = snapshot()
    response = gs.post(
        reverse("manage:report_sign_off", args=[paper.pk]),
        {
            "kind": "approver",
            "name": "Paul Jennings",
            **date_fields(dt.date(2017, 3, 10), "sent_on"),
            **date_fields(dt.date(2017, 3, 9), "approved_on"),
        },
    )
    assert_refused(response, services.APPROVED_BEFORE_SENT)
    assert snapshot() == before


needs_paper_services = pytest.mark.skipif(
    not hasattr(services, "create_paper") or not hasattr(services, "update_paper"),
    reason="committees.services has no create_paper/update_paper yet",
)


def paper_data(**overrides):
    data = {
        "reference": "CMPL-2017-04-13-1",
        "title": "Whistleblowing Policy",
        "paper_type": "Report",
        **date_fields(dt.date(2017, 4, 13)),
        "author_name": "Adrian West",
        "visibility": "public",
    }
    data.update(overrides)
    return data


@needs_paper_services
def test_creating_and_editing_a_report(gs):
    response = gs.post(reverse("manage:report_create"), paper_data())
    assert response.status_code == 302
    paper = Paper.objects.get()
    assert (paper.title, paper.date) == ("Whistleblowing Policy", dt.date(2017, 4, 13))
    response = gs.post(
        reverse("manage:report_edit", args=[paper.pk]),
        paper_data(title="Whistleblowing Policy 2017", version=paper.version),
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.title == "Whistleblowing Policy 2017"


@needs_paper_services
def test_editing_a_stale_copy_of_a_report_saves_nothing(gs):
    paper = PaperFactory()
    Paper.objects.filter(pk=paper.pk).update(version=5)
    before = snapshot()
    response = gs.post(
        reverse("manage:report_edit", args=[paper.pk]), paper_data(title="Mine", version=1)
    )
    assert_refused(response, STALE)
    assert snapshot() == before


@needs_paper_services
def test_a_private_report_without_a_paragraph_is_refused(gs):
    before = snapshot()
    response = gs.post(reverse("manage:report_create"), paper_data(visibility="private"))
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert any("Schedule 12A" in e for e in summary_errors(response)), summary_errors(response)
    assert snapshot() == before


def test_a_report_with_an_impossible_date_is_refused(gs):
    before = snapshot()
    response = gs.post(
        reverse("manage:report_create"),
        paper_data(date_0="30", date_1="2", date_2="2017"),
    )
    assert_refused(response, kit_forms.REAL_DATE)
    assert snapshot() == before


# --- Decisions ------------------------------------------------------------------------------


def test_recording_an_officer_decision(gs):
    response = gs.post(
        reverse("manage:decision_create"),
        {
            "title": "Award of the cleaning contract",
            "officer_name": "Barry Hastie",
            "officer_title": "Director of Finance",
            **date_fields(dt.date(2017, 4, 13)),
            "decision": "Awarded the contract to the best bidder.",
            "reasons": "Best value.",
            "alternatives_rejected": "Re-tendering: too slow.",
            "conflicts_of_interest": "None",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.kind, decision.officer_name) == ("officer", "Barry Hastie")
    assert decision.alternatives_rejected == "Re-tendering: too slow."


def test_a_key_officer_decision_off_the_forward_plan_needs_an_exception(gs):
    before = snapshot()
    response = gs.post(
        reverse("manage:decision_create"),
        {
            "title": "A key decision",
            "officer_name": "Barry Hastie",
            **date_fields(dt.date(2017, 4, 13)),
            "decision": "Decided.",
            "reasons": "Reasons.",
            "alternatives_rejected": "None",
            "is_key": "on",
        },
    )
    assert_refused(response, services.KEY_DECISION_NOTICE)
    assert snapshot() == before


def test_adding_a_forward_plan_entry(gs):
    organization = OrganizationFactory()
    response = gs.post(
        reverse("manage:forward_plan_create"),
        {
            "title": "Library strategy",
            "decision_maker": organization.pk,
            **date_fields(future_day(60), "expected_date"),
        },
    )
    assert response.status_code == 302
    entry = ForwardPlanEntry.objects.get()
    assert entry.first_published_on == timezone.localdate()
    assert "Library strategy" in gs.get(reverse("manage:decisions")).content.decode()


# --- History --------------------------------------------------------------------------------


def test_history_pages_show_who_changed_what(gs, gs_user):
    meeting = meeting_at(future_day(30))
    add_item(gs, meeting, title="First title")
    item = AgendaItem.objects.get()
    gs.post(
        reverse("manage:item_edit", args=[item.pk]),
        {"title": "Second title", "visibility": "public", "version": item.version},
    )
    html = gs.get(reverse("manage:item_history", args=[item.pk])).content.decode()
    assert "Created" in html
    assert "“First title” to “Second title”" in html
    assert gs_user.full_name in html
    paper = PaperFactory()
    assert "Created" in gs.get(reverse("manage:report_history", args=[paper.pk])).content.decode()
    assert (
        "Created" in gs.get(reverse("manage:meeting_history", args=[meeting.pk])).content.decode()
    )


# --- Query counts ---------------------------------------------------------------------------


def _agenda_with(meeting, n):
    for number in range(1, n + 1):
        item = AgendaItemFactory(meeting=meeting, position=number, number=str(number))
        ConsultationFactory(agenda_item=item)
        if number % 5 == 0:
            AgendaItemFactory(meeting=meeting, parent=item, position=1, number="a)")
    return meeting


@pytest.mark.parametrize("size", [1, 50])
def test_the_meeting_page_costs_a_fixed_number_of_queries(gs, size, django_assert_num_queries):
    earlier = meeting_at(future_day(-30))
    meeting = _agenda_with(meeting_at(future_day(30)), size)
    AgendaItem.objects.filter(meeting=meeting).update(minutes_of=earlier)
    AgendaPack.objects.create(meeting=meeting, status=PackStatus.BUILDING, progress=10)
    url = reverse("manage:meeting", args=[meeting.pk])
    gs.get(url)  # the session's first request may touch more
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        gs.get(url)


@pytest.mark.parametrize("size", [1, 50])
def test_the_meetings_list_costs_a_fixed_number_of_queries(gs, size, django_assert_num_queries):
    for n in range(size):
        meeting_at(future_day(10 + n))
        meeting_at(timezone.localdate() - dt.timedelta(days=1 + n % 80))
    url = reverse("manage:meetings")
    gs.get(url)
    with django_assert_num_queries(MEETINGS_LIST_QUERIES):
        gs.get(url)


@pytest.mark.parametrize("size", [1, 50])
def test_the_minutes_page_costs_a_fixed_number_of_queries(gs, size, django_assert_num_queries):
    meeting = meeting_at(future_day(-1))
    for n in range(1, size + 1):
        item = AgendaItemFactory(meeting=meeting, position=n, number=str(n))
        ResolutionFactory(agenda_item=item)
        Declaration.objects.create(
            agenda_item=item, person=PersonFactory(), interest="other", description="x"
        )
        Attendance.objects.create(
            meeting=meeting, person=PersonFactory(), status=AttendanceStatus.PRESENT
        )
    url = reverse("manage:meeting_minutes", args=[meeting.pk])
    gs.get(url)
    with django_assert_num_queries(MINUTES_PAGE_QUERIES):
        gs.get(url)


@pytest.mark.parametrize("size", [1, 50])
def test_the_attendance_form_costs_a_fixed_number_of_queries(gs, size, django_assert_num_queries):
    meeting = meeting_at(future_day(-1))
    for _ in range(size):
        Attendance.objects.create(
            meeting=meeting, person=PersonFactory(), status=AttendanceStatus.PRESENT
        )
    url = reverse("manage:attendance", args=[meeting.pk])
    gs.get(url)
    with django_assert_num_queries(ATTENDANCE_PAGE_QUERIES):
        gs.get(url)


@pytest.mark.parametrize("size", [1, 50])
def test_the_report_page_costs_a_fixed_number_of_queries(gs, size, django_assert_num_queries):
    paper = approve_fully(PaperFactory())
    for n in range(size):
        ConsultationFactory(
            paper=paper, agenda_item=AgendaItemFactory(meeting=meeting_at(future_day(n + 1)))
        )
        Document.objects.create(
            paper=paper,
            kind="appendix",
            title=f"Appendix {n}",
            file="documents/x.pdf",
            original_name="x.pdf",
            mime_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
    url = reverse("manage:report", args=[paper.pk])
    gs.get(url)
    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        gs.get(url)


# Three queries are the request's own: the session, the user and their roles (the session is
# saved at most once a minute, not here). The rest are the page's reads, listed in
# committees/queries_manage.py.
MEETING_PAGE_QUERIES = 3 + 6  # meeting, its decision makers, items, reports, minutes-of, pack
MEETINGS_LIST_QUERIES = 3 + 3  # count, upcoming, recent (decision makers' names in each)
MINUTES_PAGE_QUERIES = 3 + 8  # meeting, decision makers, attendance, items, resolutions,
# declarations, recorded votes, corrections
ATTENDANCE_PAGE_QUERIES = 3 + 5  # meeting, decision makers, people, directorates, attendance
REPORT_PAGE_QUERIES = 3 + 5  # paper, files, sign-offs, consultations, their decision makers


def test_a_sub_item_is_named_with_its_parents_number_wherever_the_clerk_meets_it(gs):
    # The minutes page, the correction's choices and the closing of an issue said "b)" alone.
    organization = OrganizationFactory()
    meeting = meeting_at(timezone.localdate() - dt.timedelta(days=30), organizations=[organization])
    later = meeting_at(timezone.localdate() - dt.timedelta(days=2), organizations=[organization])
    parent = AgendaItemFactory(meeting=meeting, position=2, number="2", title="Minutes")
    arising = AgendaItemFactory(
        meeting=meeting, parent=parent, position=2, number="b)", title="Matters Arising"
    )
    ResolutionFactory(agenda_item=arising, text="Report back", requests_follow_up=True)
    AgendaItemFactory(
        meeting=later,
        parent=AgendaItemFactory(meeting=later, number="4"),
        number="a)",
        title="Progress on matters arising",
    )

    minutes = text_of(gs.get(reverse("manage:meeting_minutes", args=[meeting.pk])))
    correction = text_of(gs.get(reverse("manage:minutes_correct", args=[meeting.pk])))
    issue = arising.resolutions.get()
    closing = text_of(gs.get(reverse("manage:issue_close", args=[issue.pk])))

    assert "2b) Matters Arising" in minutes
    assert "2b) Matters Arising" in correction
    assert "Item 2b): Matters Arising" in closing
    assert "4a) Progress on matters arising" in closing
