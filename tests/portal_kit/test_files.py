"""One response for every stored file, whichever output serves it: the public download, the
agenda pack and OParl's file addresses. A file lost from storage is a logged 404, never a
500."""

import pytest
from django.urls import reverse

from tests.committees.factories import AgendaPackFactory, DocumentFactory, published_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost(settings, tmp_path):
    """A public report's file and a published pack, both lost from storage."""
    settings.MEDIA_ROOT = tmp_path
    document = DocumentFactory(paper=published_report(with_document=False))
    pack = AgendaPackFactory()
    for field_file in (document.file, pack.file):
        field_file.storage.delete(field_file.name)
    return {"document": document, "pack": pack}


def test_every_download_of_a_lost_file_is_a_logged_not_found(client, lost, caplog):
    document, pack = lost["document"], lost["pack"]
    urls = [
        reverse("committees:document", args=[document.pk]),
        reverse("committees:meeting_pack", args=[pack.meeting_id]),
        reverse("oparl:file_download", args=[document.pk]),
        reverse("oparl:file_access", args=[document.pk]),
    ]
    for url in urls:
        caplog.clear()
        response = client.get(url)
        assert response.status_code == 404, url
        assert any("Stored file missing" in r.getMessage() for r in caplog.records), url


def test_a_stored_file_is_sent_as_its_checked_type_never_sniffed(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = DocumentFactory(paper=published_report(with_document=False))
    for url in (
        reverse("committees:document", args=[document.pk]),
        reverse("oparl:file_download", args=[document.pk]),
    ):
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
