"""Uploaded files judged by their bytes: the checks every app's uploads pass.

What a file is gets decided from its bytes, never from its name or the content type the
browser sent. A PDF is opened with pypdf (so a damaged or password-protected one is refused
now, not when someone opens it), and one carrying active content (JavaScript, automatic or
launch actions, attached files, multimedia) is refused. A Word document (.docx) must be a
plain WordprocessingML package: no macros, controls, programs, or templates and objects
fetched from elsewhere. The name the person uploaded is kept, cleaned, for display only.

`read_upload` reads at most a limit of bytes; `inspect_document` says what a PDF or Word
document is (its type, pages, text, and the names its properties record, so a page can warn
that a file names its author); `clean_display_name` makes the uploaded name safe to show.
Each app decides which types it takes and what it does with them (committees.documents,
whistleblowing.evidence): the kit only says what a file is and refuses what is unsafe.
"""

import contextlib
import dataclasses
import html
import io
import logging
import posixpath
import re
import unicodedata
import urllib.parse
import zipfile

from django.core.exceptions import ValidationError

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

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}
#: Endings an uploaded name may have that are replaced by the one matching its real type.
KNOWN_SUFFIXES = frozenset({".pdf", ".docx", ".doc"})

MAX_TEXT_CHARS = 1_000_000
# A .docx is a ZIP: refuse one that would unpack to more than this (a "zip bomb").
MAX_DOCX_UNPACKED_BYTES = 250 * 1024 * 1024
MAX_DOCX_ENTRIES = 10_000
MAX_DOCX_XML_BYTES = 100 * 1024 * 1024
MAX_NAME_LENGTH = 255
#: Names recorded in a file's properties are shown to the person uploading: a few, short.
MAX_AUTHORS = 5
MAX_AUTHOR_CHARS = 100

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc, and password-protected .docx
OLE_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclasses.dataclass(frozen=True)
class Inspected:
    """What a PDF or Word document is, learnt from its bytes."""

    mime_type: str
    extension: str
    page_count: int | None
    text: str
    #: The names the file's properties record (a PDF's author; a Word document's creator,
    #: last editor and the authors of its comments and tracked changes).
    authors: tuple[str, ...] = ()


def size_text(n_bytes: int) -> str:
    """20971520 -> "20 MB"; 1500 -> "1.5 KB"; 800 -> "800 bytes"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n_bytes >= factor:
            return f"{n_bytes / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n_bytes} bytes"


def too_big_message(limit: int) -> str:
    return TOO_BIG.format(limit=size_text(limit))


def read_upload(uploaded_file, *, limit: int) -> bytes:
    """The upload's bytes, at most `limit` of them: a missing, empty or larger file is refused
    (ValidationError) before more than `limit` + 1 bytes are read."""
    if uploaded_file is None:
        raise ValidationError(NO_FILE, code="required")
    declared = getattr(uploaded_file, "size", None)
    if declared == 0:
        raise ValidationError(EMPTY, code="empty")
    if declared is not None and declared > limit:
        raise ValidationError(too_big_message(limit), code="too_big")
    content = _read_at_most(uploaded_file, limit + 1)
    if not content:
        raise ValidationError(EMPTY, code="empty")
    if len(content) > limit:
        raise ValidationError(too_big_message(limit), code="too_big")
    return content


def inspect_document(content: bytes) -> Inspected:
    """What the bytes are if they are a safe PDF or Word document; anything else is refused
    with a ValidationError for the person uploading (code "wrong_type" for a file of another
    kind, so an app taking more kinds can say so)."""
    if content.startswith(PDF_MAGIC):
        page_count, text, authors = _read_pdf(content)
        mime_type = PDF
    elif content.startswith(ZIP_MAGIC):
        text, authors = _read_docx(content)
        page_count, mime_type = None, DOCX
    elif content.startswith(OLE_MAGIC):
        if OLE_ENCRYPTED_PACKAGE in content:
            raise ValidationError(PASSWORD_PROTECTED, code="encrypted")
        raise ValidationError(OLD_WORD_FORMAT, code="wrong_type")
    else:
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    return Inspected(
        mime_type=mime_type,
        extension=EXTENSIONS[mime_type],
        page_count=page_count,
        text=clean_text(text),
        authors=_tidy_authors(authors),
    )


def clean_display_name(name: str, extension: str, *, known_suffixes=KNOWN_SUFFIXES) -> str:
    """The uploaded name made safe to show and to offer as a download name: no folders, no
    control or bidirectional-override characters, at most 255 characters, ending in the
    extension that matches what the file really is (an ending in `known_suffixes` is
    replaced by it)."""
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(c)[0] == "Z" else c
        for c in name
        if unicodedata.category(c)[0] != "C"  # control, format (bidi overrides), unassigned
    )
    name = " ".join(name.split()).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if dot and f".{suffix.lower()}" in known_suffixes:
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


def _tidy_authors(names) -> tuple[str, ...]:
    tidy = []
    for name in names:
        if isinstance(name, bytes):
            name = name.decode("utf-8", errors="replace")
        if not isinstance(name, str):
            continue
        visible = "".join(c for c in name if unicodedata.category(c)[0] != "C")
        name = " ".join(visible.split())[:MAX_AUTHOR_CHARS]
        if name and name not in tidy:
            tidy.append(name)
    return tuple(tidy[:MAX_AUTHORS])


def _read_pdf(content: bytes) -> tuple[int, str, list]:
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
    return page_count, "\n\n".join(texts), _pdf_authors(reader)


def _pdf_authors(reader) -> list:
    """The author the document information dictionary names, if any (a damaged dictionary
    names no one: the file itself was readable)."""
    try:
        metadata = reader.metadata
        return [metadata.author] if metadata and metadata.author else []
    except Exception:
        return []


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


def _read_docx(content: bytes) -> tuple[str, list]:
    """The text of a Word document, once its package is known to be one (_check_docx), and
    the names it records: its creator and last editor (docProps/core.xml) and the authors
    of its tracked changes and comments (w:author)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    with archive:
        try:
            _check_docx(archive, entries)
            xml = _read_part(archive, entries, "word/document.xml", MAX_DOCX_XML_BYTES)
            authors = _docx_authors(archive, entries, xml)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as error:
            raise ValidationError(DAMAGED, code="damaged") from error
    return _docx_text(xml.decode("utf-8", errors="replace")), authors


_WORD_AUTHOR = re.compile(rb'\bw:author="([^"]{1,200})"')
#: The properties part is small; a larger one is not read for names.
MAX_DOCX_PROPERTIES_BYTES = 1024 * 1024


def _docx_authors(archive, entries, document_xml: bytes) -> list:
    names = [entry.filename.lower() for entry in entries]
    authors = []
    if "docprops/core.xml" in names:
        try:
            core = _read_part(archive, entries, "docprops/core.xml", MAX_DOCX_PROPERTIES_BYTES)
            authors += _xml_texts(core, {"creator", "lastmodifiedby"})
        except (ValidationError, ValueError):
            pass  # unreadable properties name no one; the document itself was read
    parts = [document_xml]
    if "word/comments.xml" in names:
        with contextlib.suppress(ValidationError):
            parts.append(_read_part(archive, entries, "word/comments.xml", MAX_DOCX_XML_BYTES))
    for part in parts:
        authors += [html.unescape(m.decode("utf-8", "replace")) for m in _WORD_AUTHOR.findall(part)]
    return authors


def _xml_texts(xml: bytes, wanted: set[str]) -> list[str]:
    """The text of the elements named in `wanted` (local names, lower case), read as
    _xml_elements reads a part: no document type declaration, so no entity."""
    from xml.parsers import expat

    texts, current = [], []

    def start(name, attributes):
        current.append([name.rsplit(" ", 1)[-1].lower(), ""])

    def data(text):
        if current:
            current[-1][1] += text

    def end(name):
        local, text = current.pop()
        if local in wanted and text.strip():
            texts.append(text.strip())

    def refuse(*args):
        raise ValueError("a document type declaration in a Word package")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.CharacterDataHandler = data
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as error:
        raise ValueError("not XML") from error
    return texts


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


def clean_text(text: str) -> str:
    """Text PostgreSQL can store: no NUL bytes or lone surrogates; at most ~1 MB."""
    text = text.replace("\x00", "")[:MAX_TEXT_CHARS]
    return text.encode("utf-8", errors="replace").decode("utf-8")
