"""The annual report to the Audit and Procurement Committee (policy 29): what it counts, how
small numbers are hidden wherever they could be worked out, that its PDF names nobody and
says no word of a concern but the lessons learned, and that it reaches a chosen meeting's
agenda through the committees app's services, as a real report with its file."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from committees.models import AgendaItem, Consultation, DocumentKind, Paper
from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.committees.factories import MeetingFactory, OrganizationFactory
from tests.conftest import sign_in
from tests.factories import UserFactory
from whistleblowing import queries, report_pdf, rules, services
from whistleblowing.models import CaseOpening, OpeningKind, Outcome

pytestmark = pytest.mark.django_db

YEAR = dt.date(2016, 4, 1)  # 2016/17
AFTER = dt.date(2017, 5, 2)
SECRET_WORDS = [
    "Whitley depot",
    "petty cash tin",
    "Sam Patel",
    "sam.patel@example.org",
    "FINDINGS-KEPT-INSIDE",
    "CLOSING-MESSAGE-KEPT-INSIDE",
    "ACKNOWLEDGEMENT-SUMMARY",
    "Ann Investigator",
    "Helen Monitoring",
]
LESSON = "Cash boxes need two keyholders"
MONTHS = "|".join(dt.date(2017, m, 1).strftime("%B") for m in range(1, 13))


def at(y, m, d, h=10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


def answers(ground="criminal_offence", **changes) -> services.Answers:
    return services.Answers(
        **{
            "ground": ground,
            "what_happened": "Money goes missing from the petty cash tin",
            "where": "Whitley depot",
            "who": "Sam Patel's supervisor",
            "public_interest": True,
            "reporter_kind": "permanent",
            "anonymous": False,
            "name": "Sam Patel",
            "contact": "sam.patel@example.org",
            "under_policy": True,
            **changes,
        }
    )


@pytest.fixture
def officer():
    return UserFactory(roles=[Role.MONITORING_OFFICER], full_name="Helen Monitoring")


def raised(when, *, ground="criminal_offence", acknowledged_after=None, officer=None, **changes):
    concern = services.raise_concern(answers=answers(ground, **changes), now=when).concern
    if acknowledged_after is not None:
        concern = services.acknowledge(
            concern=concern,
            summary="ACKNOWLEDGEMENT-SUMMARY",
            version=ANY_VERSION,
            actor=officer,
            now=when + dt.timedelta(days=acknowledged_after),
        )
    return concern


def closed(concern, when, officer, *, outcome=Outcome.SUBSTANTIATED, lessons=LESSON):
    return services.close(
        concern=concern,
        outcome=outcome,
        findings="FINDINGS-KEPT-INSIDE",
        lessons=lessons,
        closing_message="CLOSING-MESSAGE-KEPT-INSIDE",
        version=ANY_VERSION,
        actor=officer,
        now=when,
    )


def rows(table) -> dict[str, str]:
    return {row.label: row.shown for row in table.rows} | {"Total": table.total.shown}


def table(report, caption_start):
    tables = [*report.received_tables, report.acknowledgement_table, report.outcome_table]
    return rows(next(t for t in tables if t.caption.startswith(caption_start)))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- The rules of small numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ([6, 7, 0], ["6", "7", "0"]),
        ([38, 2], ["5 or more", "fewer than 5"]),
        ([20, 3, 0, 0], ["5 or more", "fewer than 5", "0", "0"]),
        # Two hidden counts adding up to 5 or more give neither away: nothing more is hidden.
        ([20, 3, 2], ["20", "fewer than 5", "fewer than 5"]),
        # Hidden counts adding up to 4: the smallest count shown is hidden too.
        ([20, 9, 3, 1], ["20", "5 or more", "fewer than 5", "fewer than 5"]),
        # The total is itself fewer than 5: it is shown so, and nothing can be worked out.
        ([1, 2, 0], ["fewer than 5", "fewer than 5", "0"]),
        ([0, 0], ["0", "0"]),
    ],
)
def test_a_breakdown_hides_small_counts_and_what_would_give_them_away(counts, shown):
    assert rules.shown_breakdown(counts) == shown


def test_a_median_of_fewer_than_5_concerns_is_not_shown():
    assert rules.shown_median(3.0, 4) == "not shown (taken over fewer than 5 concerns)"
    assert rules.shown_median(3.0, 5) == "3 days"
    assert rules.shown_median(1.0, 9) == "1 day"
    assert rules.shown_median(3.5, 6) == "3.5 days"
    assert rules.shown_median(None, 0) == "none"


# --- What it counts ---------------------------------------------------------------------------


def test_the_year_is_counted_by_ground_quarter_status_and_outcome(officer):
    # Outside the year: the March before and the April after.
    raised(at(2016, 3, 31, 12), acknowledged_after=1, officer=officer)
    raised(at(2017, 4, 1, 12))
    # April to June: 6 criminal offences, acknowledged in 3 days (on time).
    early = [raised(at(2016, 5, d), acknowledged_after=3, officer=officer) for d in range(2, 8)]
    # October: 5 dangers to health and safety, acknowledged after 10 days (late).
    late = [
        raised(at(2016, 10, d), ground="health_and_safety", acknowledged_after=10, officer=officer)
        for d in range(3, 8)
    ]
    # January: 5 frauds, not acknowledged.
    for d in range(9, 14):
        raised(at(2017, 1, d), ground="fraud")
    # Concluded in the year: 5 (4 substantiated, 1 not), after 20 to 24 days.
    for n, concern in enumerate(early[:5]):
        outcome = Outcome.NOT_SUBSTANTIATED if n == 4 else Outcome.SUBSTANTIATED
        closed(concern, at(2016, 5, 22 + n), officer, outcome=outcome, lessons=f"Lesson {n % 3}")
    # Closed after the year ended: not concluded in it.
    closed(late[0], at(2017, 4, 20), officer)

    report = queries.annual_report(YEAR, today=AFTER)

    assert report.complete and report.title == "Whistleblowing Annual Report 2016/17"
    assert report.received == "16"
    assert table(report, "Concerns received, by what")["A criminal offence"] == "6"
    assert table(report, "Concerns received, by what")["Danger to health and safety"] == "5"
    assert table(report, "Concerns received, by what")["Fraud or financial irregularity"] == "5"
    assert table(report, "Concerns received, by what")["Total"] == "16"
    assert table(report, "Concerns received, by quarter") == {
        "April to June": "6",
        "July to September": "0",
        "October to December": "5",
        "January to March": "5",
        "Total": "16",
    }
    assert table(report, "Concerns received, by who") == {
        "Monitoring Officer": "11",
        "Chief Internal Auditor": "5",
        "Total": "16",
    }
    assert table(report, "Concerns received, named") == {
        "Named": "16",
        "Anonymous": "0",
        "Total": "16",
    }
    # Where they stand now: of the early ones 5 closed and 1 acknowledged; of the late ones
    # 4 acknowledged and 1 closed (after the year); the frauds received.
    assert table(report, "Concerns received, where") == {
        "Received": "5",
        "Acknowledged": "5",
        "Under investigation": "0",
        "Referred": "0",
        "Closed": "6",
        "Total": "16",
    }
    assert table(report, "Written acknowledgements") == {
        "Acknowledged within 7 days": "6",
        "Acknowledged after 7 days": "5",
        "Not yet acknowledged": "5",
        "Total": "16",
    }
    assert report.acknowledged_on_time == "6"
    assert report.median_days_to_acknowledge == "3 days"  # 3,3,3,3,3,3,10,10,10,10,10
    assert report.concluded == "5"
    assert report.median_days_to_close == "20 days"  # each received May 2+n, closed May 22+n
    assert table(report, "Concerns concluded")["Substantiated"] == "fewer than 5"
    assert table(report, "Concerns concluded")["Not substantiated"] == "fewer than 5"
    assert table(report, "Concerns concluded")["Total"] == "5"
    assert report.lessons == ["Lesson 0", "Lesson 1", "Lesson 2"]
    assert not report.lessons_from_few


def test_a_year_of_3_frauds_shows_fewer_than_5_wherever_they_could_be_worked_out(officer):
    for d in range(1, 21):  # 20 criminal offences in May, acknowledged in 2 days
        raised(at(2016, 5, d), acknowledged_after=2, officer=officer)
    frauds = [raised(at(2017, 1, d), ground="fraud") for d in (9, 10, 11)]
    closed(frauds[0], at(2017, 2, 1), officer, lessons=LESSON)
    closed(frauds[1], at(2017, 2, 2), officer, lessons=LESSON)

    report = queries.annual_report(YEAR, today=AFTER)

    grounds = table(report, "Concerns received, by what")
    assert grounds["Fraud or financial irregularity"] == "fewer than 5"
    assert grounds["A criminal offence"] == "5 or more"  # 23 less 20 would give 3 away
    assert grounds["Total"] == "23"
    assert table(report, "Concerns received, by who") == {
        "Monitoring Officer": "5 or more",
        "Chief Internal Auditor": "fewer than 5",
        "Total": "23",
    }
    quarters = table(report, "Concerns received, by quarter")
    assert quarters["January to March"] == "fewer than 5"
    assert quarters["April to June"] == "5 or more"
    assert table(report, "Written acknowledgements")["Not yet acknowledged"] == "fewer than 5"
    assert table(report, "Written acknowledgements")["Acknowledged within 7 days"] == "5 or more"
    assert report.acknowledged_on_time == "5 or more"
    assert report.concluded == "fewer than 5"
    assert report.median_days_to_close.startswith("not shown")
    assert set(table(report, "Concerns concluded").values()) <= {"0", "fewer than 5"}
    assert report.lessons == [LESSON] and report.lessons_from_few

    text = pdf_text(report_pdf.render(report))
    for figure in ("3", "20", "2"):  # the frauds, the others, the frauds concluded
        assert not re.search(rf"(?<![\w/.]){figure}(?![\w/.])(?! ({MONTHS}|day))", text), figure
    assert "fewer than 5" in text and "5 or more" in text


def test_the_report_costs_two_queries_whatever_the_number_of_concerns(
    officer, django_assert_num_queries
):
    concern = raised(at(2016, 6, 1), acknowledged_after=1, officer=officer)
    closed(concern, at(2016, 7, 1), officer)
    with django_assert_num_queries(2):
        queries.annual_report(YEAR, today=AFTER)
    for d in range(1, 8):
        closed(
            raised(at(2016, 8, d), acknowledged_after=2, officer=officer), at(2016, 9, d), officer
        )
    with django_assert_num_queries(2):
        queries.annual_report(YEAR, today=AFTER)


def test_erased_content_leaves_the_counts_and_drops_its_lessons(officer):
    concern = raised(at(2016, 6, 1), acknowledged_after=1, officer=officer)
    closed(concern, at(2016, 7, 1), officer)
    services.erase_expired_content(retention_days=30, now=at(2016, 9, 1))
    report = queries.annual_report(YEAR, today=AFTER)
    assert report.received == "fewer than 5" and report.concluded == "fewer than 5"
    assert report.lessons == []


# --- Onto the committee's agenda --------------------------------------------------------------


@pytest.fixture
def audit_committee():
    return OrganizationFactory(name=rules.REPORTED_TO)


def a_busy_year(officer):
    investigator = UserFactory(roles=[Role.INVESTIGATING_OFFICER], full_name="Ann Investigator")
    concerns = [raised(at(2016, 5, d), acknowledged_after=2, officer=officer) for d in range(1, 7)]
    services.appoint_investigator(
        concern=concerns[0], investigator=investigator, version=ANY_VERSION, actor=officer
    )
    services.add_information(
        concern=concerns[0], text="The petty cash tin again", now=at(2016, 5, 9)
    )
    for concern in concerns:
        closed(concern, at(2016, 7, 1), officer)
    raised(at(2016, 8, 1), anonymous=True, name="", contact="")
    return concerns


def test_the_report_goes_on_the_chosen_meeting_as_a_report_with_its_pdf(officer, audit_committee):
    a_busy_year(officer)
    meeting = MeetingFactory(organizations=[audit_committee])
    MeetingFactory(organizations=[audit_committee])  # another, not chosen

    placed = services.place_annual_report(year_start=YEAR, meeting=meeting, actor=officer)

    item = AgendaItem.objects.get(meeting=meeting)
    assert placed.item == item and item.title == "Whistleblowing Annual Report 2016/17"
    assert item.lead == "Report of the Monitoring Officer"
    paper = Paper.objects.get()
    assert placed.paper == paper and paper.is_public
    assert paper.title == item.title and paper.author_job_title == "Monitoring Officer"
    step = Consultation.objects.get(paper=paper)
    assert step.meeting == meeting and step.agenda_item == item
    document = paper.documents.get()
    assert document == placed.document
    assert document.kind == DocumentKind.REPORT and document.mime_type == "application/pdf"
    text = pdf_text(document.file.read())
    assert LESSON in text and "Audit and Procurement Committee" in text
    for words in SECRET_WORDS:
        assert words.lower() not in text.lower(), words
        assert words.lower() not in document.text.lower(), words
    assert "Concerns received: 7." in text
    assert CaseOpening.objects.filter(
        kind=OpeningKind.REPORT, reader=officer, concern=None
    ).exists()


def test_the_clerks_rules_still_apply(officer, audit_committee):
    a_busy_year(officer)
    published = MeetingFactory(organizations=[audit_committee], published=True)
    with pytest.raises(ValidationError) as refused:
        services.place_annual_report(year_start=YEAR, meeting=published, actor=officer)
    assert refused.value.error_list[0].code == "sign_off"
    assert not AgendaItem.objects.exists() and not Paper.objects.exists()

    meeting = MeetingFactory(organizations=[audit_committee])
    services.place_annual_report(year_start=YEAR, meeting=meeting, actor=officer)
    with pytest.raises(ValidationError) as twice:
        services.place_annual_report(year_start=YEAR, meeting=meeting, actor=officer)
    assert twice.value.error_dict["meeting"][0].code == "already_placed"
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("another_committee", "not_a_report_meeting"),
        ("past", "not_a_report_meeting"),
        ("cancelled", "not_a_report_meeting"),
        ("future_year", "year_not_begun"),
        ("not_the_monitoring_officer", "not_allowed"),
    ],
)
def test_what_is_refused(officer, audit_committee, change, code):
    meeting = MeetingFactory(organizations=[audit_committee])
    year, actor = YEAR, officer
    if change == "another_committee":
        meeting = MeetingFactory()
    elif change == "past":
        meeting.start, meeting.end = at(2017, 1, 1), at(2017, 1, 1, 12)
        meeting.save()
    elif change == "cancelled":
        meeting.state = "cancelled"
        meeting.save()
    elif change == "future_year":
        year = dt.date(dt.date.today().year + 2, 4, 1)
    else:
        actor = UserFactory(roles=[Role.CHIEF_INTERNAL_AUDITOR, Role.GOVERNANCE_SERVICES])
    with pytest.raises(ValidationError) as refused:
        services.place_annual_report(year_start=year, meeting=meeting, actor=actor)
    error = refused.value
    codes = (
        [e.code for errors in error.error_dict.values() for e in errors]
        if hasattr(error, "error_dict")
        else [error.code]
    )
    assert codes == [code]
    assert not Paper.objects.exists()


# --- The Monitoring Officer's pages -----------------------------------------------------------


def test_the_monitoring_officer_previews_the_report_and_puts_it_on_an_agenda(
    client, officer, audit_committee
):
    a_busy_year(officer)
    meeting = MeetingFactory(organizations=[audit_committee])
    sign_in(client, officer)

    page = client.get(reverse("concerns:annual_report"), {"year": 2016})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Whistleblowing Annual Report 2016/17" in html and LESSON in html
    for words in SECRET_WORDS:
        assert words not in html, words
    assert CaseOpening.objects.filter(kind=OpeningKind.REPORT).count() == 1

    download = client.get(reverse("concerns:annual_report_pdf", args=[2016]))
    assert download["Content-Type"] == "application/pdf"
    assert LESSON in pdf_text(download.content)

    form = client.get(reverse("concerns:annual_report_place", args=[2016]))
    assert meeting.title in form.content.decode()
    done = client.post(
        reverse("concerns:annual_report_place", args=[2016]), {"meeting": meeting.pk}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("concerns:annual_report") + "?year=2016"
    assert Paper.objects.get().consultations.get().meeting == meeting
    shown = client.get(done["Location"]).content.decode()
    assert "The annual report is on the agenda of the" in shown


def test_a_refusal_comes_back_on_the_form(client, officer, audit_committee):
    published = MeetingFactory(organizations=[audit_committee], published=True)
    sign_in(client, officer)
    page = client.post(
        reverse("concerns:annual_report_place", args=[2016]), {"meeting": published.pk}
    )
    assert page.status_code == 200
    assert "cannot go on a published agenda until it has these approvals" in (page.content.decode())
    assert not Paper.objects.exists()


@pytest.mark.parametrize(
    "role",
    [
        Role.CHIEF_INTERNAL_AUDITOR,
        Role.INVESTIGATING_OFFICER,
        Role.GOVERNANCE_SERVICES,
        Role.AUDITOR,
    ],
)
def test_only_the_monitoring_officer_may_place_it(client, audit_committee, role):
    meeting = MeetingFactory(organizations=[audit_committee])
    sign_in(client, UserFactory(roles=[role]))
    answer = client.post(
        reverse("concerns:annual_report_place", args=[2016]), {"meeting": meeting.pk}
    )
    assert answer.status_code == 404
    assert not Paper.objects.exists()


def test_a_year_not_offered_is_a_404(client, officer):
    sign_in(client, officer)
    assert client.get(reverse("concerns:annual_report_pdf", args=[1990])).status_code == 404
    assert client.get(reverse("concerns:annual_report_place", args=[2999])).status_code == 404
