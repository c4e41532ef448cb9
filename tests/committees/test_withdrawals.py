"""The clerk's way through (issue 10): sign-off rows and files corrected or withdrawn, with
their history; a report created from an item's "Attach a report" page; the refusal to
publish naming each report that lacks its approvals; the ready pack to download from the
clerk's meeting page. Through the services (codes, optimistic locking) and through the
pages (GOV.UK errors that change nothing, fixed query counts)."""

import datetime as dt
import html
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from committees import policies, services, tasks
from committees.models import AgendaPack, Consultation, Document, PackStatus, Paper
from committees.queries import manage as manage_queries
from committees.services import SCRIPT
from organisation.roles import Role
from portal_kit.models import ANY_VERSION, STALE
from portal_kit.templatetags.portal_kit import day
from tests.committees.factories import (
    AgendaItemFactory,
    AgendaPackFactory,
    ConsultationFactory,
    DocumentFactory,
    MeetingFactory,
    PaperFactory,
    SignOffFactory,
    approve_fully,
    minimal_pdf,
)
from tests.committees.test_manage_views import (
    HOSTILE,
    MEETING_PAGE_QUERIES,
    REPORT_PAGE_QUERIES,
    assert_refused,
    date_fields,
    item_on,
    meeting_at,
    snapshot,
    summary_errors,
)
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.helpers import future_day, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def gs_user(db):
    return UserFactory(roles=[Role.GOVERNANCE_SERVICES], full_name="Suzanne Bennett")


@pytest.fixture
def gs(client, gs_user):
    return sign_in(client, gs_user)


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def _refusal(call) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return _codes(caught.value)


def _pdf(text: str, name="corrected.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(text), content_type="application/pdf")


def _field_error(response, field: str) -> str:
    """The GOV.UK inline error message of `field` (of its first radio, for radios)."""
    found = re.search(
        rf'id="id_{field}(?:_1)?_error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">Error:</span>(.*?)<',
        response.content.decode(),
        re.S,
    )
    assert found, f"no inline error on {field}"
    return html.unescape(found[1]).strip()


# --- Sign-offs: the services ---------------------------------------------------------------


def test_a_sign_off_is_corrected_and_its_history_keeps_what_it_said(gs_user):
    row = SignOffFactory(approved_on=dt.date(2017, 3, 10))
    corrected = services.correct_sign_off(
        sign_off=row,
        kind="approver",
        category="legal",
        name=" Helen Lynch ",
        title="Place and Regulatory Team Leader",
        sent_on=dt.date(2017, 3, 9),
        approved_on=dt.date(2017, 3, 12),
        version=row.version,
        actor=gs_user,
    )
    assert (corrected.name, corrected.category, corrected.approved_on) == (
        "Helen Lynch",
        "legal",
        dt.date(2017, 3, 12),
    )
    assert corrected.version == row.version + 1
    latest = corrected.history.latest()
    assert latest.history_user == gs_user
    assert latest.prev_record.name == "Paul Jennings"


def test_a_stale_or_versionless_correction_is_refused_and_changes_nothing():
    row = SignOffFactory()
    fields = {"kind": "approver", "category": "finance", "name": "Someone else"}
    services.correct_sign_off(sign_off=row, **fields, version=row.version, actor=SCRIPT)
    before = snapshot()
    stale = _refusal(
        lambda: services.correct_sign_off(sign_off=row, **fields, version=row.version, actor=SCRIPT)
    )
    missing = _refusal(
        lambda: services.correct_sign_off(sign_off=row, **fields, version=None, actor=SCRIPT)
    )
    assert (stale, missing) == ({"stale"}, {"version_missing"})
    assert snapshot() == before


def test_a_correction_approved_before_it_was_sent_is_refused():
    row = SignOffFactory()
    assert _refusal(
        lambda: services.correct_sign_off(
            sign_off=row,
            kind="approver",
            name="X",
            sent_on=dt.date(2017, 3, 9),
            approved_on=dt.date(2017, 3, 8),
            version=row.version,
            actor=SCRIPT,
        )
    ) == {"approved_before_sent"}


def test_withdrawing_a_sign_off_needs_a_reason_and_happens_once(gs_user):
    row = SignOffFactory()
    before = snapshot()
    for reason, code in [("", "no_reason"), ("   ", "no_reason"), ("x" * 1001, "reason_too_long")]:
        assert _refusal(
            lambda reason=reason: services.withdraw_sign_off(
                sign_off=row, reason=reason, version=row.version, actor=gs_user
            )
        ) == {code}
    assert snapshot() == before

    withdrawn = services.withdraw_sign_off(
        sign_off=row, reason=" Approved the wrong draft ", version=row.version, actor=gs_user
    )
    assert withdrawn.withdrawn_by == gs_user
    assert withdrawn.withdrawal_reason == "Approved the wrong draft"
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.history.latest().history_change_reason == "Withdrawn"
    again = _refusal(
        lambda: services.withdraw_sign_off(
            sign_off=withdrawn, reason="Again", version=ANY_VERSION, actor=gs_user
        )
    )
    corrected = _refusal(
        lambda: services.correct_sign_off(
            sign_off=withdrawn, kind="approver", name="X", version=ANY_VERSION, actor=gs_user
        )
    )
    assert again == corrected == {"withdrawn"}


def test_a_withdrawn_approval_no_longer_lets_the_agenda_be_published():
    """The one rule (services._check_sign_offs): only approvals not withdrawn count."""
    meeting = meeting_at(future_day(30))
    item = item_on(meeting)
    paper = approve_fully(PaperFactory(title="Information Risk Policy"))
    services.attach_report(item=item, paper=paper, role="decision", actor=SCRIPT)
    legal = paper.sign_offs.get(category="legal")
    services.withdraw_sign_off(
        sign_off=legal, reason="Signed by mistake", version=legal.version, actor=SCRIPT
    )

    with pytest.raises(ValidationError) as caught:
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    assert caught.value.messages == [
        "Information Risk Policy cannot go on a published agenda until it has these "
        "approvals: legal"
    ]
    assert caught.value.error_list[0].params["paper"] == paper.pk

    SignOffFactory(paper=paper, category="legal", name="Helen Lynch")
    services.publish_agenda(meeting=meeting, actor=SCRIPT)


def test_a_title_with_a_percent_sign_is_named_as_it_is():
    meeting = meeting_at(future_day(30))
    paper = PaperFactory(title="Council tax up 5%(s) and %s")
    services.attach_report(item=item_on(meeting), paper=paper, role="decision", actor=SCRIPT)
    with pytest.raises(ValidationError) as caught:
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    assert caught.value.messages[0].startswith("Council tax up 5%(s) and %s cannot go")


# --- Files: the services ---------------------------------------------------------------------


@pytest.fixture
def on_a_published_agenda(settings, tmp_path, django_capture_on_commit_callbacks):
    """A public report with its file on a published agenda, and its pack built."""
    settings.MEDIA_ROOT = tmp_path / "media"
    meeting = MeetingFactory(published=True)
    item = AgendaItemFactory(meeting=meeting, position=1, number="1")
    paper = approve_fully(PaperFactory(title="Whistleblowing Policy"))
    ConsultationFactory(paper=paper, agenda_item=item)
    document = DocumentFactory(
        paper=paper, title="Appendix 1", content=minimal_pdf("oldwords"), text="oldwords"
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_pack_build(meeting)
    return meeting, paper, document


def _pack_text(meeting) -> str:
    built = AgendaPack.objects.published_for(meeting).get()
    with built.file.open("rb") as handle:
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)


def test_a_withdrawn_file_leaves_the_public_and_the_pack_but_not_the_clerk(
    gs, gs_user, on_a_published_agenda, django_capture_on_commit_callbacks
):
    meeting, paper, document = on_a_published_agenda
    assert "oldwords" in _pack_text(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_document(
            document=document,
            reason="It names a complainant",
            version=document.version,
            actor=gs_user,
        )

    assert "oldwords" not in _pack_text(meeting)
    public = Client()
    assert public.get(reverse("committees:document", args=[document.pk])).status_code == 404
    assert "Appendix 1" not in text_of(public.get(reverse("committees:report", args=[paper.pk])))
    assert not policies.documents.public(Document.objects.filter(pk=document.pk)).exists()
    # The clerk still has it, marked withdrawn, with who and why (on the public pages too).
    assert gs.get(reverse("committees:document", args=[document.pk])).status_code == 200
    assert "Appendix 1 Withdrawn" in text_of(gs.get(reverse("committees:report", args=[paper.pk])))
    page = text_of(gs.get(reverse("manage:report", args=[paper.pk])))
    assert "Appendix 1 Withdrawn" in page
    assert f"by {gs_user.full_name}: It names a complainant." in page


def test_a_replaced_file_gives_its_place_to_the_corrected_one(
    client, gs_user, on_a_published_agenda, django_capture_on_commit_callbacks
):
    meeting, paper, document = on_a_published_agenda
    with django_capture_on_commit_callbacks(execute=True):
        new = services.replace_document(
            document=document,
            uploaded_file=_pdf("newwords"),
            reason="The wrong draft was uploaded",
            version=document.version,
            actor=gs_user,
        )

    document.refresh_from_db()
    assert document.replaced_by == new
    assert document.withdrawal_reason == "The wrong draft was uploaded"
    assert (new.title, new.kind, new.position) == ("Appendix 1", document.kind, document.position)
    assert new.history.latest().history_user == gs_user
    text = _pack_text(meeting)
    assert "newwords" in text and "oldwords" not in text
    public = text_of(client.get(reverse("committees:report", args=[paper.pk])))
    assert public.count("Appendix 1") == 1
    assert client.get(reverse("committees:document", args=[new.pk])).status_code == 200
    assert client.get(reverse("committees:document", args=[document.pk])).status_code == 404


def test_a_bad_replacement_is_refused_whole_and_leaves_no_file(settings, tmp_path, gs_user):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = DocumentFactory()
    stored = {p.name for p in (tmp_path / "media").rglob("*") if p.is_file()}
    before = snapshot()
    cases = {
        "not a pdf": (SimpleUploadedFile("x.pdf", b"<script>"), "Reason", {"file"}),
        "no file": (None, "Reason", {"file"}),
        "no reason": (_pdf("fine"), "", {"reason"}),
        "neither": (SimpleUploadedFile("x.pdf", b""), "", {"file", "reason"}),
    }
    for upload, reason, fields in cases.values():
        with pytest.raises(ValidationError) as caught:
            services.replace_document(
                document=document,
                uploaded_file=upload,
                reason=reason,
                version=document.version,
                actor=gs_user,
            )
        assert set(caught.value.error_dict) == fields
    stale = _refusal(
        lambda: services.replace_document(
            document=document,
            uploaded_file=_pdf("fine"),
            reason="Reason",
            version=document.version + 1,
            actor=gs_user,
        )
    )
    assert stale == {"stale"}
    assert snapshot() == before
    assert {p.name for p in (tmp_path / "media").rglob("*") if p.is_file()} == stored


def test_a_withdrawn_file_cannot_be_withdrawn_or_replaced_again():
    document = DocumentFactory()
    services.withdraw_document(
        document=document, reason="Duplicate", version=document.version, actor=SCRIPT
    )
    assert _refusal(
        lambda: services.withdraw_document(
            document=document, reason="Again", version=ANY_VERSION, actor=SCRIPT
        )
    ) == {"withdrawn"}
    assert _refusal(
        lambda: services.replace_document(
            document=document,
            uploaded_file=_pdf("x"),
            reason="Again",
            version=ANY_VERSION,
            actor=SCRIPT,
        )
    ) == {"withdrawn"}


def test_a_withdrawn_minutes_file_leaves_the_packs_that_present_the_minutes(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    earlier = MeetingFactory(published=True, start=MeetingFactory().start)
    minutes = DocumentFactory(
        paper=None, meeting=earlier, kind="minutes", content=minimal_pdf("julywords")
    )
    meeting = MeetingFactory(published=True)
    AgendaItemFactory(meeting=meeting, position=1, number="1", minutes_of=earlier)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_pack_build(meeting)
    assert "julywords" in _pack_text(meeting)

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_document(
            document=minutes, reason="Draft minutes", version=minutes.version, actor=SCRIPT
        )

    assert "julywords" not in _pack_text(meeting)


# --- Sign-offs and files: the pages --------------------------------------------------------


def test_the_report_page_marks_withdrawn_rows_and_offers_corrections(gs, gs_user):
    paper = approve_fully(PaperFactory())
    row = paper.sign_offs.get(category="finance")
    services.withdraw_sign_off(sign_off=row, reason=HOSTILE, version=row.version, actor=gs_user)
    document = DocumentFactory(paper=paper)
    response = gs.get(reverse("manage:report", args=[paper.pk]))
    body = response.content.decode()

    assert HOSTILE not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    page = text_of(response)
    assert f"Withdrawn on {row.history.latest().history_date:%-d %B %Y}" in page
    assert f"by {gs_user.full_name}" in page
    assert "It no longer counts as an approval." in page
    # A withdrawn row offers no change; the others do, and every row its history.
    assert reverse("manage:sign_off_edit", args=[row.pk]) not in body
    assert reverse("manage:sign_off_history", args=[row.pk]) in body
    legal = paper.sign_offs.get(category="legal")
    assert reverse("manage:sign_off_edit", args=[legal.pk]) in body
    assert reverse("manage:sign_off_withdraw", args=[legal.pk]) in body
    assert reverse("manage:document_replace", args=[document.pk]) in body
    assert reverse("manage:document_withdraw", args=[document.pk]) in body


def test_the_public_sign_off_table_leaves_out_a_withdrawn_row(client):
    meeting = MeetingFactory(published=True)
    paper = approve_fully(PaperFactory())
    ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=meeting))
    row = paper.sign_offs.get(category="legal")
    url = reverse("committees:report", args=[paper.pk])
    assert "legal approver" in text_of(client.get(url))
    services.withdraw_sign_off(sign_off=row, reason="Not given", version=row.version, actor=SCRIPT)
    page = text_of(client.get(url))
    assert "legal approver" not in page and "finance approver" in page


def test_correcting_a_sign_off_through_its_page(gs, gs_user):
    row = SignOffFactory()
    url = reverse("manage:sign_off_edit", args=[row.pk])
    page = gs.get(url).content.decode()
    assert 'value="Paul Jennings"' in page
    assert f'name="version" value="{row.version}"' in page

    response = gs.post(
        url,
        {
            "kind": "approver",
            "category": "finance",
            "name": "Barrie Hastie",
            "version": row.version,
            **date_fields(dt.date(2017, 3, 9), "sent_on"),
            **date_fields(dt.date(2017, 3, 11), "approved_on"),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#sign-off-{row.pk}")
    row.refresh_from_db()
    assert (row.name, row.approved_on) == ("Barrie Hastie", dt.date(2017, 3, 11))
    history = text_of(gs.get(reverse("manage:sign_off_history", args=[row.pk])))
    assert "“Paul Jennings” to “Barrie Hastie”" in history
    assert gs_user.full_name in history


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "", "name": "X"}, "kind", "Select whether they contributed to or approved"),
        ({"kind": "ruler", "name": "X"}, "kind", "Select whether they contributed to or approved"),
        ({"kind": "approver", "name": ""}, "name", "Enter the name of the person"),
        ({"kind": "approver", "name": "x" * 151}, "name", "Name must be 150 characters or fewer"),
        ({"kind": "approver", "name": "X", "category": HOSTILE}, "category", "Select the approval"),
    ],
    ids=["missing", "wrong", "name missing", "oversized", "hostile"],
)
def test_a_bad_correction_gets_an_error_and_changes_nothing(gs, data, field, message):
    row = SignOffFactory()
    before = snapshot()
    response = gs.post(
        reverse("manage:sign_off_edit", args=[row.pk]), {**data, "version": row.version}
    )
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert any(e.startswith(message) for e in summary_errors(response)), summary_errors(response)
    assert _field_error(response, field).startswith(message)
    assert snapshot() == before


def test_a_stale_correction_page_is_refused(gs):
    row = SignOffFactory()
    url = reverse("manage:sign_off_edit", args=[row.pk])
    services.correct_sign_off(
        sign_off=row, kind="approver", name="Someone", version=row.version, actor=SCRIPT
    )
    before = snapshot()
    assert_refused(gs.post(url, {"kind": "approver", "name": "Me", "version": row.version}), STALE)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", services.WITHDRAWAL_NEEDS_REASON),
        ("x" * 1001, services.REASON_TOO_LONG),
    ],
    ids=["missing", "oversized"],
)
def test_withdrawing_without_a_fit_reason_gets_an_error_and_changes_nothing(gs, reason, message):
    row = SignOffFactory()
    document = DocumentFactory()
    before = snapshot()
    for url, version in [
        (reverse("manage:sign_off_withdraw", args=[row.pk]), row.version),
        (reverse("manage:document_withdraw", args=[document.pk]), document.version),
    ]:
        response = gs.post(url, {"reason": reason, "version": version})
        assert_refused(response, message)
        assert _field_error(response, "reason") == message
    assert snapshot() == before


def test_withdrawing_a_sign_off_and_a_file_through_their_pages(
    gs, gs_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    paper = approve_fully(PaperFactory())
    row = paper.sign_offs.get(category="members")
    document = DocumentFactory(paper=paper, title="Appendix 2")

    response = gs.post(
        reverse("manage:sign_off_withdraw", args=[row.pk]),
        {"reason": "The member had not seen it", "version": row.version},
    )
    assert response["Location"] == reverse("manage:report", args=[paper.pk]) + f"#sign-off-{row.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = gs.post(
            reverse("manage:document_withdraw", args=[document.pk]),
            {"reason": "Superseded", "version": document.version},
        )
    assert (
        response["Location"] == reverse("manage:report", args=[paper.pk]) + f"#file-{document.pk}"
    )
    page = text_of(gs.get(response["Location"]))
    assert "Appendix 2 withdrawn" in page
    assert "Withdrawn on" in page and "Superseded" in page
    history = text_of(gs.get(reverse("manage:document_history", args=[document.pk])))
    assert "Changed: Withdrawn" in history
    assert "Withdrawal reason: “” to “Superseded”" in history
    sign_off_history = text_of(gs.get(reverse("manage:sign_off_history", args=[row.pk])))
    assert "Withdrawal reason: “” to “The member had not seen it”" in sign_off_history


def test_replacing_a_file_through_its_page(gs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = DocumentFactory(title="Appendix 1")
    url = reverse("manage:document_replace", args=[document.pk])
    assert 'enctype="multipart/form-data"' in gs.get(url).content.decode()

    before = snapshot()
    refused = gs.post(url, {"reason": "", "version": document.version, "file": _pdf("x")})
    assert_refused(refused, services.REPLACEMENT_NEEDS_REASON)
    hostile = gs.post(
        url,
        {
            "reason": "Fix",
            "version": document.version,
            "file": SimpleUploadedFile("x.pdf", HOSTILE.encode()),
        },
    )
    assert hostile.status_code == 200 and summary_errors(hostile)
    assert snapshot() == before

    response = gs.post(
        url,
        {
            "reason": "Corrected figures",
            "title": "Appendix 1 (corrected)",
            "version": document.version,
            "file": _pdf("corrected"),
        },
    )
    assert response.status_code == 302
    new = Document.objects.get(replaced_by__isnull=True, withdrawn_at__isnull=True)
    assert new.title == "Appendix 1 (corrected)"
    assert response["Location"].endswith(f"#file-{new.pk}")
    page = text_of(gs.get(response["Location"]))
    assert "Replaced by Appendix 1 (corrected) on" in page
    assert "Corrected figures" in page


@pytest.mark.parametrize("withdrawn", [1, 20])
def test_the_report_page_costs_the_same_with_withdrawn_rows(
    gs, withdrawn, django_assert_num_queries
):
    paper = approve_fully(PaperFactory())
    ConsultationFactory(paper=paper)
    for n in range(withdrawn):
        row = SignOffFactory(paper=paper, name=f"Row {n}")
        services.withdraw_sign_off(sign_off=row, reason="x", version=row.version, actor=SCRIPT)
        new = DocumentFactory(paper=paper)
        old = DocumentFactory(paper=paper)
        Document.objects.filter(pk=old.pk).update(withdrawn_at=new.created_at, replaced_by=new)
    url = reverse("manage:report", args=[paper.pk])
    gs.get(url)
    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        gs.get(url)


def test_the_reports_list_counts_files_not_withdrawn(gs):
    paper = PaperFactory(title="Counted")
    DocumentFactory(paper=paper)
    DocumentFactory(paper=paper, withdrawn_at=paper.created_at)
    page = gs.get(reverse("manage:reports")).content.decode()
    row = re.search(r"Counted</a>.*?</tr>", page, re.S)[0]
    assert re.search(r">\s*1\s*<", row), row


# --- A report created from an item -----------------------------------------------------------


def _report_fields(**overrides):
    return {
        "reference": "CMPL-2017-04-13-09",
        "title": "Review of the Council's Whistleblowing Policy",
        "paper_type": "Report",
        **date_fields(dt.date(2017, 3, 29)),
        "author_name": "Adrian West",
        "visibility": "public",
        "role": "decision",
        "recommendation": "Approve the policy",
        **overrides,
    }


def test_a_report_created_from_an_item_is_attached_and_the_clerk_returns_to_it(gs):
    meeting = meeting_at(future_day(30))
    item = item_on(meeting, title="Whistleblowing")
    attach_page = gs.get(reverse("manage:item_attach_report", args=[item.pk])).content.decode()
    create_url = reverse("manage:report_create") + f"?item={item.pk}"
    assert f'href="{create_url}"' in attach_page

    response = gs.post(create_url, _report_fields(), follow=True)

    paper = Paper.objects.get()
    consultation = Consultation.objects.get()
    assert (consultation.paper, consultation.agenda_item) == (paper, item)
    assert consultation.recommendation == "Approve the policy"
    assert response.redirect_chain[-1][0] == (
        reverse("manage:meeting", args=[meeting.pk]) + f"#item-{item.pk}"
    )
    page = text_of(response)
    assert f"Report created and attached to item {item.full_number}" in page
    assert "Review of the Council's Whistleblowing Policy (for decision)" in page


@pytest.mark.parametrize(
    ("query", "status"), [("?item=abc", 404), ("?item=99999999", 404), ("?item=" + "9" * 30, 404)]
)
def test_a_wrong_item_is_not_found(gs, query, status):
    assert gs.get(reverse("manage:report_create") + query).status_code == status


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role": ""}, "Select what the meeting is asked to do with the report"),
        ({"role": HOSTILE}, "Select what the meeting is asked to do with the report"),
        ({"title": ""}, "Enter the title of the report"),
        ({"title": "x" * 301}, "Title must be 300 characters or fewer"),
    ],
    ids=["missing role", "hostile role", "missing title", "oversized title"],
)
def test_a_bad_report_from_an_item_gets_an_error_and_creates_nothing(gs, overrides, message):
    item = item_on(meeting_at(future_day(30)))
    before = snapshot()
    response = gs.post(
        reverse("manage:report_create") + f"?item={item.pk}", _report_fields(**overrides)
    )
    assert_refused(response, message)
    assert snapshot() == before


def test_a_new_report_cannot_go_on_a_published_agenda_and_nothing_is_created(gs):
    item = AgendaItemFactory(meeting=meeting_at(future_day(30), published=True))
    page = gs.get(reverse("manage:item_attach_report", args=[item.pk])).content.decode()
    assert f"?item={item.pk}" not in page  # it is offered to create, approve, then attach
    before = snapshot()
    response = gs.post(reverse("manage:report_create") + f"?item={item.pk}", _report_fields())
    assert response.status_code == 200
    assert any("cannot go on a published agenda" in e for e in summary_errors(response))
    assert snapshot() == before


# --- The refusal to publish links each report ----------------------------------------------


def test_the_refusal_to_publish_names_and_links_each_report_lacking_approvals(gs):
    meeting = meeting_at(future_day(30))
    item = item_on(meeting)
    lacking = [PaperFactory(title="Budget <2017>"), PaperFactory(title="Audit Plan")]
    approved = approve_fully(PaperFactory(title="Approved report"))
    for paper in [*lacking, approved]:
        services.attach_report(item=item, paper=paper, role="decision", actor=SCRIPT)
    before = snapshot()

    response = gs.post(reverse("manage:meeting_publish", args=[meeting.pk]), {})

    assert response.status_code == 200
    links = re.findall(
        r'<li><a href="([^"]+)">([^<]+) cannot go on a published agenda',
        response.content.decode(),
    )
    assert links == [
        (reverse("manage:report", args=[lacking[1].pk]) + "#sign-off", "Audit Plan"),
        (reverse("manage:report", args=[lacking[0].pk]) + "#sign-off", "Budget &lt;2017&gt;"),
    ]
    assert snapshot() == before
    # Each link leads to the report's sign-off table.
    assert 'id="sign-off"' in gs.get(links[0][0].split("#")[0]).content.decode()


# --- The pack on the clerk's meeting page --------------------------------------------------


def test_the_meeting_page_offers_the_ready_pack_with_its_pages_and_size(gs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    meeting = meeting_at(future_day(30), published=True)
    url = reverse("manage:meeting", args=[meeting.pk])
    download = reverse("manage:pack_download", args=[meeting.pk])
    assert download not in gs.get(url).content.decode()
    assert gs.get(download).status_code == 404

    ready = AgendaPackFactory(meeting=meeting, pages=12)
    AgendaPack.objects.create(meeting=meeting, status=PackStatus.BUILDING, progress=10)
    page = text_of(gs.get(url))

    size = f"{ready.size / 1024:.1f} KB"
    assert f"Download the agenda pack (PDF, 12 pages, {size})" in page
    assert "Being built (10% done)" in page
    assert "the newer build is not ready" in page
    response = gs.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert len(PdfReader(io.BytesIO(content)).pages) == 12


def test_the_meeting_page_costs_the_same_with_a_ready_and_a_newer_pack(
    gs, settings, tmp_path, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path / "media"
    earlier = meeting_at(future_day(-30))
    meeting = meeting_at(future_day(30), published=True)
    ConsultationFactory(agenda_item=AgendaItemFactory(meeting=meeting, minutes_of=earlier))
    AgendaPackFactory(meeting=meeting)
    AgendaPack.objects.create(meeting=meeting, status=PackStatus.FAILED)
    url = reverse("manage:meeting", args=[meeting.pk])
    gs.get(url)
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        gs.get(url)


# --- A withdrawn approval leaves a published report short ------------------------------------


def _published_with_report(title="Information Risk Policy", days=30):
    meeting = meeting_at(future_day(days), published=True)
    paper = approve_fully(PaperFactory(title=title))
    ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=meeting))
    return meeting, paper


def _warnings(response) -> list[str]:
    """The words of the page's GOV.UK warning texts."""
    found = re.findall(
        r'<strong class="govuk-warning-text__text">(.*?)</strong>', response.content.decode(), re.S
    )
    words = (re.sub(r"<[^>]+>", " ", re.sub(r"</?a\b[^>]*>", "", w)) for w in found)
    return [" ".join(html.unescape(w).split()) for w in words]


def test_withdrawing_an_approval_of_a_published_report_says_so_and_the_pages_warn(gs):
    meeting, paper = _published_with_report()
    legal = paper.sign_offs.get(category="legal")
    when = f"{meeting.title}, {day(meeting.start)}"

    response = gs.post(
        reverse("manage:sign_off_withdraw", args=[legal.pk]),
        {"reason": "Signed by mistake", "version": legal.version},
        follow=True,
    )
    page = text_of(response)
    assert (
        f"Sign-off of legal approver withdrawn. The report is on the published agenda of "
        f"{when}, and now lacks this approval: Legal" in page
    )
    assert _warnings(response) == [
        f"Warning This report is on the published agenda of {when} but lacks this approval: "
        "Legal. Record it in the sign-off table."
    ]
    meeting_page = gs.get(reverse("manage:meeting", args=[meeting.pk]))
    assert _warnings(meeting_page) == [
        "Warning Information Risk Policy is on this published agenda but lacks this approval: "
        "Legal. Record it in its sign-off table."
    ]
    link = reverse("manage:report", args=[paper.pk]) + "#sign-off"
    assert f'href="{link}"' in meeting_page.content.decode()

    # A second approval withdrawn: both named.
    finance = paper.sign_offs.get(category="finance")
    response = gs.post(
        reverse("manage:sign_off_withdraw", args=[finance.pk]),
        {"reason": "Not seen", "version": finance.version},
        follow=True,
    )
    assert "now lacks these approvals: Finance and Legal" in text_of(response)
    assert "lacks these approvals: Finance and Legal. Record them" in _warnings(response)[0]

    # The warnings last until the approvals are back.
    SignOffFactory(paper=paper, category="legal", name="Helen Lynch")
    SignOffFactory(paper=paper, category="finance", name="Barry Hastie")
    assert _warnings(gs.get(reverse("manage:report", args=[paper.pk]))) == []
    assert _warnings(gs.get(reverse("manage:meeting", args=[meeting.pk]))) == []


def test_a_report_on_two_published_agendas_names_both(gs):
    first, paper = _published_with_report()
    second = meeting_at(future_day(40), published=True)
    ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=second))
    members = paper.sign_offs.get(category="members")
    response = gs.post(
        reverse("manage:sign_off_withdraw", args=[members.pk]),
        {"reason": "The member had not seen it", "version": members.version},
        follow=True,
    )
    assert (
        f"The report is on the published agendas of {first.title}, {day(first.start)} and of "
        f"{second.title}, {day(second.start)}, and now lacks this approval: Members"
        in text_of(response)
    )
    assert len(_warnings(response)) == 2


def test_a_correction_that_leaves_a_published_report_short_says_so(gs):
    meeting, paper = _published_with_report()
    director = paper.sign_offs.get(category="director")
    response = gs.post(
        reverse("manage:sign_off_edit", args=[director.pk]),
        {
            "kind": "approver",
            "category": "director",
            "name": "Martin Yardley",
            "version": director.version,
        },  # the date approved cleared
        follow=True,
    )
    assert (
        "Sign-off of Martin Yardley corrected. The report is on the published agenda of "
        f"{meeting.title}, {day(meeting.start)}, and now lacks this approval: Director"
        in text_of(response)
    )


def test_no_warning_where_the_agenda_is_not_published_or_nothing_required_is_missing(gs, settings):
    draft = meeting_at(future_day(30))
    on_a_draft = approve_fully(PaperFactory(title="On a draft agenda"))
    ConsultationFactory(paper=on_a_draft, agenda_item=AgendaItemFactory(meeting=draft))
    legal = on_a_draft.sign_offs.get(category="legal")
    response = gs.post(
        reverse("manage:sign_off_withdraw", args=[legal.pk]),
        {"reason": "Signed by mistake", "version": legal.version},
        follow=True,
    )
    assert "Sign-off of legal approver withdrawn" in text_of(response)
    assert "published agenda" not in text_of(response)
    assert _warnings(response) == []
    assert _warnings(gs.get(reverse("manage:meeting", args=[draft.pk]))) == []

    # An approval the council does not require (the one rule: rules.missing_sign_offs).
    settings.COMMITTEE_REQUIRED_SIGN_OFFS = ["legal"]
    meeting, paper = _published_with_report(title="Audit Plan")
    finance = paper.sign_offs.get(category="finance")
    response = gs.post(
        reverse("manage:sign_off_withdraw", args=[finance.pk]),
        {"reason": "Not needed", "version": finance.version},
        follow=True,
    )
    assert "published agenda" not in text_of(response)
    assert _warnings(response) == []
    assert _warnings(gs.get(reverse("manage:meeting", args=[meeting.pk]))) == []


def test_the_warning_and_the_refusal_to_publish_ask_the_same_rule():
    """policies.published_lacking and services._check_sign_offs read approvals the same way
    (policies.approvals): what the warning names is exactly what publication would refuse."""
    _, paper = _published_with_report(title="Whistleblowing Policy")
    legal = paper.sign_offs.get(category="legal")
    services.withdraw_sign_off(sign_off=legal, reason="x", version=legal.version, actor=SCRIPT)
    SignOffFactory(paper=paper, category="members", name="Not yet approved", approved_on=None)
    (shortfall,) = manage_queries.report_shortfalls(paper)
    assert shortfall.missing == ("Legal",)
    draft = meeting_at(future_day(45))
    services.attach_report(item=item_on(draft), paper=paper, role="decision", actor=SCRIPT)
    with pytest.raises(ValidationError) as caught:
        services.publish_agenda(meeting=draft, actor=SCRIPT)
    assert caught.value.messages == [
        "Whistleblowing Policy cannot go on a published agenda until it has these approvals: legal"
    ]


@pytest.mark.parametrize("size", [1, 20])
def test_the_pages_cost_the_same_with_reports_lacking_approvals(
    gs, size, django_assert_num_queries
):
    paper = approve_fully(PaperFactory())
    meeting = meeting_at(future_day(50), published=True)
    earlier = meeting_at(future_day(-30))  # the page's reads all run: an item presents minutes
    for n in range(size):
        other = approve_fully(PaperFactory())
        item = AgendaItemFactory(meeting=meeting, minutes_of=earlier)
        ConsultationFactory(paper=other, agenda_item=item)
        services.withdraw_sign_off(
            sign_off=other.sign_offs.get(category="legal"), reason="x", version=1, actor=SCRIPT
        )
        ConsultationFactory(
            paper=paper,
            agenda_item=AgendaItemFactory(meeting=meeting_at(future_day(n + 1), published=True)),
        )
    legal = paper.sign_offs.get(category="legal")
    services.withdraw_sign_off(sign_off=legal, reason="x", version=legal.version, actor=SCRIPT)
    for url, queries, warnings in [
        (reverse("manage:report", args=[paper.pk]), REPORT_PAGE_QUERIES, size),
        (reverse("manage:meeting", args=[meeting.pk]), MEETING_PAGE_QUERIES, size),
    ]:
        assert len(_warnings(gs.get(url))) == warnings
        with django_assert_num_queries(queries):
            gs.get(url)
