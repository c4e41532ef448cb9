import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import services
from organisation.roles import ROLE_SPECS, RoleSpec
from tests.factories import TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sync_roles_gives_each_role_exactly_its_permissions():
    for spec in ROLE_SPECS:
        group = Group.objects.get(name=spec.name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(spec.permissions), spec.name


def test_sync_roles_is_rerunnable_and_removes_drift():
    auditor = Group.objects.get(name="Auditor")
    stray = Permission.objects.get(codename="delete_user")
    auditor.permissions.add(stray)

    assert services.sync_roles() == []
    assert stray not in auditor.permissions.all()
    assert Group.objects.filter(name__in=[s.name for s in ROLE_SPECS]).count() == len(ROLE_SPECS)


def test_sync_roles_refuses_a_role_naming_an_unknown_permission(monkeypatch):
    from organisation.roles import Role

    bad = RoleSpec(Role.AUDITOR, "Auditor", "", permissions=("organisation.fly_to_moon",))
    monkeypatch.setattr(services, "ROLE_SPECS", (bad,))
    with pytest.raises(LookupError, match="fly_to_moon"):
        services.sync_roles()


def test_totp_enrolment_needs_the_right_code():
    user = UserFactory()
    device = services.start_totp_enrolment(user=user)

    with pytest.raises(ValidationError, match="wrong or has expired"):
        services.confirm_totp_enrolment(
            user=user, token="000000" if code_for(device) != "000000" else "111111"
        )
    device.refresh_from_db()
    assert device.confirmed is False

    confirmed = services.confirm_totp_enrolment(user=user, token=code_for(device))
    assert confirmed.pk == device.pk
    assert confirmed.confirmed is True


def test_new_authenticator_replaces_the_old_one():
    user = UserFactory()
    old = TOTPDeviceFactory(user=user)
    device = services.start_totp_enrolment(user=user)
    services.confirm_totp_enrolment(user=user, token=code_for(device))
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [device.pk]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_confirming_without_starting_is_refused():
    user = UserFactory()
    with pytest.raises(ValidationError, match="Start setting up"):
        services.confirm_totp_enrolment(user=user, token="123456")


def test_check_second_factor():
    user = UserFactory()
    device = TOTPDeviceFactory(user=user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    with pytest.raises(ValidationError):
        services.check_second_factor(user=user, token=wrong)
    device.refresh_from_db()
    device.throttle_reset()
    assert services.check_second_factor(user=user, token=code_for(device)) == device
