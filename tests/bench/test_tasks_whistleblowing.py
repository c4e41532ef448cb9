"""The benchmark's whistleblowing pages (bench/tasks.py): the Monitoring Officer accounts the
signed-in clients use, the register and case pages, and the submission, whose finished drafts
the intake's last page sends as a reporter's would."""

import pytest
from django.urls import NoReverseMatch, reverse

from bench import tasks
from bench.common import MO_ACCOUNTS, mo_account
from bench.volume import whistleblowing as volume
from organisation import queries as organisation_queries
from organisation.models import User
from organisation.roles import Role
from whistleblowing import services
from whistleblowing.models import Concern, EntryKind

pytestmark = pytest.mark.django_db


def test_a_finished_draft_is_sent_once_by_the_intake(client):
    page = {"kind": "submission"}
    url = reverse("whistleblowing:raise_check")
    answer = tasks._fetch(client, page, url)
    assert answer.status_code == 200 and b"Concern sent" in answer.content
    concern = Concern.objects.get()
    assert concern.anonymous and concern.receipt_hash
    report = services.entry_content(concern.entries.get(kind=EntryKind.REPORT))
    assert report["what_happened"] == tasks.SUBMISSION_ANSWERS["what_happened"]
    draft = tasks._submission_draft()
    client.post(url, {"draft": draft, "under_policy": "on"})
    again = client.post(url, {"draft": draft, "under_policy": "on"})
    assert b"Concern sent" not in again.content
    assert Concern.objects.count() == 2


def test_the_monitoring_officer_accounts_sign_in_with_their_own_second_factor():
    tasks.users("bench-password")
    for n in (0, MO_ACCOUNTS - 1):
        user = User.objects.get(email=mo_account(n, "bench-password")[0])
        assert user.has_role(Role.MONITORING_OFFICER) and user.needs_two_factor
        assert user.check_password("bench-password")
        assert organisation_queries.enrolled_devices(user).count() == 1


def test_the_whistleblowing_pages_are_measured(monkeypatch):
    monkeypatch.setattr(tasks, "SUBMISSION_DRAFTS", 3)
    volume.generate(scale=0.05, anchor=None)
    tasks.users("bench-password")
    pages = {p["name"]: p for p in tasks._whistleblowing_pages()}
    submission = pages["WB: submission"]
    assert submission["kind"] == "submission" and len(submission["drafts"]) == 3
    try:
        reverse("concerns:register")
    except NoReverseMatch:
        pytest.skip("the register's pages are not there yet")
    assert pages["WB: register"]["kind"] == "monitoring_officer"
    assert pages["WB: case page"]["urls"]
    for name in ("WB: register", "WB: case page", "WB: submission"):
        counts = tasks._count(pages[name])
        assert len(set(counts)) == 1, (name, counts)
