"""The outside probe's findings on two-factor sign-in, as it ran them: over HTTP, with the
password alone. Each of these tests failed on the code before the fix (the second factor
could be had for the password); each attempt must now be refused with nothing changed."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory
from tests.organisation.test_services import code_for

pytestmark = pytest.mark.django_db

SET_UP = "/account/two-factor/set-up/"


def devices_of(user) -> list[tuple]:
    return sorted(
        TOTPDevice.objects.filter(user=user).values_list("pk", "key", "confirmed"), key=str
    )


def try_to_enrol_with_the_password_alone(client) -> None:
    """What the probe did: start a set-up, read the new key off the page or the database,
    and confirm it with the code it gives."""
    client.get(SET_UP)
    client.post(SET_UP, {"start": "1"})
    user_id = client.session[SESSION_KEY]
    for device in TOTPDevice.objects.filter(user_id=user_id, confirmed=False):
        client.post(SET_UP, {"code": code_for(device)})


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def test_password_alone_cannot_replace_the_owners_authenticator(client):
    owner = UserFactory(roles=[Role.MONITORING_OFFICER])
    original = TOTPDeviceFactory(user=owner, name="Owner's phone")
    before = devices_of(owner)
    sign_in(client, owner, verified=False)

    try_to_enrol_with_the_password_alone(client)

    assert not is_verified(client)
    assert client.get(reverse("account"))["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(pk=original.pk, confirmed=True).exists()
    assert not TOTPDevice.objects.filter(user=owner, confirmed=True).exclude(pk=original.pk)
    assert [d for d in devices_of(owner) if d[2]] == [d for d in before if d[2]]


def test_password_alone_cannot_set_up_a_first_authenticator_and_open_the_admin(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    sign_in(client, administrator, verified=False)

    try_to_enrol_with_the_password_alone(client)

    assert not is_verified(client)
    assert not TOTPDevice.objects.filter(user=administrator, confirmed=True).exists()
    assert client.get(reverse("admin:index")).status_code == 302


def test_get_and_post_to_set_up_make_no_device_without_an_issued_link(client):
    officer = UserFactory(roles=[Role.GOVERNANCE_SERVICES])
    sign_in(client, officer, verified=False)
    client.get(SET_UP + "?start=1")
    client.post(SET_UP, {"start": "1"})
    client.post(SET_UP + "?start=1", {"start": "1", "code": "123456"})
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_a_pending_device_made_earlier_cannot_be_confirmed(client):
    """A set-up left half-way under the old code (or made any other way) is not a way in."""
    siro = UserFactory(roles=[Role.SIRO])
    pending = TOTPDevice.objects.create(user=siro, name="Authenticator app", confirmed=False)
    sign_in(client, siro, verified=False)

    page = client.get(SET_UP).text
    assert pending.key not in page
    client.post(SET_UP, {"code": code_for(pending)})

    pending.refresh_from_db()
    assert pending.confirmed is False
    assert not is_verified(client)


def test_a_password_reset_does_not_open_the_set_up(client, mailoutbox):
    """With the mailbox (and so a password reset) but not the phone, no second factor."""
    records_manager = UserFactory(roles=[Role.RECORDS_MANAGER], email="rm@council.example")
    TOTPDeviceFactory(user=records_manager, name="Owner's phone")
    client.post(reverse("password_reset"), {"email": "rm@council.example"})
    link = re.search(r"http://testserver(/password-reset/\S+/)", mailoutbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "taken over 2017 passphrase"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    client.post(reverse("login"), {"username": "rm@council.example", "password": new_password})
    assert client.session[SESSION_KEY] == str(records_manager.pk)

    try_to_enrol_with_the_password_alone(client)

    assert not is_verified(client)
    assert TOTPDevice.objects.filter(user=records_manager, confirmed=True).count() == 1


def test_a_device_made_outside_the_set_up_does_not_count(client):
    """An officer's device made with the password alone (the old voluntary set-up), or any
    device not enrolled through an issued link, is no second factor once the officer is
    given a privileged role."""
    officer = UserFactory(roles=[Role.OFFICER, Role.SIRO])
    device = TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)
    client.post(reverse("login"), {"username": officer.email, "password": PASSWORD})

    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two_factor_setup"))
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert not is_verified(client)


def test_the_second_factor_gives_a_new_session_key(client):
    siro = UserFactory(roles=[Role.SIRO])
    device = TOTPDeviceFactory(user=siro)
    client.post(reverse("login"), {"username": siro.email, "password": PASSWORD})
    before = client.session.session_key

    client.post(reverse("two_factor_verify"), {"code": code_for(device)})

    assert is_verified(client)
    assert client.session.session_key != before


def test_the_otp_device_admin_is_not_there(client):
    superuser = UserFactory(is_superuser=True)
    sign_in(client, superuser)
    for path in ("/admin/otp_totp/totpdevice/", "/admin/otp_totp/totpdevice/add/"):
        assert client.get(path).status_code == 404, path
