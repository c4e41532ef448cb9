"""A case as its handlers see it, against the real database: every opening logged (the page,
each file), the same 404 for a case that is not there and one that is not yours, the
timeline and its files served as downloads that no browser keeps, the actions on pages of
their own offered only to those the policy allows, wrong, missing, oversized, hostile and
stale input refused with a GOV.UK error and nothing changed, and the page's cost fixed, with
only what it shows unsealed."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation.roles import Role
from portal_kit.models import ANY_VERSION, STALE
from tests.committees.factories import minimal_pdf
from tests.helpers import text_of
from tests.security.payloads import hand_written_pdf
from tests.security.support import changed_tables, row_counts
from tests.whistleblowing.handle_support import (
    APRIL_10,
    FILE_BYTES,
    REPORTER_CONTACT,
    REPORTER_NAME,
    WORDS,
    close,
    evidence,
    monitoring_officer,
    named,
    person,
    raise_concern,
    signed_in,
)
from whistleblowing import sealing, services
from whistleblowing.models import (
    CaseOpening,
    Concern,
    Entry,
    EntryKind,
    OpeningKind,
    Route,
    Status,
)

pytestmark = pytest.mark.django_db

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>"><svg onload=alert(3)>'


def without_nonces(response) -> str:
    """The page without what differs on every answer: the CSP nonce and the CSRF token."""
    page = re.sub(r'nonce="[^"]+"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def url(name, concern) -> str:
    return reverse(f"concerns:{name}", args=[concern.pk])


@pytest.fixture
def mo():
    return monitoring_officer(full_name="Helen Lynch")


@pytest.fixture
def concern():
    return raise_concern(files=evidence())


# --- Opening a case -------------------------------------------------------------------------


def test_the_case_page_shows_the_whole_case_and_logs_every_opening(client, mo, concern):
    services.add_information(concern=concern, text="Also the petty cash", now=APRIL_10)
    client = signed_in(client, mo)
    response = client.get(url("case", concern))
    assert response.status_code == 200
    text = text_of(response)
    assert concern.reference in text and "10 April 2017" in text
    assert WORDS in text and "Also the petty cash" in text and "Whitley depot" in text
    assert "Acknowledgement overdue by" in text and "Overdue" in text
    assert "Reporter waiting" in text
    attachment = concern.attachments.get()
    assert reverse("concerns:file", args=[attachment.pk]) in response.content.decode()
    assert "fuel log.pdf" in text
    client.get(url("case", concern))
    openings = CaseOpening.objects.filter(concern=concern, reader=mo, kind=OpeningKind.CASE)
    assert openings.count() == 2


def test_a_named_reporter_s_name_and_contact_are_shown_to_the_handler(client, mo):
    concern = services.raise_concern(answers=named(), now=APRIL_10).concern
    text = text_of(signed_in(client, mo).get(url("case", concern)))
    assert REPORTER_NAME in text and REPORTER_CONTACT in text and "Named" in text


def test_a_case_that_is_not_yours_is_the_same_404_as_one_that_does_not_exist(client, concern):
    cia = person(Role.CHIEF_INTERNAL_AUDITOR)
    client = signed_in(client, cia)
    missing = client.get(reverse("concerns:case", args=[concern.pk + 1000]))
    not_theirs = client.get(url("case", concern))
    assert missing.status_code == not_theirs.status_code == 404
    assert without_nonces(missing) == without_nonces(not_theirs)
    assert not CaseOpening.objects.exists()


def test_an_investigator_opens_only_the_case_they_are_appointed_to(client, mo, concern):
    other = raise_concern()
    investigator = person(Role.INVESTIGATING_OFFICER, full_name="Ann Smith")
    services.appoint_investigator(
        concern=concern, investigator=investigator, version=ANY_VERSION, actor=mo
    )
    client = signed_in(client, investigator)
    assert client.get(url("case", concern)).status_code == 200
    assert client.get(url("case", other)).status_code == 404
    attachment = concern.attachments.get()
    assert client.get(reverse("concerns:file", args=[attachment.pk])).status_code == 200
    assert set(CaseOpening.objects.values_list("concern_id", "kind")) == {
        (concern.pk, OpeningKind.CASE),
        (concern.pk, OpeningKind.FILE),
    }


def test_the_buttons_are_those_the_policy_allows(client, mo, concern):
    investigator = person(Role.INVESTIGATING_OFFICER)
    services.appoint_investigator(
        concern=concern, investigator=investigator, version=ANY_VERSION, actor=mo
    )
    page = signed_in(client, mo).get(url("case", concern)).content.decode()
    for name in ("acknowledge", "message", "meeting", "note", "appoint", "triage", "close"):
        assert url(name, concern) in page, name
    assert url("reopen", concern) not in page
    assert url("openings", concern) in page
    client.logout()
    page = signed_in(client, investigator).get(url("case", concern)).content.decode()
    for name in ("acknowledge", "message", "meeting", "note"):
        assert url(name, concern) in page, name
    for name in ("appoint", "reroute", "triage", "close", "reopen", "openings"):
        assert url(name, concern) not in page, name
        assert client.get(url(name, concern)).status_code == 404, name


def test_a_closed_case_offers_reopening_and_an_answer_to_the_reporter(client, mo, concern):
    close(concern, mo)
    page = signed_in(client, mo).get(url("case", concern)).content.decode()
    assert url("reopen", concern) in page
    # The reporter may still write after the close, and be answered without a reopening.
    assert url("message", concern) in page
    for name in ("acknowledge", "meeting", "note", "appoint", "triage", "close"):
        assert url(name, concern) not in page, name


def test_an_erased_case_shows_its_register_facts_and_no_file(client, mo, concern):
    attachment = concern.attachments.get()
    closed = close(concern, mo)
    Concern.objects.filter(pk=closed.pk).update(closed_at=APRIL_10)
    services.erase_expired_content(retention_days=1)
    client = signed_in(client, mo)
    response = client.get(url("case", concern))
    assert response.status_code == 200
    assert "were erased on" in text_of(response) and WORDS not in text_of(response)
    assert url("reopen", concern) not in response.content.decode()
    assert client.get(reverse("concerns:file", args=[attachment.pk])).status_code == 404


# --- Files ----------------------------------------------------------------------------------


def test_a_file_is_a_logged_download_that_no_browser_keeps(client, mo, concern):
    attachment = concern.attachments.get()
    response = signed_in(client, mo).get(reverse("concerns:file", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FILE_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "fuel log.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert CaseOpening.objects.get(kind=OpeningKind.FILE).attachment == attachment


def test_a_file_name_cannot_break_the_download_header(client, mo):
    concern = raise_concern(files=evidence(name='a\r\nSet-Cookie: x=1;"\u202e.pdf'))
    attachment = concern.attachments.get()
    response = signed_in(client, mo).get(reverse("concerns:file", args=[attachment.pk]))
    assert response.status_code == 200
    assert "\r" not in response["Content-Disposition"] and "\u202e" not in str(
        response["Content-Disposition"]
    )
    assert "Set-Cookie" not in {k for k, _ in response.items() if k != "Content-Disposition"}


# --- The openings log -----------------------------------------------------------------------


def test_the_monitoring_officer_sees_who_opened_the_case(client, mo, concern):
    cia = person(Role.CHIEF_INTERNAL_AUDITOR, full_name="Paul Jennings")
    services.reroute(
        concern=concern, route=Route.CHIEF_INTERNAL_AUDITOR, reason="Fraud", version=1, actor=mo
    )
    signed_in(client, cia).get(url("case", concern))
    client.get(reverse("concerns:file", args=[concern.attachments.get().pk]))
    assert client.get(url("openings", concern)).status_code == 404
    client.logout()
    response = signed_in(client, mo).get(url("openings", concern))
    assert response.status_code == 200
    text = text_of(response)
    assert "Paul Jennings" in text and "Case" in text and "A file added on" in text
    assert WORDS not in text


# --- Actions --------------------------------------------------------------------------------


def post(client, name, concern, data, **extra):
    return client.post(url(name, concern), data, **extra)


def refused(response, message):
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert message in text_of(response)


def test_acknowledging(client, mo, concern, django_capture_on_commit_callbacks):
    client = signed_in(client, mo)
    form = client.get(url("acknowledge", concern))
    assert "by 17 April 2017" in text_of(form) and WORDS not in text_of(form)
    response = post(
        client,
        "acknowledge",
        concern,
        {"summary": "Fuel cards used privately", "message": "We will be in touch", "version": 1},
    )
    assert response.status_code == 302 and response["Location"] == url("case", concern)
    concern.refresh_from_db()
    assert concern.status == Status.ACKNOWLEDGED and concern.acknowledged_at
    entry = concern.entries.get(kind=EntryKind.ACKNOWLEDGEMENT)
    assert services.entry_content(entry)["handler"] == "the Monitoring Officer"
    assert "Acknowledgement sent" in text_of(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"summary": "", "version": 1}, services.NO_SUMMARY),
        ({"summary": "   ", "version": 1}, services.NO_SUMMARY),
        ({"summary": "x" * 20_001, "version": 1}, "The summary must be 20,000 characters or fewer"),
        ({"summary": "ok", "message": "y" * 20_001, "version": 1}, "20,000 characters"),
        ({"summary": "fine", "version": ""}, "the page was incomplete"),
        ({"summary": "fine", "version": "x"}, "the page was incomplete"),
        ({"summary": "fine", "version": 0}, "Someone else changed this"),
        ({"summary": ["a", "b"], "version": 1}, ""),
    ],
)
def test_a_bad_acknowledgement_changes_nothing(client, mo, concern, data, message):
    client = signed_in(client, mo)
    before = row_counts()
    response = post(client, "acknowledge", concern, data)
    if message:
        refused(response, message)
    else:
        assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert not changed_tables(before, row_counts())
        concern.refresh_from_db()
        assert concern.acknowledged_at is None


def test_a_stale_form_is_refused_and_says_why(client, mo, concern):
    client = signed_in(client, mo)
    services.triage(concern=concern, decision="investigate", reason="r", version=1, actor=mo)
    before = row_counts()
    response = post(client, "close", concern, {**CLOSE, "version": 1})
    refused(response, STALE)
    assert not changed_tables(before, row_counts())
    assert Concern.objects.get().status == Status.INVESTIGATING


def test_hostile_markup_is_kept_as_words_and_shown_escaped(client, mo, concern):
    client = signed_in(client, mo)
    response = post(client, "acknowledge", concern, {"summary": XSS, "message": XSS, "version": 1})
    assert response.status_code == 302
    assert post(client, "note", concern, {"text": XSS}).status_code == 302
    page = client.get(url("case", concern)).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_appointing_an_investigator(client, mo, concern):
    investigator = person(Role.INVESTIGATING_OFFICER, full_name="Ann Smith")
    person(Role.OFFICER, full_name="Not An Investigator")
    client = signed_in(client, mo)
    form = client.get(url("appoint", concern))
    assert "Ann Smith" in text_of(form) and "Not An Investigator" not in text_of(form)
    response = post(client, "appoint", concern, {"investigator": investigator.pk, "version": 1})
    assert response.status_code == 302
    assert Concern.objects.get().investigator == investigator


@pytest.mark.parametrize("choice", ["", "999999", "abc", "officer"])
def test_appointing_someone_who_is_not_an_investigator_is_refused(client, mo, concern, choice):
    officer = person(Role.OFFICER)
    value = officer.pk if choice == "officer" else choice
    client = signed_in(client, mo)
    before = row_counts()
    response = post(client, "appoint", concern, {"investigator": value, "version": 1})
    refused(response, services.NOT_AN_INVESTIGATOR)
    assert not changed_tables(before, row_counts())


def test_passing_a_concern_to_the_chief_internal_auditor_and_back(client, mo, concern):
    cia = person(Role.CHIEF_INTERNAL_AUDITOR)
    client = signed_in(client, mo)
    refused(
        post(
            client, "reroute", concern, {"route": "monitoring_officer", "reason": "x", "version": 1}
        ),
        services.SAME_ROUTE,
    )
    refused(
        post(client, "reroute", concern, {"route": "chief_internal_auditor", "version": 1}),
        services.NO_TRIAGE_REASON,
    )
    response = post(
        client,
        "reroute",
        concern,
        {"route": "chief_internal_auditor", "reason": "Fraud", "version": 1},
    )
    assert response.status_code == 302 and response["Location"] == url("case", concern)
    client.logout()
    client = signed_in(client, cia)
    response = post(
        client,
        "reroute",
        concern,
        {"route": "monitoring_officer", "reason": "Not fraud", "version": 2},
    )
    # No longer the auditor's: they go back to the register, not to a 404.
    assert response.status_code == 302 and response["Location"] == reverse("concerns:register")
    assert Concern.objects.get().route == Route.MONITORING_OFFICER


def test_triage_to_another_procedure_needs_the_procedure_and_tells_the_reporter(
    client, mo, concern
):
    client = signed_in(client, mo)
    data = {"decision": "other_procedure", "reason": "A child at risk", "version": 1}
    refused(post(client, "triage", concern, data), services.NO_PROCEDURE)
    refused(post(client, "triage", concern, {**data, "decision": "bin it"}), services.NO_TRIAGE)
    response = post(client, "triage", concern, {**data, "other_procedure": "safeguarding"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.REFERRED and concern.other_procedure == "safeguarding"
    told = concern.entries.get(kind=EntryKind.TO_REPORTER)
    assert "safeguarding procedure" in services.entry_content(told)["text"]


MEETING = {
    "on_0": "20",
    "on_1": "4",
    "on_2": "2017",
    "at": "2pm",
    "place": "Central Library, meeting room 2",
    "away_from_workplace": "on",
    "companion": "Unison representative",
    "note": "Went through the fuel logs",
    "version": 1,
}


def test_recording_a_meeting(client, mo, concern):
    response = post(signed_in(client, mo), "meeting", concern, MEETING)
    assert response.status_code == 302
    entry = Concern.objects.get().entries.get(kind=EntryKind.MEETING)
    content = services.entry_content(entry)
    assert content["on"] == "2017-04-20" and content["at"] == "14:00"
    assert content["away_from_workplace"] is True
    text = text_of(client.get(url("case", concern)))
    assert "20 April 2017" in text and "2:00 pm" in text and "Unison representative" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"on_0": "31", "on_1": "2"}, "Enter a real date"),
        ({"on_0": "", "on_1": "", "on_2": ""}, services.NO_MEETING_DATE),
        ({"on_2": "17"}, "The year must include 4 numbers"),
        ({"at": "25:00"}, "Enter a real time"),
        ({"place": ""}, services.NO_PLACE),
        ({"place": "p" * 501}, "500 characters or fewer"),
        ({"note": "n" * 20_001}, "20,000 characters or fewer"),
        ({"companion": "\x00"}, ""),
    ],
)
def test_a_bad_meeting_changes_nothing(client, mo, concern, changes, message):
    client = signed_in(client, mo)
    before = row_counts()
    response = post(client, "meeting", concern, {**MEETING, **changes})
    refused(response, message)
    assert not changed_tables(before, row_counts())


def test_a_note_with_evidence_is_internal_and_its_files_sealed(client, mo, concern):
    pdf = minimal_pdf("Fuel card statements")
    files = [SimpleUploadedFile("statement.pdf", pdf, content_type="application/pdf")]
    response = post(signed_in(client, mo), "note", concern, {"text": "Statements", "files": files})
    assert response.status_code == 302
    note = Concern.objects.get().entries.get(kind=EntryKind.NOTE)
    attachment = note.attachments.get()
    with attachment.sealed_file.open("rb") as stored:
        assert pdf not in stored.read()
    assert services.attachment_bytes(attachment) == pdf
    assert not note.shared


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just some words", "notes.txt: The selected file must be a PDF, a Word"),
        ("empty.pdf", b"", "The selected file is empty"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Word format"),
        (
            "script.pdf",
            hand_written_pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "must not contain scripts",
        ),
        ("big.pdf", b"%PDF-1.4 " + b"x" * 2048, "must be smaller than 1 KB"),
    ],
)
def test_a_file_that_is_not_safe_evidence_is_refused(
    client, mo, concern, settings, name, content, message
):
    settings.WHISTLEBLOWING_MAX_FILE_BYTES = 1024
    client = signed_in(client, mo)
    before = row_counts()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = post(client, "note", concern, {"text": "Evidence", "files": [upload]})
    refused(response, message)
    assert not changed_tables(before, row_counts())


def test_too_many_files_are_refused(client, mo, concern):
    pdf = minimal_pdf()
    files = [SimpleUploadedFile(f"{n}.pdf", pdf) for n in range(services.MAX_FILES + 1)]
    client = signed_in(client, mo)
    before = row_counts()
    response = post(client, "note", concern, {"text": "Evidence", "files": files})
    refused(response, f"You can attach up to {services.MAX_FILES} files")
    assert not changed_tables(before, row_counts())


def test_messaging_the_reporter_answers_them(client, mo, concern):
    services.add_information(concern=concern, text="Any news?", now=APRIL_10)
    client = signed_in(client, mo)
    refused(post(client, "message", concern, {"text": ""}), services.EMPTY_MESSAGE)
    assert post(client, "message", concern, {"text": "We are looking into it"}).status_code == 302
    concern.refresh_from_db()
    assert concern.reporter_waiting_since is None
    assert concern.entries.filter(kind=EntryKind.TO_REPORTER).count() == 1


CLOSE = {
    "outcome": "substantiated",
    "findings": "Cards were shared",
    "lessons": "Fuel cards need a named holder",
    "closing_message": "Your concern has been investigated and action taken",
}


def test_closing_and_reopening(client, mo, concern):
    client = signed_in(client, mo)
    refused(
        post(client, "close", concern, {**CLOSE, "outcome": "", "version": 1}), services.NO_OUTCOME
    )
    refused(
        post(client, "close", concern, {**CLOSE, "closing_message": "", "version": 1}),
        services.NO_CLOSING_MESSAGE,
    )
    assert post(client, "close", concern, {**CLOSE, "version": 1}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == Status.CLOSED and concern.outcome == "substantiated"
    refused(post(client, "note", concern, {"text": "Hello"}), services.CLOSED_CASE)
    refused(
        post(client, "reopen", concern, {"reason": "", "version": 2}), services.NO_REOPEN_REASON
    )
    assert (
        post(client, "reopen", concern, {"reason": "New evidence", "version": 2}).status_code == 302
    )
    concern.refresh_from_db()
    assert concern.status == Status.INVESTIGATING
    refused(post(client, "reopen", concern, {"reason": "Again", "version": 3}), services.NOT_CLOSED)


def test_someone_who_may_not_act_gets_a_404_and_nothing_changes(client, mo, concern):
    for role in (Role.CHIEF_INTERNAL_AUDITOR, Role.INVESTIGATING_OFFICER, Role.AUDITOR):
        client.logout()
        signed_in(client, person(role))
        before = row_counts()
        for name, data in (
            ("acknowledge", {"summary": "x", "version": 1}),
            ("close", {**CLOSE, "version": 1}),
            ("note", {"text": "x"}),
        ):
            assert post(client, name, concern, data).status_code == 404, (role, name)
        assert not changed_tables(before, row_counts())


# --- What the page costs --------------------------------------------------------------------


class _Counting:
    def __init__(self, monkeypatch):
        self.calls = 0
        original = sealing.open_bytes

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(sealing, "open_bytes", counted)


def _busy(concern, mo, n):
    for i in range(n):
        services.add_information(concern=concern, text=f"More {i}", files=evidence(), now=APRIL_10)
        services.message_reporter(concern=concern, text=f"Reply {i}", actor=mo)
        services.add_note(concern=concern, text=f"Note {i}", actor=mo)


def test_the_case_page_costs_the_same_queries_and_unseals_only_its_own_entries(
    client, mo, monkeypatch
):
    small = raise_concern(files=evidence())
    large = raise_concern(files=evidence())
    services.appoint_investigator(
        concern=large, investigator=person(Role.INVESTIGATING_OFFICER), version=1, actor=mo
    )
    services.acknowledge(concern=large, summary="s", version=2, actor=mo)
    _busy(large, mo, 8)
    other = raise_concern(files=evidence())
    _busy(other, mo, 3)
    client = signed_in(client, mo)
    client.get(url("case", small))
    with CaptureQueriesContext(connection) as few:
        client.get(url("case", small))
    opened = _Counting(monkeypatch)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("case", large))
    assert len(many) == len(few), [q["sql"] for q in many]
    entries = Entry.objects.filter(concern=large).count()
    files = large.attachments.count()
    assert len(response.context["timeline"]) == entries
    # Each entry's words and each file's description: never a file's bytes, nothing else.
    assert opened.calls == entries + files
