"""Shorter idle sessions on the pages that open whistleblowing cases: after
settings.SENSITIVE_IDLE_TIMEOUT without activity anywhere on the portal, the register, a case
or an action page signs the person out and asks them to sign in again (with their second
factor), and a form posted then changes nothing; the rest of the portal keeps the ordinary
SESSION_IDLE_TIMEOUT. organisation.middleware.idle_timeout decides, in one place."""

import datetime as dt
import time

import pytest
from django.urls import resolve, reverse

from organisation.middleware import SessionActivityMiddleware, idle_timeout
from organisation.roles import Role
from tests.helpers import text_of
from tests.security.support import changed_tables, row_counts
from tests.whistleblowing.handle_support import monitoring_officer, raise_concern, signed_in

pytestmark = pytest.mark.django_db

REGISTER = reverse("concerns:register")


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[SessionActivityMiddleware.KEY] = int(time.time() - minutes * 60)
    session.save()


@pytest.fixture
def mo_client(client):
    return signed_in(client, monitoring_officer())


def test_the_register_signs_out_a_session_idle_longer_than_the_shorter_timeout(mo_client):
    idle_for(mo_client, 11)
    response = mo_client.get(REGISTER)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={REGISTER}"
    assert "_auth_user_id" not in mo_client.session
    page = mo_client.get(response["Location"])
    assert "You were signed out because you had not used the portal for 10 minutes" in text_of(page)


def test_the_register_opens_within_the_shorter_timeout(mo_client):
    idle_for(mo_client, 9)
    assert mo_client.get(REGISTER).status_code == 200


def test_other_pages_keep_the_ordinary_timeout(mo_client):
    idle_for(mo_client, 25)
    assert mo_client.get(reverse("account")).status_code == 200
    # ...and that activity counts for the register too.
    assert mo_client.get(REGISTER).status_code == 200


def test_an_action_posted_after_the_timeout_changes_nothing(mo_client):
    concern = raise_concern()
    idle_for(mo_client, 15)
    before = row_counts()
    response = mo_client.post(
        reverse("concerns:acknowledge", args=[concern.pk]), {"summary": "s", "version": 1}
    )
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    changed = changed_tables(before, row_counts())
    assert not changed
    concern.refresh_from_db()
    assert concern.acknowledged_at is None


def test_the_timeout_is_a_setting(mo_client, settings):
    settings.SENSITIVE_IDLE_TIMEOUT = dt.timedelta(minutes=3)
    idle_for(mo_client, 4)
    assert mo_client.get(REGISTER).status_code == 302


def test_one_place_decides_which_pages_are_sensitive(settings):
    settings.SENSITIVE_IDLE_TIMEOUT = dt.timedelta(minutes=10)
    settings.SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=30)
    concern_pages = [REGISTER, reverse("concerns:case", args=[1]), reverse("concerns:export")]
    for path in concern_pages:
        assert idle_timeout(resolve(path)) == dt.timedelta(minutes=10), path
    for path in ("/", reverse("account"), reverse("manage:meetings")):
        assert idle_timeout(resolve(path)) == dt.timedelta(minutes=30), path


@pytest.mark.parametrize("role", [Role.CHIEF_INTERNAL_AUDITOR, Role.INVESTIGATING_OFFICER])
def test_every_handler_is_held_to_it(client, role):
    from tests.whistleblowing.handle_support import person

    client = signed_in(client, person(role))
    idle_for(client, 12)
    assert client.get(REGISTER).status_code == 302
