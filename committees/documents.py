"""Uploaded files (reports, appendices, minutes): checked, read and stored.

What a file is gets decided from its bytes, never from its name or the content type the
browser sent. A PDF is opened with pypdf (so a damaged or password-protected one is refused
now, not when the pack is built), and one carrying active content (JavaScript, automatic or
launch actions, attached files, multimedia) is refused, since the public can download it and
it goes into the agenda pack. A Word document (.docx) must be a plain WordprocessingML
package: no macros, controls, programs, or templates and objects fetched from elsewhere.
The stored file gets a random name; the name the person uploaded is kept, cleaned, for
display only.

Also `render_text_pdf`, which draws plain text as an A4 PDF (the demo data's reports).
"""

import dataclasses
import hashlib
import html
import io
import logging
import posixpath
import re
import secrets
import unicodedata
import urllib.parse
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
TOO_COMPLEX = (
    "The selected file is too complex to check. Save it again as a plain PDF and upload that"
)
ACTIVE_WORD_CONTENT = (
    "The selected file must not contain macros, embedded programs, or templates or objects "
    "linked from elsewhere. Save it as a PDF, or as a Word document without them, and upload "
    "that"
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
    except TooComplex as error:
        raise ValidationError(TOO_COMPLEX, code="too_complex") from error
    except Exception as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    if active:
        logger.info("Refused a PDF holding active content: %s", active)
        raise ValidationError(ACTIVE_CONTENT, code="active_content")
    return page_count, "\n\n".join(texts)


# Action types (/S) that run code, start programs, send data or play embedded media. Links
# (/URI, /GoTo, /GoToR to a file beside this one), named actions (next page, print) and layer
# switches are harmless.
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
# Actions that open another PDF: harmless for one beside this file, but one on a web server
# or a network share is fetched when the link is followed, and a Windows network share is
# sent the reader's credentials.
REMOTE_FILE_ACTIONS = frozenset({"/GoToR", "/Thread"})
# Keys that only ever hold scripts, automatic ("additional") actions, attached files or XFA
# forms (which carry scripts).
UNSAFE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA"})
# Annotations that play media, run 3D scripts or carry an attached file.
UNSAFE_ANNOTATIONS = frozenset(
    {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D", "/FileAttachment"}
)
# Addresses that run a script, carry a document inline, or open a local or network file.
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
# A PDF whose check would look at more objects than this is refused rather than half checked.
MAX_PDF_OBJECTS = 1_000_000
MAX_REFERENCE_HOPS = 32


class TooComplex(ValueError):
    """A PDF with more objects, or longer chains of references, than are followed."""


def active_content(reader) -> str:
    """What in the PDF could run or launch something when it is opened or clicked (an empty
    string if nothing). Every object reachable from the trailer is looked at, references
    followed wherever they lead, so a script hidden in an object stream, a form field, a
    chain of actions or an object of its own (`/S 6 0 R`) is found too; pypdf decodes escaped
    names (/J#61vaScript), so spelling cannot hide one. Raises TooComplex for a file with
    more to follow than MAX_PDF_OBJECTS."""
    for dictionary in pdf_dictionaries(reader.trailer):
        found = unsafe_entry(dictionary)
        if found:
            return found
    return ""


def pdf_dictionaries(start, *, seen=None, enter_pages=True, up_page_tree=True):
    """Every dictionary (stream dictionaries included) reachable from `start`, each once,
    found by following every reference, so a cycle ends. A caller may change a dictionary
    before what it holds is followed. `enter_pages=False` stops at page dictionaries (an
    annotation's /P, a link's destination), `up_page_tree=False` never follows a page's
    /Parent. `seen` may be shared between walks of one file. Raises TooComplex past
    MAX_PDF_OBJECTS objects."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen = set() if seen is None else seen
    start = resolve(start)
    pending, looked_at = [start], 0
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
        elif isinstance(value, (DictionaryObject, ArrayObject)):
            key = id(value)  # a direct object; the file's objects stay loaded, so ids hold
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        looked_at += 1
        if looked_at > MAX_PDF_OBJECTS:
            raise TooComplex("too many objects to follow")
        if isinstance(value, IndirectObject):
            pending.append(value.get_object())
        elif isinstance(value, ArrayObject):
            pending.extend(value)
        else:
            page = _name(value.get("/Type")) in ("/Page", "/Pages")
            if page and not enter_pages and value is not start:
                continue
            yield value
            pending.extend(
                item
                for name, item in value.items()
                if up_page_tree or not page or name != "/Parent"
            )


def unsafe_entry(dictionary) -> str:
    """Why this one PDF dictionary is active content ("/JS", "/Launch", ...), or "". The
    values looked at are resolved first, since any may be a reference to another object,
    and addresses are compared as a reader reads them (unsafe_uri)."""
    for key in UNSAFE_KEYS:
        if key in dictionary:
            return key
    action = _name(dictionary.get("/S"))
    if action in UNSAFE_ACTIONS:
        return action
    if action in REMOTE_FILE_ACTIONS and _remote_file(dictionary.get("/F")):
        return action
    for key in ("/URI", "/Base"):  # a link's address; the base of relative addresses
        if unsafe_uri(resolve(dictionary.get(key))):
            return key
    kind = _name(dictionary.get("/Type"))
    if kind == "/EmbeddedFile":
        return kind
    if kind == "/Annot" or "/Rect" in dictionary:
        subtype = _name(dictionary.get("/Subtype"))
        if subtype in UNSAFE_ANNOTATIONS:
            return subtype
    return ""


def unsafe_uri(value) -> bool:
    """Whether an address (a PDF link's, a Word document's) runs a script, carries a document
    inline or opens a local or network file (UNSAFE_SCHEMES). Readers and browsers ignore
    control characters and spaces in an address, and the case of its scheme
    ("java" TAB "script:" runs), so they are ignored here too. Anything but text is not an
    address."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")  # an address is ASCII; pypdf keeps odd bytes as bytes
    return isinstance(value, str) and _squeezed(value).startswith(UNSAFE_SCHEMES)


def resolve(value):
    """The object `value` refers to (through a reference to a reference too), or `value`."""
    from pypdf.generic import IndirectObject

    for _hop in range(MAX_REFERENCE_HOPS):
        if not isinstance(value, IndirectObject):
            return value
        value = value.get_object()
    raise TooComplex("a chain of references too long to follow")


def _name(value) -> str:
    value = resolve(value)
    return str(value) if isinstance(value, str) else ""


def _squeezed(text: str) -> str:
    """`text` without spaces, control or invisible characters, in one case and form."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c)[0] not in "CZ").casefold()


def _remote_file(specification) -> bool:
    """Whether a PDF file specification names anything but a file beside this one: a web
    address (/FS /URL), a network share or an absolute path."""
    specification = resolve(specification)
    names = [specification]
    if isinstance(specification, dict):
        if _name(specification.get("/FS")) == "/URL":
            return True
        names = [resolve(specification.get(key)) for key in ("/F", "/UF", "/DOS", "/Mac", "/Unix")]
    for name in names:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(name, str):
            name = _squeezed(name)
            if name.startswith(("/", "\\")) or ":" in name:
                return True
    return False


def _read_docx(content: bytes) -> str:
    """The text of a Word document, once its package is known to be one (_check_docx)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    with archive:
        try:
            _check_docx(archive, entries)
            xml = _read_part(archive, entries, "word/document.xml", MAX_DOCX_XML_BYTES)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as error:
            raise ValidationError(DAMAGED, code="damaged") from error
    return _docx_text(xml.decode("utf-8", errors="replace"))


WORD_MAIN_DOCUMENT = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
# The parts a Word document has; names compare in lower case, as Word's do.
WORD_CONTENT_TYPES = "[content_types].xml"
WORD_FOLDERS = ("_rels/", "docprops/", "word/", "customxml/")
# Parts that are programs or scripts, OLE objects (.bin), or Office files that can carry
# macros (macro-enabled, binary or pre-2007 ones).
ACTIVE_SUFFIX = re.compile(
    r"\.(exe|com|pif|scr|dll|cpl|ocx|sys|msi|msp|jar|js|jse|vbs|vbe|wsf|wsh|ps1|psm1|bat|cmd"
    r"|hta|lnk|reg|bin"
    r"|docm|dotm|xlsm|xltm|xlam|xlsb|pptm|potm|ppsm|ppam|sldm"
    r"|doc|dot|xls|xlt|xla|ppt|pot|pps|ppa)$"
)
ACTIVE_PART_NAMES = re.compile(r"(^|/)(vbaproject|vbadata)[^/]*$|(^|/)activex/")
# Content types of macros, macro-enabled documents, ActiveX controls and OLE objects.
ACTIVE_CONTENT_TYPES = re.compile(r"macroenabled|vba|activex|oleobject")
# The only thing a Word document may point at outside itself is where a link goes.
EXTERNAL_LINK = "hyperlink"
MAX_DOCX_PACKAGE_XML_BYTES = 20 * 1024 * 1024
# A part over 1 MB that unpacks to more than this many times its packed size is a "zip bomb".
MAX_DOCX_RATIO = 200


def _check_docx(archive, entries) -> None:
    """Refuse (ValidationError) a ZIP that is not a plain Word document. Everything is judged
    from the ZIP's directory before any part is unpacked: the number of parts and their
    unpacked sizes; no encryption; each name a relative path under the folders a Word
    document has, once; no macro, ActiveX control, OLE object or program. Then
    [Content_Types].xml must declare word/document.xml as a Word document (not a
    macro-enabled one, not a template), and no relationship may fetch anything from
    elsewhere when the document opens (a template, an OLE object, a frame: "remote template
    injection"); only links may point outside."""
    if len(entries) > MAX_DOCX_ENTRIES or (
        sum(info.file_size for info in entries) > MAX_DOCX_UNPACKED_BYTES
    ):
        raise ValidationError(TOO_BIG_UNPACKED, code="too_big")
    if any(
        info.file_size > 1024 * 1024 and info.file_size > MAX_DOCX_RATIO * info.compress_size
        for info in entries
    ):
        raise ValidationError(TOO_BIG_UNPACKED, code="too_big")
    if any(info.flag_bits & 0x1 for info in entries):
        raise ValidationError(PASSWORD_PROTECTED, code="encrypted")
    names = [info.filename.lower() for info in entries]
    if (
        any(
            info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for info in entries
        )
        or any(_unsafe_part_name(name) for name in names)
        or len(set(names)) != len(names)
    ):
        raise ValidationError(DAMAGED, code="damaged")
    if any(
        # Windows drops trailing dots and spaces: "setup.exe." runs as setup.exe.
        ACTIVE_PART_NAMES.search(name) or ACTIVE_SUFFIX.search(name.rstrip(". "))
        for name in names
    ):
        raise ValidationError(ACTIVE_WORD_CONTENT, code="active_content")
    if (
        any(name != WORD_CONTENT_TYPES and not name.startswith(WORD_FOLDERS) for name in names)
        or WORD_CONTENT_TYPES not in names
        or "word/document.xml" not in names
    ):
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    for info in entries:
        archive.open(info).close()  # reads the part's own header: is it the part listed?

    budget = [MAX_DOCX_PACKAGE_XML_BYTES]  # [Content_Types].xml and every .rels together
    declared = _content_types(_package_xml(archive, entries, WORD_CONTENT_TYPES, budget))
    if any(ACTIVE_CONTENT_TYPES.search(kind) for kind in declared.values()):
        raise ValidationError(ACTIVE_WORD_CONTENT, code="active_content")
    main = declared.get("/word/document.xml", declared.get("xml"))
    if main != WORD_MAIN_DOCUMENT:
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    for name in names:
        if name.endswith(".rels"):
            elements = _xml_elements(_package_xml(archive, entries, name, budget))
            if any(
                _points_outside(name, attributes)
                for tag, attributes in elements
                if tag == "relationship"
            ):
                raise ValidationError(ACTIVE_WORD_CONTENT, code="active_content")


def _unsafe_part_name(name: str) -> bool:
    """A name that is not a plain relative path: absolute, climbing up (..), with a
    backslash, a drive or stream (:), an empty or "." folder, or a control or invisible
    character."""
    if name.startswith("/") or "\\" in name or ":" in name:
        return True
    if any(unicodedata.category(c)[0] == "C" for c in name):
        return True
    return any(part in ("", ".", "..") for part in name.removesuffix("/").split("/"))


def _read_part(archive, entries, name: str, limit: int) -> bytes:
    """The part named `name` in any case (part names are compared without it), at most
    `limit` bytes of it."""
    info = next(info for info in entries if info.filename.lower() == name)
    # zipfile stops at the declared size, so this read is bounded whatever the data.
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(TOO_BIG_UNPACKED, code="too_big")
    return data


def _package_xml(archive, entries, name: str, budget: list[int]) -> bytes:
    """A part that says what the package is, counted against what may be read of them."""
    data = _read_part(archive, entries, name, budget[0])
    budget[0] -= len(data)
    return data


def _content_types(xml: bytes) -> dict[str, str]:
    """[Content_Types].xml as {"/part/name": type, "extension": type}, all in lower case."""
    declared = {}
    for tag, attributes in _xml_elements(xml):
        kind = attributes.get("contenttype", "").strip().lower()
        if tag == "default":
            declared[attributes.get("extension", "").lower()] = kind
        elif tag == "override":
            declared[urllib.parse.unquote(attributes.get("partname", "")).lower()] = kind
    return declared


def _points_outside(rels_name: str, attributes: dict[str, str]) -> bool:
    """Whether a relationship in the part `rels_name` fetches something from outside the
    package: any external target but a link to a safe address (unsafe_uri), or an internal
    one that is an address, a network path, or climbs out of the package."""
    target = attributes.get("target", "")
    if attributes.get("targetmode", "").strip().lower() == "external":
        kind = attributes.get("type", "").strip().rstrip("/").rsplit("/", 1)[-1].lower()
        return kind != EXTERNAL_LINK or unsafe_uri(target)
    target = urllib.parse.unquote(target)
    if "\\" in target or ":" in target or target.startswith("//"):
        return True
    # word/_rels/document.xml.rels holds the relationships of word/document.xml.
    folder = rels_name.rsplit("_rels/", 1)[0]
    path = posixpath.normpath(target[1:] if target.startswith("/") else folder + target)
    return path == ".." or path.startswith("../")


def _xml_elements(xml: bytes) -> list[tuple[str, dict[str, str]]]:
    """(name, {attribute: value}) of each element of a package's XML part, names without
    their namespace and in lower case. A document type declaration is refused, so no entity
    is ever defined or expanded; expat reads the encoding the part declares (UTF-16
    included), so no encoding hides an element."""
    from xml.parsers import expat

    def local(name: str) -> str:
        return name.rsplit(" ", 1)[-1].lower()

    def start(name, attributes):
        elements.append((local(name), {local(k): v for k, v in attributes.items()}))

    def refuse(*args):
        raise ValueError("a document type declaration in a Word package")

    elements = []
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as error:
        raise ValueError("not XML") from error
    return elements


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
