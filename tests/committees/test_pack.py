"""The agenda reports pack is one real PDF: front sheet and agenda, then each public item's
papers in order, every page numbered, the agenda's page ranges pointing where each item
really starts, and private business present only as a title and its Schedule 12A paragraph.
"""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from committees import documents, pack, tasks
from committees.models import AgendaItem, AgendaPack, DocumentKind, PackStatus
from governance_portal import pagecache
from portal_kit.time import LONDON
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    minimal_pdf,
)
from tests.factories import UserFactory
from tests.security.payloads import content_types

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def attach(content: bytes, *, title: str, kind=DocumentKind.REPORT, position=0, **owner):
    return documents.store_document(
        uploaded_file=SimpleUploadedFile(f"{title}.pdf", content),
        kind=kind,
        title=title,
        position=position,
        **owner,
    )


def landscape_rotated_pdf(text: str) -> bytes:
    """A landscape page, then a portrait page turned by /Rotate: pages come in all shapes."""
    pdf = FPDF(orientation="landscape")
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(0, 10, f"{text} (page 1)")
    pdf.add_page(orientation="portrait")
    pdf.cell(0, 10, f"{text} (page 2)")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.pages[1].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def report_on(item, *, paper=None, **paper_fields):
    paper = paper or PaperFactory(**paper_fields)
    ConsultationFactory(paper=paper, agenda_item=item)
    return paper


@pytest.fixture
def meeting():
    """Cabinet Member for Policy and Leadership, 13 April 2017: apologies; the minutes of the
    last meeting (with a sub-item); a report with an appendix (and a Word copy, which packs
    leave out); a report of odd page shapes with a private appendix; and private business."""
    organization = OrganizationFactory(name="Cabinet Member for Policy and Leadership")
    MembershipFactory(
        organization=organization,
        person=PersonFactory(given_name="George", family_name="Duggins"),
        role="cabinet_member",
    )
    MembershipFactory(
        organization=organization,
        person=PersonFactory(given_name="John", family_name="Blundell"),
        role="by_invitation",
        invitation_role="shadow_cabinet_member",
    )
    previous = MeetingFactory(
        organizations=[organization], start=dt.datetime(2016, 7, 28, 14, tzinfo=LONDON)
    )
    attach(
        minimal_pdf("MINUTES OF 28 JULY 2016", pages=2),
        title="Minutes",
        kind=DocumentKind.MINUTES,
        meeting=previous,
    )
    meeting = MeetingFactory(
        organizations=[organization],
        start=dt.datetime(2017, 4, 13, 14, tzinfo=LONDON),
        location=LocationFactory(room="Committee Room 2"),
        contact_officer=UserFactory(
            full_name="Suzanne Bennett",
            telephone="024 7683 3072",
            email="suzanne.bennett@coventry.gov.uk",
        ),
        published=True,
    )
    AgendaItemFactory(meeting=meeting, position=1, number="1", title="Apologies")
    minutes = AgendaItemFactory(
        meeting=meeting, position=2, number="2", title="Minutes", minutes_of=previous
    )
    AgendaItemFactory(
        meeting=meeting, parent=minutes, position=1, number="a)", title="Matters Arising"
    )
    code = AgendaItemFactory(
        meeting=meeting,
        position=3,
        number="3",
        title="Code of Corporate Governance",
        lead="Report of the Deputy Chief Executive (Place)",
    )
    code_paper = report_on(code, title="Code of Corporate Governance")
    # Attached out of order: the report still comes first, then appendices by position.
    attach(
        minimal_pdf("CODE APPENDIX 2"),
        title="Appendix 2",
        kind=DocumentKind.APPENDIX,
        position=2,
        paper=code_paper,
    )
    attach(
        minimal_pdf("CODE APPENDIX 1"),
        title="Appendix 1",
        kind=DocumentKind.APPENDIX,
        position=1,
        paper=code_paper,
    )
    attach(minimal_pdf("CODE REPORT", pages=2), title="Code report", paper=code_paper)
    documents.store_document(
        uploaded_file=SimpleUploadedFile("copy.docx", _docx("WORD COPY TEXT")),
        paper=code_paper,
        kind=DocumentKind.APPENDIX,
        title="Editable copy",
        position=3,
    )
    whistleblowing = AgendaItemFactory(
        meeting=meeting, position=4, number="4", title="Review of the Whistleblowing Policy"
    )
    attach(
        landscape_rotated_pdf("WHISTLEBLOWING REPORT"),
        title="Whistleblowing report",
        paper=report_on(whistleblowing),
    )
    secret_appendix = report_on(whistleblowing, paper=PrivatePaperFactory())
    attach(minimal_pdf("EXEMPT SECRET APPENDIX"), title="Prices", paper=secret_appendix)
    private = PrivateAgendaItemFactory(
        meeting=meeting, position=5, number="5", title="Contract award: bidder prices"
    )
    attach(
        minimal_pdf("EXEMPT SECRET", pages=3),
        title="Exempt report",
        paper=report_on(private, paper=PrivatePaperFactory(reference="PRIV-2")),
    )
    return meeting


def _docx(text: str) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types())
        archive.writestr("word/document.xml", f"<w:document><w:p>{text}</w:p></w:document>")
    return buffer.getvalue()


def build(meeting, django_capture_on_commit_callbacks) -> AgendaPack:
    with django_capture_on_commit_callbacks(execute=True):
        requested = tasks.request_pack_build(meeting)
    requested.refresh_from_db()
    return requested


def pages_of(built: AgendaPack) -> list[str]:
    with built.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


def item(meeting, title) -> AgendaItem:
    return AgendaItem.objects.get(meeting=meeting, title=title)


def first_page_with(pages: list[str], text: str) -> int:
    return next(n for n, page in enumerate(pages, start=1) if text in page)


def squash(text: str) -> str:
    return " ".join(text.split())


class TestThePack:
    def test_builds_one_numbered_pdf_and_publishes_it(
        self, meeting, django_capture_on_commit_callbacks
    ):
        built = build(meeting, django_capture_on_commit_callbacks)

        assert built.status == PackStatus.READY
        assert built.progress == 100
        assert built.error == ""
        assert built.started_at <= built.finished_at
        assert re.fullmatch(r"packs/[0-9a-f]{32}\.pdf", built.file.name)
        with built.file.open("rb") as handle:
            data = handle.read()
        assert built.size == len(data)
        assert built.sha256 == hashlib.sha256(data).hexdigest()
        pages = pages_of(built)
        assert built.page_count == len(pages)
        for number, text in enumerate(pages, start=1):
            assert re.search(rf"^Page {number}$", text, re.MULTILINE), number
        assert AgendaPack.objects.published_for(meeting).first() == built

    def test_front_sheet_and_agenda(self, meeting, django_capture_on_commit_callbacks):
        built = build(meeting, django_capture_on_commit_callbacks)

        pages = pages_of(built)
        front = squash(" ".join(pages[: first_page_with(pages, "MINUTES OF 28 JULY 2016") - 1]))
        for expected in [
            "Coventry City Council",
            "Cabinet Member for Policy and Leadership",
            "Time and Date 2.00 pm on Thursday, 13 April 2017",
            "Place Committee Room 2, Council House, Earl Street, Coventry, CV1 5RR",
            "Public Business",
            "1. Apologies",
            "a) Matters Arising",
            "Report of the Deputy Chief Executive (Place)",
            "Private Business",
            "5. Contract award: bidder prices",
            "Paragraph 3 of Schedule 12A",
            "Published on Wednesday, 5 April 2017",
            "Suzanne Bennett Tel: 024 7683 3072 Email: suzanne.bennett@coventry.gov.uk",
            "Membership: Councillor G Duggins, Cabinet Member",
            "By Invitation: Councillor J Blundell, Shadow Cabinet Member",
        ]:
            assert expected in front
        assert front.index("Public Business") < front.index("Private Business")
        assert front.index("Private Business") < front.index("Contract award")

    def test_page_ranges_point_where_each_item_starts(
        self, meeting, django_capture_on_commit_callbacks
    ):
        built = build(meeting, django_capture_on_commit_callbacks)

        pages = pages_of(built)
        minutes = item(meeting, "Minutes")
        code = item(meeting, "Code of Corporate Governance")
        whistleblowing = item(meeting, "Review of the Whistleblowing Policy")
        assert minutes.start_page == first_page_with(pages, "MINUTES OF 28 JULY 2016 (page 1)")
        assert minutes.end_page == first_page_with(pages, "MINUTES OF 28 JULY 2016 (page 2)")
        assert code.start_page == first_page_with(pages, "CODE REPORT (page 1)")
        assert code.start_page == minutes.end_page + 1
        assert first_page_with(pages, "CODE REPORT (page 2)") == code.start_page + 1
        assert first_page_with(pages, "CODE APPENDIX 1") == code.start_page + 2
        assert code.end_page == first_page_with(pages, "CODE APPENDIX 2") == code.start_page + 3
        assert whistleblowing.start_page == first_page_with(pages, "WHISTLEBLOWING REPORT")
        assert whistleblowing.end_page == whistleblowing.start_page + 1 == len(pages)
        # The agenda shows the same ranges.
        front = squash(" ".join(pages[: minutes.start_page - 1]))
        assert f"2. Minutes (Pages {minutes.start_page} - {minutes.end_page})" in front
        assert (
            f"3. Code of Corporate Governance (Pages {code.start_page} - {code.end_page})" in front
        )
        assert (
            f"Review of the Whistleblowing Policy (Pages {whistleblowing.start_page} - "
            f"{whistleblowing.end_page})" in front
        )
        for without_papers in ["Apologies", "Matters Arising", "Contract award: bidder prices"]:
            assert item(meeting, without_papers).start_page is None
            assert item(meeting, without_papers).end_page is None

    def test_private_business_never_reaches_the_pack(
        self, meeting, django_capture_on_commit_callbacks
    ):
        built = build(meeting, django_capture_on_commit_callbacks)

        text = "\n".join(pages_of(built))
        assert "EXEMPT" not in text
        assert "SECRET" not in text
        assert "Confidential: bidder prices" not in text  # the private papers' titles
        assert "Contract award: bidder prices" in text  # the item's title, on the agenda
        assert "Paragraph 3 of Schedule 12A" in text

    def test_a_sub_item_of_a_private_item_is_private_too(
        self, meeting, django_capture_on_commit_callbacks
    ):
        private = item(meeting, "Contract award: bidder prices")
        sub = AgendaItemFactory(
            meeting=meeting, parent=private, position=1, number="a)", title="Tender scores"
        )
        attach(minimal_pdf("EXEMPT SCORES"), title="Scores", paper=report_on(sub))

        built = build(meeting, django_capture_on_commit_callbacks)

        text = squash("\n".join(pages_of(built)))
        assert "5a) Tender scores" in text.split("Private Business", 1)[1]
        assert "EXEMPT" not in text
        sub.refresh_from_db()
        assert sub.start_page is None

    def test_word_documents_are_listed_but_not_packed(
        self, meeting, django_capture_on_commit_callbacks
    ):
        built = build(meeting, django_capture_on_commit_callbacks)

        assert "WORD COPY TEXT" not in "\n".join(pages_of(built))

    def test_progress_is_written_on_the_pack_as_it_goes(self, meeting):
        queued = AgendaPack.objects.create(meeting=meeting)
        seen = []

        def watch(value):
            seen.append((value, AgendaPack.objects.get(pk=queued.pk).progress))

        pack.build_pack(queued, progress=watch)

        values = [value for value, _ in seen]
        assert values[0] == 0 and values[-1] == 100
        assert values == sorted(values) and len(values) > 5
        assert all(stored == value for value, stored in seen)
        queued.refresh_from_db()
        assert queued.status == PackStatus.READY and queued.progress == 100

    def test_a_long_agenda_is_laid_out_again_with_the_final_ranges(
        self, django_capture_on_commit_callbacks
    ):
        meeting = MeetingFactory(published=True)
        for n in range(1, 31):
            agenda_item = AgendaItemFactory(
                meeting=meeting,
                position=n,
                number=str(n),
                title=f"Report number {n}",
                lead="Report of the Director of Finance and Corporate Services",
                description="To consider the report. " * 6,
            )
            attach(minimal_pdf(f"PAPER {n} TEXT"), title=f"Paper {n}", paper=report_on(agenda_item))

        built = build(meeting, django_capture_on_commit_callbacks)

        pages = pages_of(built)
        first_paper = first_page_with(pages, "PAPER 1 TEXT")
        assert first_paper > 2  # the agenda itself runs to more than one page
        front = squash(" ".join(pages[: first_paper - 1]))
        for n in range(1, 31):
            page = first_page_with(pages, f"PAPER {n} TEXT")
            assert page == first_paper + n - 1
            assert item(meeting, f"Report number {n}").start_page == page
            assert f"Report number {n} (Page {page})" in front


class TestFailureAndRetry:
    @pytest.mark.parametrize("problem", ["missing", "damaged"])
    def test_a_failed_build_keeps_the_previous_pack_and_says_why(
        self, meeting, media, django_capture_on_commit_callbacks, problem
    ):
        published = build(meeting, django_capture_on_commit_callbacks)
        code = item(meeting, "Code of Corporate Governance")
        ranges = (code.start_page, code.end_page)
        report = code.consultations.get().paper.documents.get(title="Appendix 1")
        if problem == "missing":
            report.file.storage.delete(report.file.name)
        else:
            with report.file.storage.open(report.file.name, "wb") as handle:
                handle.write(b"%PDF-1.4\n garbage")

        failed = build(meeting, django_capture_on_commit_callbacks)

        assert failed.status == PackStatus.FAILED
        assert "Appendix 1" in failed.error and "item 3" in failed.error
        assert ("could not be found" if problem == "missing" else "is damaged") in failed.error
        assert not failed.file
        assert failed.finished_at is not None
        assert AgendaPack.objects.published_for(meeting).first() == published
        assert published.file.storage.exists(published.file.name)
        assert len(list((media / "packs").iterdir())) == 1
        code.refresh_from_db()
        assert (code.start_page, code.end_page) == ranges

    def test_an_unexpected_error_is_logged_and_reported_plainly(
        self, meeting, caplog, django_capture_on_commit_callbacks
    ):
        report = item(meeting, "Code of Corporate Governance").consultations.get().paper
        # The stored name points at a folder: opening it fails with an OSError we cannot
        # explain to Governance Services.
        report.documents.filter(title="Code report").update(file="documents")

        failed = build(meeting, django_capture_on_commit_callbacks)

        assert failed.status == PackStatus.FAILED
        assert failed.error == pack.UNEXPECTED
        assert "IsADirectoryError" in caplog.text

    def test_a_retry_succeeds_once_the_cause_is_fixed(
        self, meeting, django_capture_on_commit_callbacks
    ):
        code = item(meeting, "Code of Corporate Governance")
        report = code.consultations.get().paper.documents.get(title="Code report")
        report.file.storage.delete(report.file.name)
        failed = build(meeting, django_capture_on_commit_callbacks)
        assert failed.status == PackStatus.FAILED
        assert AgendaPack.objects.published_for(meeting).first() is None

        report.file.save("replacement.pdf", ContentFile(minimal_pdf("CODE REPORT", pages=2)))
        retried = build(meeting, django_capture_on_commit_callbacks)

        assert retried.pk != failed.pk
        assert retried.status == PackStatus.READY
        assert AgendaPack.objects.published_for(meeting).first() == retried
        failed.refresh_from_db()
        assert failed.status == PackStatus.FAILED  # the record of the failure stays

    def test_a_newer_ready_pack_replaces_the_older(
        self, meeting, django_capture_on_commit_callbacks
    ):
        first = build(meeting, django_capture_on_commit_callbacks)
        second = build(meeting, django_capture_on_commit_callbacks)

        assert second.pk != first.pk
        assert AgendaPack.objects.published_for(meeting).first() == second


class TestRequestingABuild:
    def test_the_build_waits_for_the_commit(self, meeting, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            requested = tasks.request_pack_build(meeting)

        requested.refresh_from_db()
        assert requested.status == PackStatus.QUEUED
        # The other callback advances the page cache's content version (pagecache.py).
        (enqueue,) = [c for c in callbacks if c is not pagecache._advance]

        enqueue()

        requested.refresh_from_db()
        assert requested.status == PackStatus.READY

    def test_requests_while_queued_share_one_pack_and_build_once(
        self, meeting, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            first = tasks.request_pack_build(meeting)
            second = tasks.request_pack_build(meeting)

        assert first.pk == second.pk
        assert AgendaPack.objects.filter(meeting=meeting).count() == 1
        first.refresh_from_db()
        assert first.status == PackStatus.READY
        assert first.history.filter(status=PackStatus.READY).count() == 1

    def test_a_pack_already_taken_is_not_built_again(self, meeting):
        taken = AgendaPack.objects.create(meeting=meeting, status=PackStatus.BUILDING)

        result = tasks.build_agenda_pack.enqueue(taken.pk)

        assert result.return_value == "skipped"
        taken.refresh_from_db()
        assert taken.status == PackStatus.BUILDING and not taken.file

    def test_a_finished_pack_cannot_be_rebuilt(self, meeting):
        finished = AgendaPack.objects.create(meeting=meeting, status=PackStatus.FAILED)

        with pytest.raises(ValueError, match=pack.NOT_BUILDABLE):
            pack.build_pack(finished)
