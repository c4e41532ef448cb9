"""Recorded votes at an item's minute, and the times members arrived late or left early: the
services' rules (each refusal with its code, changing nothing), Governance Services' pages
(GOV.UK errors for the wrong, the missing, the oversized and the hostile) and the minutes
that show them, to the public only where the minute is open."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from committees import services
from committees.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingState,
    Vote,
    VoteChoice,
)
from committees.services import SCRIPT
from organisation.roles import Role
from portal_kit.forms import REAL_TIME
from tests.committees.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    PrivateAgendaItemFactory,
)
from tests.committees.test_manage_views import assert_refused, attendance_data, summary_errors
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def gs(client):
    return sign_in(client, UserFactory(roles=[Role.GOVERNANCE_SERVICES]))


def held_meeting(*, published_minutes=False, closed_at=None) -> Meeting:
    """A meeting held yesterday at 2pm, London time."""
    day = timezone.localdate() - dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    meeting = MeetingFactory(start=start, end=start + dt.timedelta(hours=2), published=True)
    if published_minutes:
        meeting.minutes_published_at = timezone.now()
        meeting.state = MeetingState.HELD
    meeting.closed_at = closed_at
    meeting.save()
    return meeting


def present(meeting, *people, status=AttendanceStatus.PRESENT):
    for person in people:
        substitute_for = PersonFactory() if status == AttendanceStatus.SUBSTITUTE else None
        Attendance.objects.create(
            meeting=meeting, person=person, status=status, substitute_for=substitute_for
        )


def snapshot():
    return (
        Vote.objects.count(),
        Vote.history.count(),
        list(Attendance.objects.order_by("pk").values_list("pk", "arrived_at", "left_at")),
        list(AgendaItem.objects.order_by("pk").values_list("pk", "version", "minutes_text")),
        list(Meeting.objects.order_by("pk").values_list("pk", "version")),
    )


def minute(item, *, votes, text="Considered.", version=None):
    return services.record_minute(
        item=item,
        minutes_text=text,
        votes=votes,
        version=item.version if version is None else version,
        actor=SCRIPT,
    )


# --- Recorded votes: the service -----------------------------------------------------------------


class TestRecordingVotes:
    def test_each_member_present_is_recorded_with_their_vote(self):
        meeting = held_meeting()
        a, b, c = PersonFactory(), PersonFactory(), PersonFactory()
        present(meeting, a, b)
        present(meeting, c, status=AttendanceStatus.SUBSTITUTE)
        item = AgendaItemFactory(meeting=meeting)

        minute(item, votes={a.pk: "for", b.pk: "against", c.pk: "abstained"})

        assert dict(item.votes.values_list("person_id", "choice")) == {
            a.pk: VoteChoice.FOR,
            b.pk: VoteChoice.AGAINST,
            c.pk: VoteChoice.ABSTAINED,
        }
        item.refresh_from_db()
        minute(item, votes={a.pk: "for"})  # changed: b and c's votes are no longer recorded
        assert dict(item.votes.values_list("person_id", "choice")) == {a.pk: "for"}
        item.refresh_from_db()
        minute(item, votes={})
        assert not item.votes.exists()

    def test_votes_left_out_are_left_as_recorded(self):
        meeting = held_meeting()
        a = PersonFactory()
        present(meeting, a)
        item = AgendaItemFactory(meeting=meeting)
        minute(item, votes={a.pk: "for"})
        item.refresh_from_db()
        minute(item, votes=None, text="Reworded.")
        assert dict(item.votes.values_list("person_id", "choice")) == {a.pk: "for"}

    @pytest.mark.parametrize(
        "status",
        [AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT, AttendanceStatus.IN_ATTENDANCE],
    )
    def test_anyone_not_a_member_present_is_refused_and_nothing_changes(self, status):
        meeting = held_meeting()
        member, other = PersonFactory(), PersonFactory(given_name="Outsider")
        present(meeting, member)
        present(meeting, other, status=status)
        item = AgendaItemFactory(meeting=meeting)
        before = snapshot()
        with pytest.raises(ValidationError) as refused:
            minute(item, votes={member.pk: "for", other.pk: "against"})
        error = refused.value.error_dict["votes"][0]
        assert error.code == "not_present"
        assert other.name in error.messages[0]
        assert snapshot() == before

    def test_someone_not_at_the_meeting_at_all_is_refused(self):
        meeting = held_meeting()
        elsewhere = held_meeting()
        stranger = PersonFactory()
        present(elsewhere, stranger)
        item = AgendaItemFactory(meeting=meeting)
        with pytest.raises(ValidationError) as refused:
            minute(item, votes={stranger.pk: "for"})
        assert refused.value.error_dict["votes"][0].code == "not_present"
        with pytest.raises(ValidationError) as refused:
            minute(item, votes={2**62: "for"})  # nobody at all
        assert refused.value.error_dict["votes"][0].code == "not_present"
        assert not Vote.objects.exists()

    @pytest.mark.parametrize("choice", ["maybe", "FOR", "", "<script>"])
    def test_a_vote_other_than_for_against_or_abstained_is_refused(self, choice):
        meeting = held_meeting()
        member = PersonFactory()
        present(meeting, member)
        item = AgendaItemFactory(meeting=meeting)
        with pytest.raises(ValidationError) as refused:
            minute(item, votes={member.pk: choice})
        assert refused.value.error_dict["votes"][0].code == "bad_vote"
        assert not Vote.objects.exists()

    def test_votes_on_locked_minutes_are_refused(self):
        meeting = held_meeting()
        member = PersonFactory()
        present(meeting, member)
        item = AgendaItemFactory(meeting=meeting)
        Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.MINUTES_APPROVED)
        with pytest.raises(ValidationError) as refused:
            minute(item, votes={member.pk: "for"})
        assert refused.value.code == "locked"
        assert not Vote.objects.exists()


# --- Recorded votes: the clerk's page ---------------------------------------------------------


def test_the_minute_page_offers_the_members_present_and_records_their_votes(gs):
    meeting = held_meeting()
    a = PersonFactory(given_name="Ann", family_name="Lucas")
    b = PersonFactory(given_name="Bob", family_name="Crookes")
    absent = PersonFactory(given_name="Cat", family_name="Absent")
    present(meeting, a, b)
    present(meeting, absent, status=AttendanceStatus.APOLOGIES)
    item = AgendaItemFactory(meeting=meeting)
    url = reverse("manage:item_minute", args=[item.pk])

    page = gs.get(url).content.decode()
    assert "Recorded vote" in page
    assert f'name="vote_{a.pk}"' in page and f'name="vote_{b.pk}"' in page
    assert f'name="vote_{absent.pk}"' not in page
    assert "No vote recorded" in page

    response = gs.post(
        url,
        {"minutes_text": "Voted.", "resolutions": "", "version": item.version}
        | {f"vote_{a.pk}": "for", f"vote_{b.pk}": "against"},
    )
    assert response.status_code == 302
    assert dict(item.votes.values_list("person_id", "choice")) == {a.pk: "for", b.pk: "against"}
    # Opened again, the page shows the votes as recorded.
    page = gs.get(url).content.decode()
    assert re.search(rf'name="vote_{a.pk}"[^>]*value="for"[^>]*checked', page)

    minutes = text_of(gs.get(reverse("manage:meeting_minutes", args=[meeting.pk])))
    assert "Recorded vote" in minutes
    assert "For 1 Councillor A Lucas" in minutes
    assert "Against 1 Councillor B Crookes" in minutes
    assert "Abstained 0 None" in minutes


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("maybe", "Select how they voted"),  # wrong
        ("x" * 10_000, "Select how they voted"),  # oversized
        ("<script>alert(1)</script>", "Select how they voted"),  # hostile
    ],
)
def test_a_wrong_vote_gets_a_govuk_error_and_changes_nothing(gs, posted, message):
    meeting = held_meeting()
    member = PersonFactory()
    present(meeting, member)
    item = AgendaItemFactory(meeting=meeting)
    before = snapshot()
    response = gs.post(
        reverse("manage:item_minute", args=[item.pk]),
        {
            "minutes_text": "x",
            "resolutions": "",
            "version": item.version,
            f"vote_{member.pk}": posted,
        },
    )
    assert_refused(response, message)
    assert "<script>alert(1)" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("who", ["absent", "unknown", "huge"])
def test_a_vote_posted_for_someone_not_present_is_refused_on_the_page(gs, who):
    """A vote for someone not offered (their attendance changed after the page was opened,
    or a made-up number): the service's refusal, in the error summary."""
    meeting = held_meeting()
    member, gone = PersonFactory(), PersonFactory()
    present(meeting, member)
    present(meeting, gone, status=AttendanceStatus.ABSENT)
    item = AgendaItemFactory(meeting=meeting)
    pk = {"absent": str(gone.pk), "unknown": "987654321", "huge": "9" * 40}[who]
    before = snapshot()
    response = gs.post(
        reverse("manage:item_minute", args=[item.pk]),
        {"minutes_text": "x", "resolutions": "", "version": item.version}
        | {f"vote_{member.pk}": "for", f"vote_{pk}": "against"},
    )
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert any(
        m.startswith("Only members present at the meeting") for m in summary_errors(response)
    )
    assert snapshot() == before


# --- Recorded votes: the public minutes -------------------------------------------------------


def test_the_public_minutes_show_a_recorded_vote_with_totals_only_where_the_minute_is_open(client):
    meeting = held_meeting(published_minutes=True)
    a = PersonFactory(given_name="Ann", family_name="Lucas")
    b = PersonFactory(given_name="Bob", family_name="Crookes")
    c = PersonFactory(given_name="Cat", family_name="Bigham")
    present(meeting, a, b, c)
    public = AgendaItemFactory(meeting=meeting, position=1, number="1", title="Budget")
    private = PrivateAgendaItemFactory(meeting=meeting, position=2, number="2", title="Land sale")
    minute(public, votes={a.pk: "for", c.pk: "for", b.pk: "against"})
    minute(private, votes={a.pk: "against", b.pk: "against", c.pk: "against"})

    html = client.get(reverse("committees:meeting", args=[meeting.pk])).content.decode()
    page = text_of(client.get(reverse("committees:meeting", args=[meeting.pk])))
    assert "Recorded vote on item 1" in page
    assert "For 2 Councillor C Bigham, Councillor A Lucas" in page
    assert "Against 1 Councillor B Crookes" in page
    assert "Abstained 0 None" in page
    assert 'class="govuk-table app-recorded-vote"' in html
    # The private item's vote (3 against) is not shown: its minute is not open to the public.
    assert "Recorded vote on item 2" not in page
    assert "Against 3" not in page


def test_a_recorded_vote_in_unpublished_minutes_is_not_shown(client):
    meeting = held_meeting()
    member = PersonFactory()
    present(meeting, member)
    item = AgendaItemFactory(meeting=meeting)
    minute(item, votes={member.pk: "for"})
    page = text_of(client.get(reverse("committees:meeting", args=[meeting.pk])))
    assert "Recorded vote" not in page


@pytest.mark.parametrize("n", [1, 30])
def test_the_meeting_page_with_recorded_votes_costs_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    meeting = held_meeting(published_minutes=True)
    people = [PersonFactory() for _ in range(n)]
    present(meeting, *people)
    for position in range(1, 4):
        item = AgendaItemFactory(meeting=meeting, position=position, number=str(position))
        minute(item, votes={p.pk: "for" for p in people})
    url = reverse("committees:meeting", args=[meeting.pk])
    with django_assert_num_queries(11):  # the votes of every item in one
        assert client.get(url).status_code == 200


# --- Arrival and departure times -------------------------------------------------------------


def attend(meeting, person, *, status=AttendanceStatus.PRESENT, **times):
    return services.record_attendance(
        meeting=meeting,
        entries=[{"person": person, "status": status, **times}],
        version=meeting.version,
        actor=SCRIPT,
    )


class TestArrivalAndDepartureTimes:
    def test_times_are_recorded_for_someone_who_attended(self):
        meeting = held_meeting(closed_at=dt.time(16, 30))
        person = PersonFactory()
        [row] = attend(meeting, person, arrived_at=dt.time(14, 35), left_at=dt.time(15, 10))
        row.refresh_from_db()
        assert (row.arrived_at, row.left_at) == (dt.time(14, 35), dt.time(15, 10))

    @pytest.mark.parametrize(
        ("times", "field", "code"),
        [
            (
                {"arrived_at": dt.time(15), "left_at": dt.time(14, 30)},
                "left_at",
                "left_before_arrived",
            ),
            ({"arrived_at": dt.time(15), "left_at": dt.time(15)}, "left_at", "left_before_arrived"),
            ({"arrived_at": dt.time(13, 55)}, "arrived_at", "before_start"),
            ({"arrived_at": dt.time(14)}, "arrived_at", "before_start"),
            ({"left_at": dt.time(9)}, "left_at", "before_start"),
            ({"arrived_at": dt.time(16, 45)}, "arrived_at", "after_close"),
            ({"left_at": dt.time(23, 59)}, "left_at", "after_close"),
        ],
    )
    def test_times_outside_the_meeting_or_out_of_order_are_refused(self, times, field, code):
        meeting = held_meeting(closed_at=dt.time(16, 30))
        before = snapshot()
        with pytest.raises(ValidationError) as refused:
            attend(meeting, PersonFactory(), **times)
        assert refused.value.error_dict[field][0].code == code
        assert snapshot() == before

    @pytest.mark.parametrize("status", [AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT])
    def test_times_for_someone_who_did_not_attend_are_refused(self, status):
        meeting = held_meeting()
        with pytest.raises(ValidationError) as refused:
            attend(meeting, PersonFactory(), status=status, arrived_at=dt.time(15))
        assert refused.value.error_dict["arrived_at"][0].code == "times_not_attended"
        assert not Attendance.objects.exists()

    def test_the_database_refuses_leaving_before_arriving_too(self):
        from django.db import IntegrityError, transaction

        meeting = held_meeting()
        with pytest.raises(IntegrityError), transaction.atomic():
            Attendance.objects.create(
                meeting=meeting,
                person=PersonFactory(),
                status=AttendanceStatus.PRESENT,
                arrived_at=dt.time(15),
                left_at=dt.time(14, 30),
            )


def test_the_attendance_form_records_times_and_the_minutes_show_them(gs, client):
    meeting = held_meeting(published_minutes=True)
    late = PersonFactory(given_name="Ann", family_name="Lucas")
    early = PersonFactory(given_name="Bob", family_name="Crookes")
    url = reverse("manage:attendance", args=[meeting.pk])
    page = gs.get(url).content.decode()
    assert "Arrived at (optional)" in page and "Left at (optional)" in page
    response = gs.post(
        url,
        attendance_data(
            [
                {"person": late.pk, "status": "present", "arrived_at": "2:35pm"},
                {"person": early.pk, "status": "present", "left_at": "15:10"},
            ],
            version=meeting.version,
        ),
    )
    assert response.status_code == 302
    rows = {a.person_id: a for a in Attendance.objects.all()}
    assert rows[late.pk].arrived_at == dt.time(14, 35)
    assert rows[early.pk].left_at == dt.time(15, 10)

    public = text_of(client.get(reverse("committees:meeting", args=[meeting.pk])))
    assert "Councillor A Lucas (arrived at 2:35 pm)" in public
    assert "Councillor B Crookes (left at 3:10 pm)" in public
    clerk = text_of(gs.get(reverse("manage:meeting_minutes", args=[meeting.pk])))
    assert "Present (arrived at 2:35 pm)" in clerk
    assert "Present (left at 3:10 pm)" in clerk
    # The form opened again shows the times recorded.
    page = gs.get(url).content.decode()
    assert 'value="14:35"' in page and 'value="15:10"' in page


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"arrived_at": "3pm", "left_at": "2:30pm"}, services.LEFT_BEFORE_ARRIVED),  # wrong
        (
            {"arrived_at": "1pm"},
            "The time they arrived must be after the meeting started at 2:00 pm",
        ),
        ({"arrived_at": "25:99"}, REAL_TIME),  # not a time
        ({"left_at": "1" * 500}, REAL_TIME),  # oversized
        ({"arrived_at": "<script>alert(1)</script>"}, REAL_TIME),  # hostile
        ({"status": "apologies", "arrived_at": "3pm"}, services.TIMES_ONLY_IF_THERE),
    ],
)
def test_wrong_times_get_a_govuk_error_on_their_row_and_change_nothing(gs, row, message):
    meeting = held_meeting()
    person = PersonFactory()
    before = snapshot()
    response = gs.post(
        reverse("manage:attendance", args=[meeting.pk]),
        attendance_data(
            [{"person": person.pk, "status": "present"} | row], version=meeting.version
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    assert f"Person 1: {message}" in summary_errors(response)
    assert 'class="govuk-error-message"' in html  # beside the field too
    assert "<script>alert(1)" not in html
    assert snapshot() == before
