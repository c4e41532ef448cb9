"""Uploads are judged by their bytes: real PDFs and Word files are stored under random names
with what was learnt from them; anything else is refused with a clear message, leaving no row
and no file behind."""

import hashlib
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from committees import documents
from committees.models import Document, DocumentKind, Meeting
from portal_kit import uploads
from tests.committees.factories import MeetingFactory, PaperFactory, minimal_pdf
from tests.security.payloads import content_types

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"documents/[0-9a-f]{32}\.(pdf|docx)")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test stores files in its own empty folder, so "nothing stored" can be seen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


class RawUpload(io.BytesIO):
    """An upload whose name reaches us exactly as sent (Django's own UploadedFile already
    drops folders from the name; the cleaning must not depend on that)."""

    def __init__(self, content: bytes, name: str):
        super().__init__(content)
        self.name = name
        self.size = len(content)


def upload(content: bytes, name: str = "report.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def docx(paragraphs=("Whistleblowing policy", "Raise a concern & follow it up")) -> bytes:
    body = "".join(
        f"<w:p><w:r><w:t>{p.replace('&', '&amp;')}</w:t></w:r></w:p>" for p in paragraphs
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types())
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body>'
            f"{body}</w:body></w:document>",
        )
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf("Secret"))))
    writer.encrypt(user_password="open-sesame", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def store(content: bytes, name: str = "report.pdf", **kwargs):
    kwargs.setdefault("paper", PaperFactory())
    kwargs.setdefault("kind", DocumentKind.REPORT)
    kwargs.setdefault("title", "Code of Corporate Governance")
    return documents.store_document(uploaded_file=upload(content, name), **kwargs)


def assert_refused(media, message: str, content: bytes, name: str = "report.pdf"):
    paper = PaperFactory()
    before = Document.objects.count()
    with pytest.raises(ValidationError) as caught:
        documents.store_document(
            uploaded_file=upload(content, name),
            paper=paper,
            kind=DocumentKind.REPORT,
            title="Report",
        )
    assert caught.value.message_dict == {"file": [message]}
    assert Document.objects.count() == before
    assert stored_files(media) == []


class TestAccepted:
    def test_a_pdf_is_stored_with_its_facts_under_a_random_name(self, media):
        content = minimal_pdf("Code of Corporate Governance", pages=3)
        paper = PaperFactory()

        document = store(content, "Code of Governance.pdf", paper=paper, position=2)

        document.refresh_from_db()
        assert document.paper == paper
        assert document.kind == DocumentKind.REPORT
        assert document.position == 2
        assert STORED_NAME.fullmatch(document.file.name)
        assert document.file.name.endswith(".pdf")
        assert document.original_name == "Code of Governance.pdf"
        assert document.mime_type == "application/pdf"
        assert document.page_count == 3
        assert document.size == len(content)
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert "Code of Corporate Governance (page 3)" in document.text
        with document.file.open("rb") as stored:
            assert stored.read() == content
        assert len(stored_files(media)) == 1

    def test_a_word_document_is_stored_with_its_text_and_no_page_count(self):
        content = docx()

        document = store(content, "policy.docx", kind=DocumentKind.APPENDIX, title="Policy")

        assert STORED_NAME.fullmatch(document.file.name)
        assert document.file.name.endswith(".docx")
        assert document.mime_type == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert document.page_count is None
        assert document.text == "Whistleblowing policy\nRaise a concern & follow it up"
        assert document.original_name == "policy.docx"

    def test_minutes_belong_to_a_meeting(self):
        meeting = MeetingFactory()

        document = store(
            minimal_pdf("Minutes"), paper=None, meeting=meeting, kind=DocumentKind.MINUTES
        )

        assert document.meeting == meeting and document.paper is None

    def test_the_type_comes_from_the_bytes_not_the_name(self):
        document = store(minimal_pdf("Really a PDF"), "report.docx")

        assert document.mime_type == "application/pdf"
        assert document.file.name.endswith(".pdf")
        assert document.original_name == "report.pdf"

    def test_word_entities_are_not_expanded(self):
        content = io.BytesIO()
        with zipfile.ZipFile(content, "w") as archive:
            archive.writestr("[Content_Types].xml", content_types())
            archive.writestr(
                "word/document.xml",
                '<!DOCTYPE d [<!ENTITY boom "BOOMBOOMBOOM">]><w:document><w:p><w:t>'
                "&boom; &lt;safe&gt;</w:t></w:p></w:document>",
            )

        facts = documents.validate_and_read(RawUpload(content.getvalue(), "x.docx"))

        assert "BOOMBOOMBOOM" not in facts.text
        assert "<safe>" in facts.text


class TestRefused:
    @pytest.mark.parametrize(
        "content",
        [
            b"MZ\x90\x00\x03\x00\x00\x00 an executable",
            b"<html><script>alert(1)</script></html>",
            b"\x89PNG\r\n\x1a\n",
            b" %PDF-1.4 not at the start",
        ],
        ids=["exe", "html", "png", "pdf-marker-not-first"],
    )
    def test_wrong_bytes_behind_a_pdf_name(self, media, content):
        assert_refused(media, documents.WRONG_TYPE, content, "report.pdf")

    def test_a_zip_that_is_not_a_word_document(self, media):
        content = io.BytesIO()
        with zipfile.ZipFile(content, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")

        assert_refused(media, documents.WRONG_TYPE, content.getvalue(), "budget.docx")

    def test_an_old_word_document(self, media):
        content = uploads.OLE_MAGIC + b"\x00" * 600

        assert_refused(media, documents.OLD_WORD_FORMAT, content, "report.doc")

    def test_a_password_protected_word_document(self, media):
        content = uploads.OLE_MAGIC + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")

        assert_refused(media, documents.PASSWORD_PROTECTED, content, "report.docx")

    def test_an_empty_file(self, media):
        assert_refused(media, documents.EMPTY, b"")

    def test_an_oversized_file_is_refused_from_its_size(self, media, settings):
        settings.MAX_UPLOAD_BYTES = 1024
        content = minimal_pdf("Big", pages=5)
        assert len(content) > 1024

        assert_refused(media, "The selected file must be smaller than 1 KB", content)

    def test_the_size_is_checked_before_anything_is_read(self, settings):
        settings.MAX_UPLOAD_BYTES = 20 * 1024 * 1024

        class Huge:
            name = "huge.pdf"
            size = 21 * 1024 * 1024

            def read(self, *args):
                raise AssertionError("read before the size was checked")

            chunks = read

        with pytest.raises(ValidationError) as caught:
            documents.validate_and_read(Huge())
        assert caught.value.messages == ["The selected file must be smaller than 20 MB"]

    def test_a_file_larger_than_its_declared_size_is_refused(self, settings):
        settings.MAX_UPLOAD_BYTES = 1024
        lying = RawUpload(minimal_pdf("Big", pages=5), "report.pdf")
        lying.size = 10

        with pytest.raises(ValidationError) as caught:
            documents.validate_and_read(lying)
        assert caught.value.messages == [documents.too_big_message()]

    def test_a_password_protected_pdf(self, media):
        assert_refused(media, documents.PASSWORD_PROTECTED, encrypted_pdf())

    @pytest.mark.parametrize(
        "damage",
        [
            lambda b: b[: len(b) // 2],
            lambda b: b[:-200],
            lambda b: b[:9] + bytes(reversed(b[9:])),
            lambda b: b[:100] + b"\x00" * (len(b) - 300) + b[-200:],
            lambda b: b"%PDF-1.4\n",
        ],
        ids=["half", "no-trailer", "garbled", "zeroed", "header-only"],
    )
    def test_a_damaged_pdf(self, media, damage):
        assert_refused(media, documents.DAMAGED, damage(minimal_pdf("Report", pages=3)))

    def test_a_damaged_word_document(self, media):
        content = docx()

        assert_refused(media, documents.DAMAGED, content[:30], "report.docx")

    def test_a_zip_bomb(self, media):
        bomb = io.BytesIO()
        with (
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
            archive.open("word/document.xml", "w") as member,
        ):
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(uploads.MAX_DOCX_UNPACKED_BYTES // len(zeros) + 1):
                member.write(zeros)
        assert len(bomb.getvalue()) < 2 * 1024 * 1024

        assert_refused(media, documents.TOO_BIG_UNPACKED, bomb.getvalue(), "report.docx")

    def test_missing_title_owner_and_kind_are_all_reported(self, media):
        with pytest.raises(ValidationError) as caught:
            documents.store_document(
                uploaded_file=upload(b""), kind="poem", title="  ", paper=None, meeting=None
            )

        assert caught.value.message_dict == {
            "paper": [documents.NO_OWNER],
            "kind": [documents.BAD_KIND],
            "title": [documents.NO_TITLE],
            "file": [documents.EMPTY],
        }
        assert Document.objects.count() == 0
        assert stored_files(media) == []

    def test_a_row_that_cannot_be_saved_leaves_no_file(self, media):
        unsaved_meeting = Meeting(start=timezone.now())

        with pytest.raises(ValueError, match="unsaved related object"):
            documents.store_document(
                uploaded_file=upload(minimal_pdf()),
                paper=PaperFactory(),
                meeting=unsaved_meeting,
                kind=DocumentKind.REPORT,
                title="Report",
            )

        assert Document.objects.count() == 0
        assert stored_files(media) == []


class TestHostileNames:
    @pytest.mark.parametrize(
        ("name", "shown"),
        [
            ("../../../etc/passwd.pdf", "passwd.pdf"),
            ("C:\\Users\\clerk\\Desktop\\report.pdf", "report.pdf"),
            ("report\x00.exe.pdf", "report.exe.pdf"),
            ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),
            ("bad\r\nname\x07\x1b[31m.pdf", "badname[31m.pdf"),
            ("..", "document.pdf"),
            ("", "document.pdf"),
            ("Council\u2019s report \u2013 final.pdf", "Council\u2019s report \u2013 final.pdf"),
        ],
    )
    def test_the_stored_name_is_random_and_the_shown_name_clean(self, media, name, shown):
        paper = PaperFactory()
        facts = documents.validate_and_read(RawUpload(minimal_pdf(), name))

        document = documents.store_document(
            uploaded_file=RawUpload(minimal_pdf(), name),
            paper=paper,
            kind=DocumentKind.REPORT,
            title="Report",
        )

        assert facts.original_name == shown
        assert document.original_name == shown
        assert STORED_NAME.fullmatch(document.file.name)
        [path] = stored_files(media)
        assert path.parent == media / "documents"

    def test_a_ten_thousand_character_name_is_cut_to_255_keeping_the_extension(self):
        document = store(minimal_pdf(), "a" * 10_000 + ".pdf")

        assert len(document.original_name) == 255
        assert document.original_name == "a" * 251 + ".pdf"
        assert STORED_NAME.fullmatch(document.file.name)

    def test_two_uploads_of_one_name_get_different_stored_names(self):
        first = store(minimal_pdf(), "report.pdf")
        second = store(minimal_pdf(), "report.pdf")

        assert first.file.name != second.file.name
        assert first.original_name == second.original_name == "report.pdf"


class TestRenderTextPdf:
    def test_renders_a_real_pdf_with_typographic_characters(self):
        content = documents.render_text_pdf(
            "Review of the Council\u2019s Whistleblowing Policy",
            [
                "The policy \u201cSpeak Up\u201d \u2013 costs \u00a3120 and \u20ac5.",
                "Steps: raise \u2192 acknowledge \u2265 7 days; \u03a9 symbol.",
            ],
            heading_lines=["Report of the Deputy Chief Executive (Place)", "13 April 2017"],
        )

        facts = documents.validate_and_read(RawUpload(content, "report.pdf"))
        assert facts.page_count == 1
        text = facts.text
        assert "Review of the Council\u2019s Whistleblowing Policy" in text
        assert "Report of the Deputy Chief Executive (Place)" in text
        assert "\u201cSpeak Up\u201d \u2013 costs \u00a3120 and \u20ac5." in text
        assert "raise -> acknowledge >= 7 days; ? symbol." in text

    def test_long_text_flows_onto_more_pages(self):
        paragraphs = [f"Paragraph {n}. " + "The Council will act openly. " * 30 for n in range(40)]

        content = documents.render_text_pdf("Long report", paragraphs)

        reader = PdfReader(io.BytesIO(content))
        assert len(reader.pages) > 3
        assert "Paragraph 39." in reader.pages[-1].extract_text()
