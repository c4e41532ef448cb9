"""Evidence added while raising a concern: its type decided from its bytes (documents through
portal_kit.uploads, photos decoded whole), photos stripped of what identifies their maker,
documents' recorded authors shown as a warning, the draft's copies sealed under a key only
the draft holds and gone once the concern is sent or the draft abandoned."""

import time

import pytest
from django.core.cache import cache

from portal_kit import uploads
from tests.helpers import text_of
from tests.security.payloads import hand_written_pdf
from tests.whistleblowing.reporting import (
    ANSWERS,
    action_of,
    answer,
    draft_of,
    pdf_by,
    photo,
    send,
    upload,
    url,
    walk,
    word_by,
)
from whistleblowing import drafts, evidence, sealing, services, tasks
from whistleblowing.models import Attachment, Concern

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test keeps files in its own empty folder, so what is left can be seen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    return settings.MEDIA_ROOT


def draft_files(media) -> list:
    folder = media / drafts.FOLDER
    return sorted(p for p in folder.iterdir()) if folder.exists() else []


def files_page(client):
    return walk(client, stop_at="files")


def add(client, page, *files):
    return answer(client, page, {"files": list(files)})


def show(client, response, step="files"):
    return client.post(url(f"raise_{step}"), {"draft": draft_of(response), "show": "1"})


# --- Added, warned about, sealed, sent -----------------------------------------------------------


def test_files_are_kept_sealed_for_the_draft_and_sent_with_the_concern(client, media):
    page = files_page(client)
    assert "Documents and photos can carry the name of the person who made them" in text_of(page)
    after = add(
        client,
        page,
        upload("fuel log.pdf", pdf_by(author="Jo Reporter", text="Fuel log March")),
        upload("minutes.docx", word_by("Jo Reporter", editor="J Reporter")),
        upload("IMG_0001.JPG", photo(orientation=6)),
    )
    # Two of them name someone: the files page shows it before the reporter goes on.
    assert action_of(after) == url("raise_files")
    assert "This file’s properties name: Jo Reporter" in text_of(after)
    stored = draft_files(media)
    assert len(stored) == 3
    for path in stored:
        data = path.read_bytes()
        assert b"Jo Reporter" not in data and b"%PDF" not in data and b"Fuel log" not in data

    listed = show(client, after)
    page_text = text_of(listed)
    assert "fuel log.pdf" in page_text and "minutes.docx" in page_text
    assert "IMG_0001.jpg" in page_text
    assert "This file’s properties name: Jo Reporter" in page_text
    assert "Jo Reporter, J Reporter" in page_text
    assert "Location and camera details removed" in page_text

    check = walk_on(client, listed)
    assert "fuel log.pdf" in text_of(check)
    done = send(client, check)
    assert done.status_code == 200
    concern = Concern.objects.get()
    about = {services.attachment_about(a)["name"]: a for a in concern.attachments.all()}
    assert sorted(about) == ["IMG_0001.jpg", "fuel log.pdf", "minutes.docx"]
    assert services.attachment_bytes(about["fuel log.pdf"]).startswith(b"%PDF")
    cleaned = services.attachment_bytes(about["IMG_0001.jpg"])
    assert b"Jo Reporter" not in cleaned and b"PhoneMaker" not in cleaned
    assert b"Acacia" not in cleaned

    import io

    from PIL import Image

    shown = Image.open(io.BytesIO(cleaned))
    assert shown.size == (30, 40)  # turned upright, as its orientation said
    assert not shown.getexif() and "comment" not in shown.info
    # The draft's copies are gone once the concern is sent.
    assert draft_files(media) == []


def walk_on(client, response):
    """From the files page to check your answers."""
    response = answer(client, response, {})
    for name in ("raised_before", "public_interest", "reporter_kind", "anonymous"):
        response = answer(client, response, ANSWERS[name])
    assert action_of(response) == url("raise_check")
    return response


def test_a_png_loses_its_text_and_exif(client):
    checked = evidence.check(upload("shot.png", photo("PNG")))
    assert checked.content_type == evidence.PNG and checked.cleaned
    assert b"Jo Reporter" not in checked.data and b"eXIf" not in checked.data
    assert checked.name == "shot.png"


def test_a_file_is_what_its_bytes_say_whatever_its_name(client):
    checked = evidence.check(upload("holiday.jpg", pdf_by()))
    assert checked.content_type == uploads.PDF and checked.name == "holiday.pdf"
    photo_named_pdf = evidence.check(upload("scan.pdf", photo()))
    assert photo_named_pdf.content_type == evidence.JPEG and photo_named_pdf.name == "scan.jpg"


def test_removing_a_file_deletes_its_copy(client, media):
    after = add(client, files_page(client), upload("a.pdf", pdf_by()), upload("b.pdf", pdf_by()))
    listed = show(client, after)
    assert len(draft_files(media)) == 2
    removed = client.post(url("raise_files"), {"draft": draft_of(listed), "remove": "0"})
    assert "a.pdf" not in text_of(removed) and "b.pdf" in text_of(removed)
    assert len(draft_files(media)) == 1


# --- Refused ------------------------------------------------------------------------------------

JAVASCRIPT_PDF = hand_written_pdf(
    catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just some words", evidence.WRONG_TYPE),
        ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, evidence.WRONG_TYPE),
        ("old.doc", uploads.OLE_MAGIC + b"\x00" * 600, uploads.OLD_WORD_FORMAT),
        ("script.pdf", JAVASCRIPT_PDF, uploads.ACTIVE_CONTENT),
        ("broken.pdf", b"%PDF-1.4 not really", uploads.DAMAGED),
        ("empty.pdf", b"", uploads.EMPTY),
        ("cut.jpg", photo()[:200], evidence.PHOTO_DAMAGED),
        ("page.html", b"<html><script>alert(1)</script></html>", evidence.WRONG_TYPE),
    ],
)
def test_a_refused_file_gets_a_clear_error_and_nothing_is_kept(
    client, media, name, content, message
):
    page = files_page(client)
    refused = add(client, page, upload(name, content))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "govuk-error-summary" in body and "<title>Error:" in body
    assert message in text_of(refused) and name in text_of(refused)
    assert action_of(refused) == url("raise_files")
    assert draft_files(media) == []
    assert Concern.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_file_over_the_limit_is_refused(client, media, settings):
    settings.WHISTLEBLOWING_MAX_FILE_BYTES = 2000
    refused = add(client, files_page(client), upload("big.pdf", pdf_by() + b"\n" * 3000))
    assert "must be smaller than" in text_of(refused)
    assert draft_files(media) == []


def test_a_photo_with_too_many_pixels_is_refused(client, media, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_PIXELS", 100)
    refused = add(client, files_page(client), upload("huge.png", photo("PNG", size=(20, 20))))
    assert evidence.PHOTO_TOO_BIG in text_of(refused)


def test_no_more_than_ten_files_in_all(client, media):
    page = files_page(client)
    after = add(client, page, *[upload(f"{n}.pdf", pdf_by()) for n in range(8)])
    listed = show(client, after)
    refused = add(client, listed, *[upload(f"more{n}.pdf", pdf_by()) for n in range(3)])
    assert f"You can attach up to {services.MAX_FILES} files" in text_of(refused)
    assert len(draft_files(media)) == 8


# --- Abandoned drafts vanish ----------------------------------------------------------------------


def test_an_abandoned_draft_s_files_are_deleted_after_their_time(client, media):
    old = drafts.keep_file(
        evidence.check(upload("old.pdf", pdf_by())),
        now=time.time() - drafts.FILES_KEPT.total_seconds() - 60,
    )
    recent = drafts.keep_file(evidence.check(upload("new.pdf", pdf_by())))
    assert len(draft_files(media)) == 2
    assert drafts.sweep() == 1
    assert [p.name for p in draft_files(media)] == [recent["ref"].rsplit("/", 1)[-1]]
    assert drafts.file_bytes(old) is None and drafts.file_bytes(recent).startswith(b"%PDF")
    assert tasks.forget_draft_file.call(recent["ref"]) == 1
    assert draft_files(media) == []


def test_a_draft_file_opens_only_with_its_own_key(client, media):
    record = drafts.keep_file(evidence.check(upload("a.pdf", pdf_by())))
    other = drafts.keep_file(evidence.check(upload("b.pdf", pdf_by())))
    assert drafts.file_bytes({**record, "key": other["key"]}) is None
    assert drafts.file_bytes({**record, "ref": "../../settings.py"}) is None
    sealed = (media / record["ref"]).read_bytes()
    with pytest.raises(sealing.SealBroken):
        sealing.open_with_own_key(sealed[:-1] + b"x", b"k" * 32, purpose=drafts.FILE_PURPOSE)


def test_a_draft_whose_file_was_deleted_asks_for_it_again(client, media):
    after = add(client, files_page(client), upload("log.pdf", pdf_by()))
    check = walk_on(client, show(client, after))
    for path in draft_files(media):
        path.unlink()
    refused = send(client, check)
    assert "log.pdf was removed" in text_of(refused)
    assert 'href="#change-files"' in refused.content.decode()
    assert Concern.objects.count() == 0
