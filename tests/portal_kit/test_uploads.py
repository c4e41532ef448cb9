"""portal_kit.uploads: what a document is, from its bytes, and the names its properties
record (shown to a whistleblower before they send a file; tests/security/test_uploads.py
holds the refusals of active content)."""

import io

import pytest
from django.core.exceptions import ValidationError

from portal_kit import uploads
from tests.security.payloads import word_document
from tests.whistleblowing.reporting import pdf_by, word_by

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_a_pdf_names_its_author():
    inspected = uploads.inspect_document(pdf_by(author="Jo Reporter"))
    assert inspected.mime_type == uploads.PDF and inspected.authors == ("Jo Reporter",)
    assert uploads.inspect_document(pdf_by()).authors == ()


def test_a_word_document_names_its_creator_editor_and_the_authors_of_changes_and_comments():
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<w:document {W}><w:body><w:p>'
        '<w:ins w:id="1" w:author="Tracked Changer" w:date="2017-04-13T00:00:00Z">'
        "<w:r><w:t>New words</w:t></w:r></w:ins></w:p></w:body></w:document>"
    )
    comments = f'<w:comments {W}><w:comment w:id="0" w:author="A Commenter &amp; Co"/></w:comments>'
    content = word_by("Jo Reporter", editor="Jo Reporter")
    inspected = uploads.inspect_document(content)
    assert inspected.authors == ("Jo Reporter",)
    with_changes = word_document(
        parts={"word/document.xml": document, "word/comments.xml": comments}
    )
    assert set(uploads.inspect_document(with_changes).authors) == {
        "Tracked Changer",
        "A Commenter & Co",
    }


def test_properties_with_a_document_type_declaration_name_no_one_and_open_no_entity():
    core = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "Injected">]>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator>&e;</dc:creator></cp:coreProperties>"
    )
    inspected = uploads.inspect_document(word_document(parts={"docProps/core.xml": core}))
    assert "Injected" not in inspected.authors


def test_names_shown_are_few_short_and_plain():
    names = ["\u202eevil\u202c Name", "x" * 500, *[f"Person {n}" for n in range(10)]]
    tidy = uploads._tidy_authors(names)
    assert tidy[0] == "evil Name" and len(tidy[1]) == uploads.MAX_AUTHOR_CHARS
    assert len(tidy) == uploads.MAX_AUTHORS


def test_an_upload_over_the_limit_is_refused_before_it_is_read_whole():
    class Huge(io.BytesIO):
        size = 10_000

    with pytest.raises(ValidationError) as refused:
        uploads.read_upload(Huge(b"%PDF" + b"0" * 9_996), limit=1000)
    assert refused.value.messages == ["The selected file must be smaller than 1000 bytes"]
