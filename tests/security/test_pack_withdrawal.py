"""A published agenda pack comes down in the same transaction that makes something in it
private or takes it off the agenda (or withdraws or replaces a file in it), not when a worker
gets round to rebuilding it; a build that read the old content meanwhile is discarded, never
published."""

import dataclasses
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from committees import pack, services, tasks
from committees.models import AgendaPack, Meeting, PackStatus
from committees.services import SCRIPT, AgendaItemDetails, PaperDetails
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DocumentFactory,
    MeetingFactory,
    PaperFactory,
    PrivateAgendaItemFactory,
    approve_fully,
    minimal_pdf,
)

pytestmark = pytest.mark.django_db

SECRET = "withdrawnwords"


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """A published agenda whose pack holds a report with SECRET in its file."""
    meeting = MeetingFactory(published=True)
    item = AgendaItemFactory(meeting=meeting, position=1, number="1", title="Report item")
    paper = approve_fully(PaperFactory(title="The report"))
    ConsultationFactory(paper=paper, agenda_item=item)
    document = DocumentFactory(paper=paper, content=minimal_pdf(SECRET), text=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        built = tasks.request_pack_build(meeting)
    built.refresh_from_db()
    assert built.status == PackStatus.READY
    return {"meeting": meeting, "item": item, "paper": paper, "pack": built, "document": document}


def _download(client, meeting):
    return client.get(reverse("committees:meeting_pack", args=[meeting.pk]))


def _pack_text(built: AgendaPack) -> str:
    with built.file.open("rb") as handle:
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)


def _make_private(published, change):
    item, paper = published["item"], published["paper"]
    if change == "report made private":
        services.update_paper(
            paper=paper,
            version=paper.version,
            details=dataclasses.replace(
                PaperDetails.of(paper), is_public=False, exempt_paragraphs=[3]
            ),
            actor=SCRIPT,
        )
    elif change == "item made private":
        services.update_agenda_item(
            item=item,
            version=item.version,
            details=dataclasses.replace(
                AgendaItemDetails.of(item), is_public=False, exempt_paragraphs=[1]
            ),
            actor=SCRIPT,
        )
    elif change == "parent item made private":
        parent = AgendaItemFactory(meeting=item.meeting, position=2, number="2")
        item.parent = parent
        item.save()
        services.update_agenda_item(
            item=parent,
            version=parent.version,
            details=dataclasses.replace(
                AgendaItemDetails.of(parent), is_public=False, exempt_paragraphs=[1]
            ),
            actor=SCRIPT,
        )
    elif change in ("file withdrawn", "file replaced"):
        document = published["document"]
        if change == "file withdrawn":
            services.withdraw_document(
                document=document, reason="Sent in error", version=document.version, actor=SCRIPT
            )
        else:
            services.replace_document(
                document=document,
                uploaded_file=SimpleUploadedFile("corrected.pdf", minimal_pdf("Corrected")),
                reason="Wrong version",
                version=document.version,
                actor=SCRIPT,
            )
    elif change == "item removed":
        services.remove_agenda_item(item=item, actor=SCRIPT)
    elif change == "report moved to a private item":
        services.attach_report(
            item=PrivateAgendaItemFactory(meeting=item.meeting, position=3, number="3"),
            paper=paper,
            role="decision",
            actor=SCRIPT,
        )
    else:
        raise AssertionError(change)


CHANGES = [
    "report made private",
    "item made private",
    "parent item made private",
    "item removed",
    "report moved to a private item",
    "file withdrawn",
    "file replaced",
]


@pytest.mark.parametrize("change", CHANGES)
def test_the_pack_comes_down_before_the_change_commits(
    client, published, change, django_capture_on_commit_callbacks
):
    meeting, old = published["meeting"], published["pack"]
    stored = old.file.name
    assert _download(client, meeting).status_code == 200

    # Nothing queued after commit has run yet (no rebuild, no file deletion): the pack is
    # already down.
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        _make_private(published, change)
        assert _download(client, meeting).status_code == 404
        old.refresh_from_db()
        assert old.status == PackStatus.WITHDRAWN

    for callback in after_commit:
        callback()
    assert not old.file.storage.exists(stored)
    rebuilt = AgendaPack.objects.published_for(meeting).first()
    assert rebuilt is not None and rebuilt.pk != old.pk
    assert SECRET not in _pack_text(rebuilt)


def test_an_ordinary_edit_leaves_the_pack_up_until_the_new_one_is_ready(
    client, published, django_capture_on_commit_callbacks
):
    item = published["item"]
    with django_capture_on_commit_callbacks(execute=False):
        services.update_agenda_item(
            item=item,
            version=item.version,
            details=dataclasses.replace(AgendaItemDetails.of(item), title="Report item (amended)"),
            actor=SCRIPT,
        )
        assert _download(client, published["meeting"]).status_code == 200


def test_a_build_that_read_the_old_content_is_discarded_when_it_finishes(published):
    """A worker had read the agenda (with the report still public) when a clerk made the
    report private: the build must not publish what it read."""
    meeting, paper = published["meeting"], published["paper"]
    racing = AgendaPack.objects.create(meeting=meeting, status=PackStatus.QUEUED)

    def clerk_acts_mid_build(progress):
        if progress >= 10 and Meeting.objects.filter(pk=meeting.pk).exists():
            paper.refresh_from_db()
            if paper.is_public:
                services.update_paper(
                    paper=paper,
                    version=paper.version,
                    details=dataclasses.replace(
                        PaperDetails.of(paper), is_public=False, exempt_paragraphs=[3]
                    ),
                    actor=SCRIPT,
                )

    pack.build_pack(racing, progress=clerk_acts_mid_build)

    racing.refresh_from_db()
    assert racing.status == PackStatus.WITHDRAWN
    assert racing.file.name == ""
    assert not AgendaPack.objects.filter(meeting=meeting, status=PackStatus.READY).exists()
