"""Uploaded files (reports, appendices, minutes): checked, read and stored.

What a file is gets decided from its bytes, never from its name or the content type the
browser sent. A PDF is opened with pypdf (so a damaged or password-protected one is refused
now, not when the pack is built), and one carrying active content (JavaScript, automatic or
launch actions, attached files, multimedia) is refused, since the public can download it and
it goes into the agenda pack; a Word document (.docx) is a ZIP holding word/document.xml.
The stored file gets a random name; the name the person uploaded is kept, cleaned, for
display only.

Also `render_text_pdf`, which draws plain text as an A4 PDF (the demo data's reports).
"""

import dataclasses
import hashlib
import html
import io
import logging
import re
import secrets
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from committees.models import Document, DocumentKind, Meeting, Paper

logger = logging.getLogger(__name__)

WRONG_TYPE = "The selected file must be a PDF or Word document"
OLD_WORD_FORMAT = (
    "The selected file is in an old Word format (.doc). Save it as a .docx or PDF and upload that"
)
EMPTY = "The selected file is empty"
TOO_BIG = "The selected file must be smaller than {limit}"
PASSWORD_PROTECTED = "The selected file is password protected. Upload a copy without a password"  # noqa: S105
DAMAGED = "The selected file is damaged and cannot be opened"
TOO_BIG_UNPACKED = "The selected file is too large to open. Upload a smaller copy"
ACTIVE_CONTENT = (
    "The selected file must not contain scripts, automatic actions or attached files. "
    "Save it again as a plain PDF and upload that"
)
NO_FILE = "Select a file"
NO_OWNER = "Select the report or meeting the document belongs to"
NO_TITLE = "Enter a title for the document"
TITLE_TOO_LONG = "The title must be 300 characters or fewer"
BAD_KIND = "Select what kind of document this is"

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}

MAX_TEXT_CHARS = 1_000_000
# A .docx is a ZIP: refuse one that would unpack to more than this (a "zip bomb").
MAX_DOCX_UNPACKED_BYTES = 250 * 1024 * 1024
MAX_DOCX_ENTRIES = 10_000
MAX_DOCX_XML_BYTES = 100 * 1024 * 1024
MAX_NAME_LENGTH = 255

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc, and password-protected .docx
OLE_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


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


def size_text(n_bytes: int) -> str:
    """20971520 -> "20 MB"; 1500 -> "1.5 KB"; 800 -> "800 bytes"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n_bytes >= factor:
            return f"{n_bytes / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n_bytes} bytes"


def too_big_message() -> str:
    return TOO_BIG.format(limit=size_text(settings.MAX_UPLOAD_BYTES))


def validate_and_read(uploaded_file) -> DocumentFacts:
    """Check an upload and learn what it is. Raises ValidationError with a message for the
    person uploading; never trusts the file's name or declared content type."""
    if uploaded_file is None:
        raise ValidationError(NO_FILE, code="required")
    limit = settings.MAX_UPLOAD_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared == 0:
        raise ValidationError(EMPTY, code="empty")
    if declared is not None and declared > limit:
        raise ValidationError(too_big_message(), code="too_big")
    content = _read_at_most(uploaded_file, limit + 1)
    if not content:
        raise ValidationError(EMPTY, code="empty")
    if len(content) > limit:
        raise ValidationError(too_big_message(), code="too_big")

    if content.startswith(PDF_MAGIC):
        mime_type = PDF
        page_count, text = _read_pdf(content)
    elif content.startswith(ZIP_MAGIC):
        mime_type = DOCX
        page_count, text = None, _read_docx(content)
    elif content.startswith(OLE_MAGIC):
        if OLE_ENCRYPTED_PACKAGE in content:
            raise ValidationError(PASSWORD_PROTECTED, code="encrypted")
        raise ValidationError(OLD_WORD_FORMAT, code="wrong_type")
    else:
        raise ValidationError(WRONG_TYPE, code="wrong_type")

    extension = EXTENSIONS[mime_type]
    return DocumentFacts(
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type=mime_type,
        extension=extension,
        page_count=page_count,
        text=_clean_text(text),
        original_name=clean_display_name(getattr(uploaded_file, "name", "") or "", extension),
    )


def store_document(
    *,
    uploaded_file,
    paper: Paper | None = None,
    meeting: Meeting | None = None,
    kind: str,
    title: str,
    position: int = 0,
) -> Document:
    """Check the upload and store it as a Document of `paper` (a report's file) or `meeting`
    (its minutes). If the row is not committed (a refused upload, a failed save, a
    connection lost at COMMIT), the stored file is removed again, so nothing is left behind.
    Inside a caller's transaction the caller's rollback cannot be seen here."""
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
) -> Document:
    """Everything is checked before anything is written."""
    title = " ".join((title or "").split())
    errors = {}
    if paper is None and meeting is None:
        errors["paper"] = NO_OWNER
    if kind not in DocumentKind.values:
        errors["kind"] = BAD_KIND
    if not title:
        errors["title"] = NO_TITLE
    elif len(title) > Document._meta.get_field("title").max_length:
        errors["title"] = TITLE_TOO_LONG
    try:
        facts = validate_and_read(uploaded_file)
    except ValidationError as error:
        errors["file"] = error.messages[0]
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
    document.save()
    return document


def clean_display_name(name: str, extension: str) -> str:
    """The uploaded name made safe to show and to offer as a download name: no folders, no
    control or bidirectional-override characters, at most 255 characters, ending in the
    extension that matches what the file really is."""
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(c)[0] == "Z" else c
        for c in name
        if unicodedata.category(c)[0] != "C"  # control, format (bidi overrides), unassigned
    )
    name = " ".join(name.split()).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if dot and f".{suffix.lower()}" in {".pdf", ".docx", ".doc"}:
        name = stem.strip(" .")
    if not name:
        name = "document"
    return name[: MAX_NAME_LENGTH - len(extension)] + extension


def _read_at_most(uploaded_file, limit: int) -> bytes:
    buffer = bytearray()
    if hasattr(uploaded_file, "chunks"):
        chunks = uploaded_file.chunks()  # starts from the beginning
    else:
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        chunks = iter(lambda: uploaded_file.read(64 * 1024), b"")
    for chunk in chunks:
        buffer += chunk
        if len(buffer) >= limit:
            break
    return bytes(buffer[:limit])


def _read_pdf(content: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        encrypted = reader.is_encrypted
    except Exception as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    if encrypted:
        raise ValidationError(PASSWORD_PROTECTED, code="encrypted")
    texts, length = [], 0
    try:
        page_count = len(reader.pages)
        for page in reader.pages:
            if length < MAX_TEXT_CHARS:
                text = page.extract_text() or ""
                texts.append(text)
                length += len(text)
            else:
                page.get_contents()  # still prove every page can be read
    except Exception as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    if page_count == 0:
        raise ValidationError(DAMAGED, code="damaged")
    try:
        active = active_content(reader)
    except Exception as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    if active:
        logger.info("Refused a PDF holding active content: %s", active)
        raise ValidationError(ACTIVE_CONTENT, code="active_content")
    return page_count, "\n\n".join(texts)


# Action types (/S) that run code, start programs, send data or play embedded media. Links
# (/URI, /GoTo, /GoToR), named actions (next page, print) and layer switches are harmless.
UNSAFE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/Rendition",
        "/RichMediaExecute",
        "/GoToE",
        "/GoTo3DView",
        "/Movie",
        "/Sound",
    }
)
# Keys that only ever hold scripts, automatic ("additional") actions, attached files or XFA
# forms (which carry scripts).
UNSAFE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA"})
# Annotations that play media, run 3D scripts or carry an attached file.
UNSAFE_ANNOTATIONS = frozenset(
    {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D", "/FileAttachment"}
)
UNSAFE_URI = re.compile(r"^\s*(javascript|vbscript|data|file):", re.I)
MAX_PDF_OBJECTS = 1_000_000


def active_content(reader) -> str:
    """What in the PDF could run or launch something when it is opened or clicked (an empty
    string if nothing). Every object reachable from the document catalog is looked at, so a
    script hidden in an object stream, a form field or a page's annotation is found too; pypdf
    decodes escaped names (/J#61vaScript), so spelling cannot hide one."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    pending = [reader.trailer["/Root"]]
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            value = value.get_object()
        if isinstance(value, DictionaryObject):  # stream dictionaries included
            found = unsafe_entry(value)
            if found:
                return found
            pending.extend(value.values())
        elif isinstance(value, ArrayObject):
            pending.extend(value)
    return ""


def unsafe_entry(dictionary) -> str:
    """Why this one PDF dictionary is active content ("/JS", "/Launch", ...), or ""."""
    for key in UNSAFE_KEYS:
        if key in dictionary:
            return key
    action = dictionary.get("/S")
    if action in UNSAFE_ACTIONS:
        return str(action)
    if action == "/URI" and UNSAFE_URI.match(str(dictionary.get("/URI", ""))):
        return "/URI"
    if dictionary.get("/Type") == "/EmbeddedFile":
        return "/EmbeddedFile"
    if dictionary.get("/Type") == "/Annot" or "/Rect" in dictionary:
        subtype = dictionary.get("/Subtype")
        if subtype in UNSAFE_ANNOTATIONS:
            return str(subtype)
    return ""


def _read_docx(content: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    with archive:
        names = {info.filename for info in entries}
        if "word/document.xml" not in names:
            raise ValidationError(WRONG_TYPE, code="wrong_type")
        if any(info.flag_bits & 0x1 for info in entries):
            raise ValidationError(PASSWORD_PROTECTED, code="encrypted")
        if (
            len(entries) > MAX_DOCX_ENTRIES
            or sum(info.file_size for info in entries) > MAX_DOCX_UNPACKED_BYTES
        ):
            raise ValidationError(TOO_BIG_UNPACKED, code="too_big")
        try:
            # zipfile stops at the declared size, so this read is bounded whatever the data.
            with archive.open("word/document.xml") as member:
                xml = member.read(MAX_DOCX_XML_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as error:
            raise ValidationError(DAMAGED, code="damaged") from error
    if len(xml) > MAX_DOCX_XML_BYTES:
        raise ValidationError(TOO_BIG_UNPACKED, code="too_big")
    return _docx_text(xml.decode("utf-8", errors="replace"))


_PARAGRAPH_END = re.compile(r"</w:p>|<w:br\b[^>]*/>|<w:cr\b[^>]*/>")
_TAB = re.compile(r"<w:tab\b[^>]*/>")
_TAG = re.compile(r"<[^>]*>")


def _docx_text(xml: str) -> str:
    """The words of word/document.xml. Tags are stripped with a regular expression, not an
    XML parser, so no entity or DTD in a hostile file is ever expanded."""
    xml = _PARAGRAPH_END.sub("\n", xml)
    xml = _TAB.sub("\t", xml)
    text = html.unescape(_TAG.sub("", xml))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _clean_text(text: str) -> str:
    """Text PostgreSQL can store: no NUL bytes or lone surrogates; at most ~1 MB."""
    text = text.replace("\x00", "")[:MAX_TEXT_CHARS]
    return text.encode("utf-8", errors="replace").decode("utf-8")


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
