"""The whistleblowing volume generator (bench/volume/whistleblowing.py) at a small scale: the
concerns are what the services would have left (states, dates, routes, erasure after the
retention period), every word is sealed to its case and opens, nothing is in clear, and a
seed always gives the same rows."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection

import bench.volume
from bench.volume import whistleblowing as volume
from portal_kit.time import LONDON
from whistleblowing import queries, rules, sealing, services
from whistleblowing.models import (
    Attachment,
    CaseOpening,
    Concern,
    Entry,
    EntryKind,
    Route,
    Status,
)

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2025, 11, 24)


def _generate(scale=0.25, seed=1):
    return volume.generate(scale=scale, seed=seed, anchor=ANCHOR)


def test_concerns_over_fifteen_years_as_the_services_leave_them():
    summary = _generate()
    concerns = Concern.objects.all()
    assert concerns.count() == 150 == summary.counts["whistleblowing concerns"]
    first = min(concerns.values_list("received_at", flat=True)).astimezone(LONDON).date()
    last = max(concerns.values_list("received_at", flat=True)).astimezone(LONDON).date()
    assert first >= ANCHOR - dt.timedelta(days=15 * 366) and last < ANCHOR
    assert (last - first).days > 14 * 365
    assert {c.route for c in concerns.filter(ground=rules.FRAUD)} == {Route.CHIEF_INTERNAL_AUDITOR}
    assert {c.route for c in concerns.exclude(ground=rules.FRAUD)} == {Route.MONITORING_OFFICER}
    for concern in concerns:
        assert concern.acknowledge_due == rules.acknowledge_by(concern.received_on)
        assert (concern.status == Status.CLOSED) == (concern.closed_at is not None)
        assert (concern.status == Status.RECEIVED) == (concern.acknowledged_at is None)
        if concern.acknowledged_at:
            assert concern.received_at < concern.acknowledged_at
        assert concern.entries.filter(kind=EntryKind.REPORT).count() == 1
    assert concerns.filter(anonymous=True).exists() and concerns.filter(anonymous=False).exists()
    assert concerns.filter(closed_at__isnull=False, content_erased_at__isnull=False).exists()
    assert Attachment.objects.exists() and CaseOpening.objects.exists()
    # The ids continue after the generated ones.
    opening = CaseOpening.objects.first()
    services.record_opening(concern=opening.concern, reader=opening.reader)


def test_every_state_is_there_at_scale_1():
    _generate(scale=1)
    assert Concern.objects.count() == 600
    assert set(Concern.objects.values_list("status", flat=True)) == {s.value for s in Status}
    today = ANCHOR
    overdue = Concern.objects.acknowledgement_overdue(today).count()
    assert overdue >= 1
    # About 40 a year: the annual report of a whole year counts them.
    start = rules.financial_year(ANCHOR)[0].replace(year=ANCHOR.year - 2)
    report = queries.annual_report(start, today=today)
    assert 20 < int(report.received) < 70 and report.lessons


def test_every_word_is_sealed_to_its_case_and_opens():
    _generate()
    assert Entry.objects.filter(erased=False).count() > 150
    for entry in Entry.objects.filter(erased=False).order_by("?")[:50]:
        content = services.entry_content(entry)
        assert content
        with pytest.raises(sealing.SealBroken):
            sealing.open_json(entry.body, case_id=entry.concern_id + 1, purpose=entry.purpose)
    for attachment in Attachment.objects.filter(erased=False)[:10]:
        assert services.attachment_bytes(attachment).startswith(b"%PDF")
        assert services.attachment_about(attachment)["content_type"] == "application/pdf"
        with attachment.sealed_file.open("rb") as handle:
            assert b"%PDF" not in handle.read()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM whistleblowing_entry WHERE position('Timesheets' in "
            "encode(body, 'escape')) > 0 OR position('Reporter' in encode(body, 'escape')) > 0"
        )
        assert cursor.fetchone() == (0,)


def test_content_is_erased_after_the_retention_period():
    _generate()
    cutoff = dt.datetime.combine(ANCHOR, dt.time(9), tzinfo=LONDON) - dt.timedelta(
        days=settings.WHISTLEBLOWING_RETENTION_DAYS
    )
    old = Concern.objects.filter(closed_at__lt=cutoff)
    assert old.exists()
    assert not old.filter(content_erased_at__isnull=True).exists()
    assert not Entry.objects.filter(concern__in=old, erased=False).exists()
    assert not old.filter(receipt_hash__isnull=False).exists()
    assert not Attachment.objects.filter(concern__in=old, erased=False).exists()


def _clear_rows():
    return [
        (
            c.pk,
            c.ground,
            c.status,
            c.received_at,
            c.acknowledged_at,
            c.closed_at,
            c.outcome,
            c.investigator_id,
            tuple(
                (e.kind, e.created_at, tuple(sorted(services.entry_content(e).items())))
                for e in c.entries.order_by("pk")
            ),
        )
        for c in Concern.objects.order_by("pk")
    ]


def test_a_seed_always_gives_the_same_rows():
    _generate(scale=0.05, seed=3)
    first = _clear_rows()
    Attachment.objects.all().delete()
    Entry.objects.all().delete()
    with connection.cursor() as cursor:
        # The log refuses DELETE (a trigger): a test may empty it with triggers off.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM whistleblowing_caseopening")
        cursor.execute("SET session_replication_role = origin")
    Concern.objects.all().delete()
    _generate(scale=0.05, seed=3)
    assert _clear_rows() == first


def test_it_fills_only_empty_tables_and_needs_a_positive_scale():
    _generate(scale=0.01)
    with pytest.raises(bench.volume.VolumeError, match="already holds whistleblowing"):
        _generate(scale=0.01)
    with pytest.raises(bench.volume.VolumeError, match="more than 0"):
        volume.generate(scale=0, anchor=ANCHOR)


def test_the_command_runs_it_after_the_committees(capsys):
    assert "whistleblowing" in bench.volume.GENERATORS
    assert bench.volume.GENERATORS.index("whistleblowing") > bench.volume.GENERATORS.index(
        "committees"
    )
    status = bench.volume.main(["--scale", "0.002", "--anchor", "2025-11-24", "--no-vacuum"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Generated whistleblowing scale 0.002 (seed 1, anchor 2025-11-24)" in out
    assert "  whistleblowing concerns: 1\n" in out
