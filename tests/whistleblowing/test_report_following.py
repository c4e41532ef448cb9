"""Following a concern up (whistleblowing/views/report.py): the receipt code (throttled, the
same error for a wrong code however wrong), the case kept in the session for a short while,
the case page (status, acknowledgement, messages both ways, meetings and comments, replies
with files, a complaint of detriment), and the same 404 for a case that is not yours."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.helpers import text_of
from tests.whistleblowing.reporting import WORDS, pdf_by, photo, upload, url
from whistleblowing import receipts, services
from whistleblowing.models import Concern, EntryKind
from whistleblowing.views.report import GRANT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def raise_one(*, anonymous=True, reporter=None, **changes):
    answers = services.Answers(
        **{
            "ground": "criminal_offence",
            "what_happened": WORDS,
            "where": "Whitley depot",
            "public_interest": True,
            "reporter_kind": "permanent",
            "anonymous": anonymous,
            "name": "" if anonymous else "Jo Reporter",
            "contact": "" if anonymous else "jo@example.org",
            "under_policy": True,
            **changes,
        }
    )
    return services.raise_concern(answers=answers, reporter=reporter)


def enter(client, code, **extra):
    return client.post(url("follow"), {"code": code}, **extra)


@pytest.fixture
def mo():
    return UserFactory(roles=[Role.MONITORING_OFFICER], full_name="Julie Newman")


# --- The receipt code ----------------------------------------------------------------------------


def test_the_right_code_opens_the_case_in_any_spelling_and_only_in_this_session(client):
    raised = raise_one()
    response = enter(client, receipts.shown(raised.receipt_code).lower().replace("-", " "))
    assert response.status_code == 302 and response["Location"] == url("case")
    page = client.get(url("case"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert raised.concern.reference in text_of(page) and WORDS in text_of(page)
    # The address never names the case: another browser without the code is sent to enter it.
    other = client.__class__()
    assert other.get(url("case"))["Location"] == url("follow")


@pytest.mark.parametrize(
    "code", ["ABCD-EFGH-JKMN-PQRS-TVWX", "not a code", "A" * 61, "<script>", "1234\x00"]
)
def test_a_wrong_code_gets_the_same_clear_error_and_opens_nothing(client, code):
    raise_one()
    response = enter(client, code)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "<title>Error:" in body
    assert "The receipt code does not match a concern" in text_of(response)
    assert GRANT not in client.session
    assert client.get(url("case"))["Location"] == url("follow")


def test_an_empty_code_is_asked_for(client):
    response = enter(client, "  ")
    assert "Enter your receipt code" in text_of(response)


def test_codes_are_throttled_per_client_even_the_right_one_without_keeping_the_address(client):
    raised = raise_one()
    for _ in range(receipts.PER_CLIENT):
        wrong = enter(client, "ABCD-EFGH-JKMN-PQRS-TVWX", REMOTE_ADDR="198.51.100.23")
        assert "does not match" in text_of(wrong)
    blocked = enter(client, raised.receipt_code, REMOTE_ADDR="198.51.100.23")
    assert blocked.status_code == 200 and "govuk-error-summary" in blocked.content.decode()
    assert "Wait 15 minutes, then try again" in text_of(blocked)
    assert GRANT not in client.session
    # Another client is not held up, and no key of the cache holds the address.
    assert enter(client, raised.receipt_code, REMOTE_ADDR="198.51.100.99").status_code == 302
    keys = list(cache._cache.keys())  # LocMemCache in tests
    assert keys and not any("198.51.100" in key for key in keys)


def test_the_case_is_forgotten_after_twenty_minutes_without_activity(client):
    raised = raise_one()
    enter(client, raised.receipt_code)
    assert client.get(url("case")).status_code == 200
    session = client.session
    session[GRANT] = {**session[GRANT], "until": 0}
    session.save()
    ended = client.get(url("case"))
    assert ended.status_code == 302 and ended["Location"] == url("follow")
    assert "signed out of your case after 20 minutes" in text_of(client.get(ended["Location"]))
    assert client.get(url("case")).status_code == 302
    reply = client.post(url("case_reply"), {"text": "Are you there?"})
    assert reply["Location"] == url("follow")
    assert not raised.concern.entries.filter(kind=EntryKind.FROM_REPORTER).exists()


def test_signing_out_of_the_case_forgets_it(client):
    raised = raise_one()
    enter(client, raised.receipt_code)
    out = client.post(url("case_sign_out"))
    assert out["Location"] == url("start")
    assert GRANT not in client.session
    assert client.get(url("case"))["Location"] == url("follow")


# --- Signed in, named -----------------------------------------------------------------------------


def test_a_named_reporter_opens_their_own_concerns_and_anyone_else_gets_the_same_404(client):
    reporter, someone = UserFactory(), UserFactory()
    raised = raise_one(anonymous=False, reporter=reporter)
    mine = reverse("whistleblowing:my_concern", args=[raised.concern.pk])
    missing = reverse("whistleblowing:my_concern", args=[raised.concern.pk + 1000])

    sign_in(client, someone)
    not_theirs = client.get(mine)
    not_there = client.get(missing)
    assert not_theirs.status_code == not_there.status_code == 404
    assert text_of(not_theirs) == text_of(not_there)
    assert raised.concern.reference not in text_of(client.get(url("my_concerns")))

    sign_in(client, reporter)
    assert raised.concern.reference in text_of(client.get(url("my_concerns")))
    opened = client.get(mine)
    assert opened["Location"] == url("case")
    assert WORDS in text_of(client.get(url("case")))
    # The case is the account's: signing out (or in as someone else) closes it.
    client.logout()
    assert client.get(url("case")).status_code == 302


def test_a_code_is_no_way_into_a_concern_followed_signed_in(client):
    raised = raise_one(anonymous=False, reporter=UserFactory())
    assert raised.receipt_code is None and raised.concern.receipt_hash is None


# --- The case page -------------------------------------------------------------------------------


def following(client, raised):
    enter(client, raised.receipt_code)
    return client


def test_the_case_page_shows_the_status_acknowledgement_messages_and_meetings(client, mo):
    raised = raise_one()
    concern = raised.concern
    following(client, raised)
    received = text_of(client.get(url("case")))
    due = concern.acknowledge_due
    assert f"You will get a written acknowledgement by {due.day} {due:%B %Y}" in received

    concern = services.acknowledge(
        concern=concern,
        summary="Fuel cards used for private cars at Whitley",
        message="Thank you for raising this.",
        version=concern.version,
        actor=mo,
    )
    services.message_reporter(concern=concern, text="Which cards are they?", actor=mo)
    services.record_meeting(
        concern=concern,
        details=services.MeetingDetails(
            on=dt.date(2017, 4, 20),
            at=dt.time(14, 0),
            place="Civic Centre 4",
            away_from_workplace=True,
            companion="A Unison representative",
            note="We went through the fuel log together.",
        ),
        version=Concern.objects.get(pk=concern.pk).version,
        actor=mo,
    )
    services.add_note(concern=concern, text="Internal: check the depot's CCTV", actor=mo)
    page = text_of(client.get(url("case")))
    assert "It has been acknowledged, and the Monitoring Officer is dealing with it" in page
    assert "Fuel cards used for private cars at Whitley" in page
    assert "Which cards are they?" in page and "Message to you" in page
    assert "Meeting on Thursday 20 April 2017, 2:00 pm" in page
    assert "Civic Centre 4 (away from the workplace)" in page and "Unison" in page
    assert "We went through the fuel log together." in page
    assert "CCTV" not in page  # internal notes are never the reporter's


def test_a_reply_with_files_and_a_comment_on_a_meeting_reach_the_case(
    client, mo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    raised = raise_one()
    concern = raised.concern
    meeting = services.record_meeting(
        concern=concern,
        details=services.MeetingDetails(on=dt.date(2017, 4, 20), place="Room 4", note="Notes"),
        version=concern.version,
        actor=mo,
    )
    following(client, raised)
    replied = client.post(
        url("case_reply"),
        {
            "text": "The cards are numbered 14 to 19.",
            "files": [upload("log.pdf", pdf_by()), upload("pump.jpg", photo())],
        },
    )
    assert replied["Location"] == url("case")
    information = concern.entries.get(kind=EntryKind.INFORMATION)
    assert services.entry_content(information)["text"] == "The cards are numbered 14 to 19."
    names = sorted(services.attachment_about(a)["name"] for a in information.attachments.all())
    assert names == ["log.pdf", "pump.jpg"]
    pump = next(
        a
        for a in information.attachments.all()
        if services.attachment_about(a)["name"] == "pump.jpg"
    )
    photo_bytes = services.attachment_bytes(pump)
    assert photo_bytes.startswith(b"\xff\xd8")
    assert b"Jo Reporter" not in photo_bytes and b"Acacia" not in photo_bytes

    commented = client.post(
        url("case_comment"), {"meeting": meeting.pk, "text": "The date was 19 April."}
    )
    assert commented["Location"] == url("case")
    comment = concern.entries.get(kind=EntryKind.MEETING_COMMENT)
    assert services.entry_content(comment) == {
        "text": "The date was 19 April.",
        "meeting": meeting.pk,
    }
    page = text_of(client.get(url("case")))
    assert "The cards are numbered 14 to 19." in page and "The date was 19 April." in page
    assert "log.pdf" in page and "pump.jpg" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, services.EMPTY_MESSAGE),
        ({"text": "x" * (services.MAX_TEXT + 1)}, "must be 20,000 characters or fewer"),
        ({"text": "a\x00"}, "contains characters that are not allowed"),
        ({"text": "Here", "files": [upload("virus.exe", b"MZ\x90\x00")]}, "must be a PDF"),
    ],
)
def test_a_refused_reply_shows_the_error_on_the_case_page_and_keeps_nothing(client, data, message):
    raised = raise_one()
    following(client, raised)
    response = client.post(url("case_reply"), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert message in text_of(response)
    assert raised.concern.entries.count() == 1


def test_a_comment_on_another_case_s_meeting_is_refused(client, mo):
    mine, theirs = raise_one(), raise_one()
    meeting = services.record_meeting(
        concern=theirs.concern,
        details=services.MeetingDetails(on=dt.date(2017, 4, 20), place="Room 4", note="Theirs"),
        version=theirs.concern.version,
        actor=mo,
    )
    following(client, mine)
    response = client.post(url("case_comment"), {"meeting": meeting.pk, "text": "Mine?"})
    assert response.status_code == 200
    assert services.NOT_A_MEETING in text_of(response)
    assert not theirs.concern.entries.filter(kind=EntryKind.MEETING_COMMENT).exists()


def test_a_complaint_of_detriment_is_a_concern_of_its_own_linked_to_the_case(client):
    raised = raise_one()
    following(client, raised)
    page = client.get(url("case"))
    assert url("case_detriment") in page.content.decode()
    form = client.get(url("case_detriment"))
    assert "Tell us if you have been treated badly" in text_of(form)
    refused = client.post(url("case_detriment"), {"what_happened": "", "under_policy": "on"})
    assert "govuk-error-summary" in refused.content.decode()
    done = client.post(
        url("case_detriment"),
        {"what_happened": "I was moved to night shifts", "when": "May", "under_policy": "on"},
    )
    assert done.status_code == 200 and "Complaint sent" in text_of(done)
    assert "no-store" in done["Cache-Control"]
    complaint = Concern.objects.get(detriment_of=raised.concern)
    assert complaint.anonymous and complaint.receipt_hash is not None
    content = services.entry_content(complaint.entries.get(kind=EntryKind.REPORT))
    assert content["what_happened"] == "I was moved to night shifts"
    assert content["reporter_kind"] == "permanent"


def test_a_named_reporter_s_complaint_of_detriment_is_theirs_signed_in(client):
    reporter = UserFactory()
    raised = raise_one(anonymous=False, reporter=reporter)
    sign_in(client, reporter)
    client.get(reverse("whistleblowing:my_concern", args=[raised.concern.pk]))
    done = client.post(
        url("case_detriment"), {"what_happened": "My hours were cut", "under_policy": "on"}
    )
    assert "Complaint sent" in text_of(done) and "receipt code" not in text_of(done).lower()
    complaint = Concern.objects.get(detriment_of=raised.concern)
    assert bytes(complaint.reporter_tag) == receipts.reporter_tag(reporter)


def test_the_case_page_costs_the_same_queries_however_long_the_case(client, mo):
    raised = raise_one()
    concern = raised.concern
    services.acknowledge(concern=concern, summary="S", version=concern.version, actor=mo)
    following(client, raised)

    def queries_for_case_page():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("case")).status_code == 200
        return len(captured)

    short = queries_for_case_page()
    for n in range(6):
        services.message_reporter(concern=concern, text=f"Question {n}", actor=mo)
        services.add_information(concern=concern, text=f"Answer {n}")
    services.record_meeting(
        concern=concern,
        details=services.MeetingDetails(on=dt.date(2017, 5, 2), place="Room 1", note="N"),
        version=Concern.objects.get(pk=concern.pk).version,
        actor=mo,
    )
    meeting = concern.entries.get(kind=EntryKind.MEETING)
    services.comment_on_meeting(concern=concern, meeting=meeting, text="C")
    long = queries_for_case_page()
    assert long == short, (short, long)
    assert long <= 6


def test_behind_a_proxy_the_throttle_counts_the_browser_not_the_proxy(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    raised = raise_one()
    for n in range(receipts.PER_CLIENT):
        enter(client, "ABCD-EFGH-JKMN-PQRS-TVWX", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.5")
    blocked = enter(client, raised.receipt_code, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5")
    assert "Wait 15 minutes" in text_of(blocked)  # what the browser claimed changes nothing
    other = enter(client, raised.receipt_code, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 302
