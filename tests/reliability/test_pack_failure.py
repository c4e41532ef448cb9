"""A background pack build failing half-way: the previous pack stays published, the failure is
visible to Governance Services, and a retry succeeds once the cause is fixed.

Everything goes through the real pages and the real task: Governance Services presses
"Rebuild the pack" (POST), the task waits in the queue until the worker runs it, the
public meeting page and its pack download are what a visitor gets. On the live database, so
the task is queued only when the request's transaction commits, as in production.
"""

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from committees import documents, pack, services
from committees.models import AgendaPack, ConsultationRole, DocumentKind, PackStatus
from committees.services import SCRIPT, AgendaItemDetails
from tests.committees.factories import MeetingFactory, PaperFactory, approve_fully, minimal_pdf
from tests.reliability.support import DropConnection, governance_services_client

REPORTS = ("Code of Corporate Governance", "Whistleblowing Policy", "Information Risk Policy")


class WorkerKilled(BaseException):
    """The worker process dying mid-task (out of memory, a deploy's SIGKILL): nothing after
    this point of the build runs, not even its error handling."""


@pytest.fixture
def agenda(live_db, worker):
    """A published agenda of three items, each with a two-page report, and its pack built
    and published by the worker. Returns (meeting, the reports' documents, the pack)."""
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=30), dt.time(14))
    )
    meeting = MeetingFactory(start=start, end=start + dt.timedelta(hours=2), published=True)
    stored = []
    for title in REPORTS:
        item = services.add_agenda_item(
            meeting=meeting, details=AgendaItemDetails(title=title), actor=SCRIPT
        )
        paper = approve_fully(PaperFactory(title=title))
        stored.append(
            documents.store_document(
                uploaded_file=SimpleUploadedFile("r.pdf", minimal_pdf(title.upper(), pages=2)),
                paper=paper,
                kind=DocumentKind.REPORT,
                title=title,
            )
        )
        services.attach_report(item=item, paper=paper, role=ConsultationRole.DECISION, actor=SCRIPT)
    worker.run()
    published = _latest(meeting)
    assert published.status == PackStatus.READY
    return meeting, stored, published


def _retry_succeeds(clerk, meeting, worker) -> AgendaPack:
    """Governance Services presses the button again: the new pack is built and published."""
    _rebuild(clerk, meeting)
    worker.run()
    retried = _latest(meeting)
    assert retried.status == PackStatus.READY
    assert _status_tag(_status_page(clerk, meeting)) == "Ready"
    assert_published(meeting, retried)
    return retried


def _latest(meeting) -> AgendaPack:
    return AgendaPack.objects.filter(meeting=meeting).latest("created_at", "pk")


def _rebuild(clerk, meeting) -> None:
    response = clerk.post(reverse("manage:pack_rebuild", args=[meeting.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:pack_status", args=[meeting.pk])


def _status_page(clerk, meeting) -> str:
    response = clerk.get(reverse("manage:pack_status", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _status_tag(html: str) -> str:
    """The pack's status, as the tag in the "Status" row shows it."""
    start = html.index('<strong class="govuk-tag', html.index(">Status</dt>"))
    return html[html.index(">", start) + 1 : html.index("</strong>", start)]


def assert_published(meeting, pack: AgendaPack) -> None:
    """The public meeting page links to the pack, and the link serves that pack's bytes."""
    visitor = Client()
    pack_url = reverse("committees:meeting_pack", args=[meeting.pk])
    page = visitor.get(reverse("committees:meeting", args=[meeting.pk])).content.decode()
    assert f'href="{pack_url}"' in page
    assert f"Download the agenda reports pack (PDF, {pack.page_count} pages" in page
    download = visitor.get(pack_url)
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == pack.sha256


@pytest.mark.parametrize("problem", ["missing", "damaged"])
def test_a_build_failing_half_way_keeps_the_previous_pack_and_a_retry_succeeds(
    problem, agenda, worker, media
):
    meeting, stored, published = agenda
    clerk = governance_services_client("Suzanne Bennett")
    assert_published(meeting, published)

    # The last report's stored file goes missing, or is damaged, after the first two.
    last = stored[-1]
    original = default_storage.open(last.file.name, "rb").read()
    if problem == "missing":
        default_storage.delete(last.file.name)
    else:
        with default_storage.open(last.file.name, "wb") as handle:
            handle.write(original[: len(original) // 2])

    _rebuild(clerk, meeting)
    assert _status_tag(_status_page(clerk, meeting)) == "Waiting to be built"
    worker.run()

    failed = _latest(meeting)
    assert failed.status == PackStatus.FAILED
    assert 10 < failed.progress < 97, "the build should fail half-way, after opening files"
    html = _status_page(clerk, meeting)
    assert _status_tag(html) == "Failed"
    assert "The pack could not be built" in html
    assert "The previous pack stays published." in html
    expected = "could not be found" if problem == "missing" else "is damaged"
    assert f"The file “{REPORTS[-1]}” for item 3 {expected}" in html
    assert 'http-equiv="refresh"' not in html  # nothing in progress to wait for
    assert_published(meeting, published)
    assert sorted(p.name for p in (media / "packs").iterdir()) == [
        published.file.name.removeprefix("packs/")
    ]

    # Governance Services puts the file right and presses the button again.
    with default_storage.open(last.file.name, "wb") as handle:
        handle.write(original)
    retried = _retry_succeeds(clerk, meeting, worker)
    assert retried.pk not in (published.pk, failed.pk)
    failed.refresh_from_db()
    assert failed.status == PackStatus.FAILED  # the record of the failure stays


def _die_at_the_second_file(monkeypatch):
    """Kill the worker when the build opens its second stored file."""
    opened = []
    real_open = FileSystemStorage._open

    def _open(storage, name, mode="rb"):
        if name.startswith("documents/"):
            opened.append(name)
            if len(opened) == 2:
                raise WorkerKilled
        return real_open(storage, name, mode)

    monkeypatch.setattr(FileSystemStorage, "_open", _open)


def test_after_a_worker_dies_mid_build_the_previous_pack_stays_and_a_rebuild_succeeds(
    agenda, worker, monkeypatch
):
    meeting, _, published = agenda
    clerk = governance_services_client("Suzanne Bennett")
    _rebuild(clerk, meeting)
    with monkeypatch.context() as patch:
        _die_at_the_second_file(patch)
        with pytest.raises(WorkerKilled):
            worker.run()
    assert _latest(meeting).status == PackStatus.BUILDING
    assert_published(meeting, published)

    _retry_succeeds(clerk, meeting, worker)


def test_a_build_whose_worker_is_killed_is_shown_as_failed_once_its_heartbeat_stops(
    agenda, worker, monkeypatch
):
    """Nothing can record the failure of a killed worker: the status page shows the build
    as failed once it has been silent for longer than any build takes (a build writes its
    progress, its heartbeat, every few seconds), and as still being built before that."""
    meeting, _, published = agenda
    clerk = governance_services_client("Suzanne Bennett")
    _rebuild(clerk, meeting)
    with monkeypatch.context() as patch:
        _die_at_the_second_file(patch)
        with pytest.raises(WorkerKilled):
            worker.run()
    stuck = _latest(meeting)
    assert stuck.status == PackStatus.BUILDING

    def _later(minutes):
        AgendaPack.objects.filter(meeting=meeting).update(
            created_at=F("created_at") - dt.timedelta(minutes=minutes),
            started_at=F("started_at") - dt.timedelta(minutes=minutes),
            updated_at=F("updated_at") - dt.timedelta(minutes=minutes),
        )

    _later(1)  # a minute of silence: a slow build, perhaps
    html = _status_page(clerk, meeting)
    assert _status_tag(html) == "Being built"
    assert 'http-equiv="refresh"' in html

    _later(2)  # three minutes: well over ten times what any build takes
    html = _status_page(clerk, meeting)
    assert _status_tag(html) == "Failed"
    assert "The build stopped without finishing. Rebuild the pack." in html
    assert 'http-equiv="refresh"' not in html
    assert_published(meeting, published)
    stuck.refresh_from_db()
    assert stuck.status == PackStatus.BUILDING  # the page writes nothing


def test_a_build_beats_as_it_works(agenda, worker):
    """Each progress write also moves the heartbeat (`updated_at`) on, as other requests see
    it while the build goes on."""
    meeting, _, _ = agenda
    _rebuild(governance_services_client("Suzanne Bennett"), meeting)
    worker.discard()
    queued = _latest(meeting)
    beats = []

    def progress(value):
        beats.append(AgendaPack.objects.values_list("updated_at", flat=True).get(pk=queued.pk))

    built = pack.build_pack(queued, progress=progress)

    assert built.status == PackStatus.READY
    assert len(beats) >= 10
    assert beats == sorted(set(beats))  # a new beat with each step
    assert queued.created_at < beats[0]


def test_a_build_that_goes_on_beating_is_not_shown_as_failed(agenda, worker):
    """A build started long ago (a queue that was busy, a very large pack) whose heartbeat is
    recent is still being built."""
    meeting, _, _ = agenda
    clerk = governance_services_client("Suzanne Bennett")
    _rebuild(clerk, meeting)
    building = _latest(meeting)
    hour = dt.timedelta(hours=1)
    AgendaPack.objects.filter(meeting=meeting).update(
        created_at=F("created_at") - hour, updated_at=F("updated_at") - hour
    )
    AgendaPack.objects.filter(pk=building.pk).update(
        status=PackStatus.BUILDING,
        started_at=timezone.now() - hour,
        updated_at=timezone.now() - dt.timedelta(seconds=30),
    )
    html = _status_page(clerk, meeting)
    assert _status_tag(html) == "Being built"
    assert 'http-equiv="refresh"' in html
    worker.discard()


#: Where the worker's database connection is cut: the statement before which its server
#: process is ended (see DropConnection), and whether a fresh connection is cut again.
CONNECTION_CUTS = {
    # The claim committed; the next statement (reading the claimed pack) finds no server.
    "reading the pack just claimed": {"at": 2, "writes_only": False},
    # Writes: the claim, progress 0, then progress as files are opened: cut at the third.
    "opening the files": {"at": 3},
    # The database is still away when the failure is first written: written on the next try.
    "opening the files, and again recording the failure": {"at": (3, 4)},
    # Inside the transaction that publishes the pack (it locks the meeting first).
    "publishing": {"at": 1, "matching": r"\bFOR UPDATE\b"},
}


@pytest.mark.parametrize("cut", list(CONNECTION_CUTS))
def test_a_build_whose_database_connection_drops_is_shown_as_failed_at_once(
    cut, agenda, worker, server, media
):
    """The worker records the failure on a fresh connection: the status page shows it as
    failed straight away, not once it has been silent for long, the previous pack stays
    published, and a rebuild succeeds."""
    meeting, _, published = agenda
    clerk = governance_services_client("Suzanne Bennett")
    _rebuild(clerk, meeting)

    drop = DropConnection(server, **CONNECTION_CUTS[cut])
    with connection.execute_wrapper(drop):
        (outcome,) = worker.run()  # the failure is handled: nothing escapes to the worker
    assert drop.fired, drop.statements
    assert len(server.terminated) == len(drop.at)
    assert outcome == PackStatus.FAILED

    failed = _latest(meeting)
    assert failed.status == PackStatus.FAILED
    assert failed.error == pack.UNEXPECTED
    assert failed.finished_at is not None
    assert not failed.file
    html = _status_page(clerk, meeting)  # at once: no time has passed
    assert _status_tag(html) == "Failed"
    assert "The pack could not be built because of an unexpected error" in html
    assert 'http-equiv="refresh"' not in html
    assert_published(meeting, published)
    assert sorted(p.name for p in (media / "packs").iterdir()) == [
        published.file.name.removeprefix("packs/")
    ]

    _retry_succeeds(clerk, meeting, worker)
