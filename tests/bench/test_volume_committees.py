"""The committees volume generator (bench/volume/committees.py) at a tiny scale: the data is
consistent as the services would leave it, the search index is exactly what the indexer
writes, counts grow with the scale, and a seed always gives the same rows; and the runner,
`python -m bench.volume` (bench/volume/__init__.py), called in-process on the test database."""

import datetime as dt
import hashlib
import importlib

import pytest
from defusedxml import ElementTree
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef
from django.urls import reverse

import bench.volume
from bench.volume import committees as volume
from committees import search
from committees.models import (
    AgendaItem,
    AgendaPack,
    Attendance,
    Consultation,
    Decision,
    Document,
    Meeting,
    Organization,
    Paper,
    Resolution,
    SearchEntry,
)
from tests.committees.factories import MeetingFactory

BACKFILL = importlib.import_module("committees.migrations.0002_paper_first_published_at").BACKFILL

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2025, 11, 24)
MeetingOrganizations = Meeting.organizations.through


def _generate(scale=0.004, seed=1):
    return volume.generate(scale=scale, seed=seed, anchor=ANCHOR)


def _committee_tables() -> list[str]:
    tables = [
        m._meta.db_table
        for m in apps.get_app_config("committees").get_models()
        if not m.__name__.startswith("Historical")
    ]
    return [*tables, MeetingOrganizations._meta.db_table]


def _empty_committee_tables():
    quoted = ", ".join(f'"{t}"' for t in _committee_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


def _fingerprint() -> dict[str, str]:
    """Every committee table's rows, in id order, as one checksum per table."""
    out = {}
    with connection.cursor() as cursor:
        for table in _committee_tables():
            cursor.execute(f'SELECT t::text FROM "{table}" t ORDER BY t.id')  # noqa: S608
            rows = "\n".join(row[0] for row in cursor.fetchall())
            out[table] = hashlib.sha256(rows.encode()).hexdigest()
    return out


def _search_index() -> list[tuple]:
    """The index as the public would search it: rows, and each vector's lexemes with their
    weights (positions differ by design: see bench/volume/committees.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, object_id, url, title, body, date, organization_ids, "
            "(SELECT array_agg(lexeme || ':' || array_to_string(ARRAY(SELECT DISTINCT w FROM "
            "unnest(weights) w ORDER BY w), '') ORDER BY lexeme) FROM unnest(vector)) "
            "FROM committees_searchentry ORDER BY kind, object_id"
        )
        return cursor.fetchall()


def _indexes() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename LIKE 'committees_%%' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_a_tiny_council_is_consistent():
    indexes_before = _indexes()
    summary = _generate()

    assert summary.counts["meetings"] == Meeting.objects.count() == 24
    assert Organization.objects.count() == 2
    # Every consultation sits on an agenda item of its meeting, and its organisation is one
    # of that meeting's decision makers.
    assert Consultation.objects.count() > 0
    assert not Consultation.objects.exclude(agenda_item__meeting=F("meeting")).exists()
    assert not Consultation.objects.filter(
        ~Exists(
            MeetingOrganizations.objects.filter(
                meeting_id=OuterRef("meeting_id"), organization_id=OuterRef("organization_id")
            )
        )
    ).exists()
    # Journeys take one to three meetings, forward in time.
    steps = Consultation.objects.values("paper").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(steps) <= {1, 2, 3}
    assert max(steps) >= 2
    for paper in Paper.objects.annotate(n=Count("consultations")).filter(n__gt=1):
        starts = list(paper.consultations.order_by("pk").values_list("meeting__start", flat=True))
        assert starts == sorted(starts) and len(set(starts)) == len(starts)

    # Private business names its paragraphs; its papers are private and taken only there.
    private_items = AgendaItem.objects.filter(is_public=False)
    assert private_items.exists()
    for item in private_items:
        assert item.exempt_paragraphs and set(item.exempt_paragraphs) <= set(range(1, 8))
    assert not Paper.objects.filter(is_public=False, exempt_paragraphs=[]).exists()
    assert not Consultation.objects.filter(paper__is_public=False, agenda_item__is_public=True)
    # Agendas are numbered 1, 2, 3… in position order; sub-items a), b)…
    for meeting in Meeting.objects.filter(agenda_items__isnull=False).distinct()[:10]:
        top = meeting.agenda_items.filter(parent=None).order_by("position")
        assert [i.number for i in top] == [str(n) for n in range(1, top.count() + 1)]
    for sub in AgendaItem.objects.filter(parent__isnull=False):
        assert sub.number == f"{chr(96 + sub.position)})"

    # Minutes only where published; approved ones were approved at a later meeting of the same
    # decision maker.
    assert Attendance.objects.filter(meeting__minutes_published_at__isnull=False).exists()
    assert not Attendance.objects.filter(meeting__minutes_published_at=None).exists()
    assert not Resolution.objects.filter(agenda_item__meeting__minutes_published_at=None).exists()
    for meeting in Meeting.objects.filter(state="minutes_approved"):
        later = meeting.minutes_approved_at
        assert later.start > meeting.start
        assert set(later.organizations.all()) == set(meeting.organizations.all())
    assert not Meeting.objects.filter(state="scheduled", agenda_published_at__isnull=False)
    # Packs only for published agendas.
    assert not AgendaPack.objects.filter(meeting__agenda_published_at=None).exists()
    # Public reports carry their first publication (their first published agenda), as the
    # services and the migration's backfill give it; the others carry none.
    stamped = dict(Paper.objects.values_list("pk", "first_published_at"))
    assert any(stamped.values()) and not all(stamped.values())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE committees_paper SET first_published_at = NULL")
        cursor.execute(BACKFILL)
    assert dict(Paper.objects.values_list("pk", "first_published_at")) == stamped

    # Reports have several pages of extracted text; every file is a real stored PDF with the
    # size and checksum recorded.
    reports = Document.objects.filter(kind="report", paper__paper_type="Report")
    assert reports.exists() and not reports.filter(page_count__lt=3).exists()
    assert min(len(d.text) for d in reports) > 5000
    for name, size, sha in Document.objects.values_list("file", "size", "sha256").distinct():
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-")
        assert (len(content), hashlib.sha256(content).hexdigest()) == (size, sha)

    # The search index is exactly what committees.search would write for this data, so it
    # holds public content only.
    generated = _search_index()
    assert generated
    search.reindex_all()
    assert _search_index() == generated
    assert not SearchEntry.objects.filter(
        kind="agenda_item", object_id__in=private_items.values("pk")
    ).exists()
    # And the indexes dropped for the bulk load are all back, exactly as they were.
    assert _indexes() == indexes_before


def test_the_pages_render_on_generated_data(client):
    _generate(scale=0.002)
    meeting = Meeting.objects.filter(minutes_published_at__isnull=False).order_by("-start")[0]
    paper = Paper.objects.filter(is_public=True, consultations__meeting=meeting).first()
    decision = Decision.objects.filter(is_public=True).first()
    for url in [
        meeting.get_absolute_url(),
        paper.get_absolute_url(),
        decision.get_absolute_url(),
        Organization.objects.first().get_absolute_url(),
        "/meetings/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.get("/search/", {"q": paper.title})
    assert response.status_code == 200
    assert paper.title in response.content.decode()
    # The feed of new papers: the most recently published first.
    newest = (
        Paper.objects.filter(is_public=True, first_published_at__isnull=False)
        .order_by("-first_published_at", "-pk")
        .first()
    )
    response = client.get(reverse("committees:papers_atom"))
    assert response.status_code == 200
    entry = ElementTree.fromstring(response.content).find("{http://www.w3.org/2005/Atom}entry")
    link = entry.find("{http://www.w3.org/2005/Atom}link").get("href")
    assert link == f"http://testserver{newest.get_absolute_url()}"


def test_counts_grow_with_the_scale():
    small = _generate(scale=0.002).counts
    _empty_committee_tables()
    large = _generate(scale=0.006).counts
    assert (small["meetings"], large["meetings"]) == (12, 36)
    for name in ["agenda items", "reports", "consultations (journey steps)", "decisions"]:
        assert 1.5 * small[name] < large[name] < 6 * small[name], name
    # About ten items and five reports a meeting, as at scale 1.
    assert 6 < large["agenda items"] / large["meetings"] < 14
    assert 2.5 < large["reports"] / large["meetings"] < 8


def test_the_same_seed_gives_the_same_rows():
    _generate(seed=7)
    first = _fingerprint()
    _empty_committee_tables()
    _generate(seed=7)
    assert _fingerprint() == first
    _empty_committee_tables()
    _generate(seed=8)
    different = _fingerprint()
    assert different["committees_meeting"] != first["committees_meeting"]
    assert different["committees_paper"] != first["committees_paper"]


def test_it_refuses_a_database_that_holds_committee_data():
    MeetingFactory()
    with pytest.raises(volume.VolumeError, match="already holds committee data"):
        _generate()
    assert Meeting.objects.count() == 1
    assert not Paper.objects.exists()


def test_the_scale_must_be_positive():
    with pytest.raises(volume.VolumeError, match="more than 0"):
        _generate(scale=0)


def test_the_command_reports_what_it_wrote(capsys):
    status = bench.volume.main(["--scale", "0.002", "--anchor", "2025-11-24", "--no-vacuum"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Generated scale 0.002 (seed 1, anchor 2025-11-24)" in out
    assert "  meetings: 12\n" in out
    assert "database size:" in out
    assert Meeting.objects.count() == 12


def test_the_command_refuses_production(settings, capsys):
    settings.PRODUCTION = True
    assert bench.volume.main(["--scale", "0.002"]) == 1
    assert "never production" in capsys.readouterr().err
    assert not Meeting.objects.exists()


def test_the_command_reports_a_refusing_generator(capsys):
    MeetingFactory()
    assert bench.volume.main(["--scale", "0.002", "--no-vacuum"]) == 1
    assert "already holds committee data" in capsys.readouterr().err
    assert Meeting.objects.count() == 1


def test_the_floor_page_exists_only_for_the_benchmark(client):
    """The benchmark's denominator is routed only when BENCHMARK_FLOOR=1 (bench/common.py
    sets it for its own server), so no deployment and no permission-matrix row has it."""
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    assert client.get("/_floor").status_code == 404


def test_the_floor_view_costs_one_query(rf, django_assert_num_queries):
    from governance_portal.views import floor

    with django_assert_num_queries(1):
        response = floor(rf.get("/_floor"))
    assert response.status_code == 200
    assert b"<p>1</p>" in response.content
