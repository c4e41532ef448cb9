"""Uploaded files (reports, appendices, minutes): checked, read and stored.

The checks themselves are the kit's (portal_kit/uploads.py, shared with the whistleblowing
evidence): what a file is gets decided from its bytes, never from its name or the content
type the browser sent; a PDF carrying active content (JavaScript, automatic or launch
actions, attached files, multimedia) is refused, since the public can download it and it
goes into the agenda pack; a Word document (.docx) must be a plain WordprocessingML package.
Committees take PDFs and Word documents only. The stored file gets a random name; the name
the person uploaded is kept, cleaned, for display only.

Also `render_text_pdf`, which draws plain text as an A4 PDF (the demo data's reports).
"""

import dataclasses
import hashlib
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from committees.models import Document, DocumentKind, Meeting, Paper
from portal_kit.uploads import (
    ACTIVE_CONTENT,
    ACTIVE_WORD_CONTENT,
    DAMAGED,
    DOCX,
    EMPTY,
    NO_FILE,
    OLD_WORD_FORMAT,
    PASSWORD_PROTECTED,
    PDF,
    TOO_BIG,
    TOO_BIG_UNPACKED,
    TOO_COMPLEX,
    WRONG_TYPE,
    clean_display_name,
    inspect_document,
    read_upload,
    size_text,
)
from portal_kit.uploads import too_big_message as _too_big_for

#: The upload messages and helpers committees' pages and tests name through this module; they
#: are defined once, in portal_kit.uploads.
__all__ = [
    "ACTIVE_CONTENT",
    "ACTIVE_WORD_CONTENT",
    "BAD_KIND",
    "DAMAGED",
    "DOCX",
    "EMPTY",
    "NO_FILE",
    "NO_OWNER",
    "NO_TITLE",
    "OLD_WORD_FORMAT",
    "PASSWORD_PROTECTED",
    "PDF",
    "TITLE_TOO_LONG",
    "TOO_BIG",
    "TOO_BIG_UNPACKED",
    "TOO_COMPLEX",
    "WRONG_TYPE",
    "DocumentFacts",
    "clean_display_name",
    "new_pdf",
    "pdf_safe",
    "render_text_pdf",
    "size_text",
    "store_document",
    "too_big_message",
    "validate_and_read",
]

NO_OWNER = "Select the report or meeting the document belongs to"
NO_TITLE = "Enter a title for the document"
TITLE_TOO_LONG = "The title must be 300 characters or fewer"
BAD_KIND = "Select what kind of document this is"


@dataclasses.dataclass(frozen=True)
class DocumentFacts:
    """What an accepted upload is: its bytes and what was learnt from them."""

    content: bytes
    size: int
    sha256: str
    mime_type: str
    extension: str
    page_count: int | None
    text: str
    original_name: str


def too_big_message() -> str:
    return _too_big_for(settings.MAX_UPLOAD_BYTES)


def validate_and_read(uploaded_file) -> DocumentFacts:
    """Check an upload and learn what it is. Raises ValidationError with a message for the
    person uploading; never trusts the file's name or declared content type."""
    content = read_upload(uploaded_file, limit=settings.MAX_UPLOAD_BYTES)
    inspected = inspect_document(content)
    return DocumentFacts(
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type=inspected.mime_type,
        extension=inspected.extension,
        page_count=inspected.page_count,
        text=inspected.text,
        original_name=clean_display_name(
            getattr(uploaded_file, "name", "") or "", inspected.extension
        ),
    )


def store_document(
    *,
    uploaded_file,
    paper: Paper | None = None,
    meeting: Meeting | None = None,
    kind: str,
    title: str,
    position: int = 0,
    actor=None,
) -> Document:
    """Check the upload and store it as a Document of `paper` (a report's file) or `meeting`
    (its minutes), its history attributed to `actor`; called by services.upload_document. If
    the row is not committed (a refused upload, a failed save, a connection lost at COMMIT),
    the stored file is removed again, so nothing is left behind. Inside a caller's
    transaction the caller's rollback cannot be seen here."""
    stored = []
    try:
        with transaction.atomic():
            return _store_document(
                stored=stored,
                uploaded_file=uploaded_file,
                paper=paper,
                meeting=meeting,
                kind=kind,
                title=title,
                position=position,
                actor=actor,
            )
    except BaseException:
        for document in stored:
            document.file.delete(save=False)
        raise


def _store_document(
    *,
    stored: list,
    uploaded_file,
    paper: Paper | None = None,
    meeting: Meeting | None = None,
    kind: str,
    title: str,
    position: int = 0,
    actor=None,
) -> Document:
    """Everything is checked before anything is written."""
    title = " ".join((title or "").split())
    errors = {}
    if paper is None and meeting is None:
        errors["paper"] = ValidationError(NO_OWNER, code="no_owner")
    if kind not in DocumentKind.values:
        errors["kind"] = ValidationError(BAD_KIND, code="bad_kind")
    if not title:
        errors["title"] = ValidationError(NO_TITLE, code="required")
    elif len(title) > Document._meta.get_field("title").max_length:
        errors["title"] = ValidationError(TITLE_TOO_LONG, code="max_length")
    try:
        facts = validate_and_read(uploaded_file)
    except ValidationError as error:
        errors["file"] = error
    if errors:
        raise ValidationError(errors)

    document = Document(
        paper=paper,
        meeting=meeting,
        kind=kind,
        title=title,
        position=position,
        original_name=facts.original_name,
        mime_type=facts.mime_type,
        size=facts.size,
        sha256=facts.sha256,
        page_count=facts.page_count,
        text=facts.text,
    )
    document.full_clean(exclude=["file"])
    document.file.save(
        f"{secrets.token_hex(16)}{facts.extension}", ContentFile(facts.content), save=False
    )
    stored.append(document)
    document._history_user = actor
    document.save()
    return document


# --- Drawing plain PDFs ---------------------------------------------------------------------

# fpdf2's core fonts draw Windows-1252, which has curly quotes, dashes, "£" and "€"; anything
# else is transliterated so no font files are needed.
_TRANSLITERATIONS = {
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2713": "Yes",
    "\u2717": "No",
    "\u25cf": "\u2022",
    "\u25aa": "\u2022",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}


def pdf_safe(text: str) -> str:
    """`text` reduced to what fpdf2's core fonts can draw (Windows-1252)."""
    out = []
    for char in str(text):
        char = _TRANSLITERATIONS.get(char, char)
        try:
            char.encode("cp1252")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char)
            char = "".join(c for c in decomposed if c.isascii() and c.isprintable()) or "?"
        if char in "\t\n" or char.isprintable():
            out.append(char)
    return "".join(out)


def new_pdf(title: str = ""):
    """An A4 fpdf2 document with the house settings: core Helvetica, Windows-1252."""
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(left=20, top=20, right=20)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.set_creator(f"{settings.COUNCIL_NAME} Governance Portal")
    if title:
        pdf.set_title(pdf_safe(title))
    return pdf


def render_text_pdf(title: str, paragraphs: list[str], *, heading_lines: list[str] = ()) -> bytes:
    """A plain A4 report: the title, a few heading lines (e.g. "Report of…", the date), then
    the paragraphs. Returns the PDF's bytes."""
    pdf = new_pdf(title)
    pdf.add_page()
    pdf.set_font("helvetica", style="B", size=16)
    pdf.multi_cell(0, 8, pdf_safe(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", size=11)
    for line in heading_lines:
        pdf.multi_cell(0, 6, pdf_safe(line), new_x="LMARGIN", new_y="NEXT")
    if heading_lines:
        pdf.ln(4)
    for paragraph in paragraphs:
        paragraph = pdf_safe(paragraph).strip()
        if paragraph:
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())
