"""Every change to people, roles and the council's structure."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation.models import User
from organisation.roles import ROLE_SPECS, Role, group_name


@transaction.atomic
def sync_roles(*, using: str = "default") -> list[str]:
    """Make each role's group hold exactly the permissions roles.py gives it.

    Re-runnable: a second run changes nothing. Returns the names of the groups it created.
    """
    # post_migrate reaches this app before others have their permissions: make them all now.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    created = []
    for spec in ROLE_SPECS:
        group, was_created = Group.objects.using(using).get_or_create(name=spec.name)
        if was_created:
            created.append(spec.name)
        wanted = Q(pk__in=[])
        for dotted in spec.permissions:
            app_label, codename = dotted.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.using(using).filter(wanted))
        if len(permissions) != len(spec.permissions):
            missing = set(spec.permissions) - {
                f"{p.content_type.app_label}.{p.codename}" for p in permissions
            }
            raise LookupError(f"Role {spec.name!r} names unknown permissions: {sorted(missing)}")
        group.permissions.set(permissions)
    return created


@transaction.atomic
def grant_roles(*, user: User, roles: list[Role]) -> None:
    """Give a person roles (the admin does the same through the user form)."""
    groups = Group.objects.filter(name__in=[group_name(role) for role in roles])
    user.groups.add(*groups)
    user.__dict__.pop("_roles", None)


WRONG_CODE = "The code is wrong or has expired. Enter the code your app shows now"
NO_ENROLMENT = "Start setting up two-factor sign-in again"


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """Begin two-factor set-up with a fresh secret; any unfinished set-up is discarded."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, token: str) -> TOTPDevice:
    """Finish set-up once the person proves their app shows the right code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(NO_ENROLMENT)
    if not device.verify_token(token):
        raise ValidationError(WRONG_CODE)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per person: a new one replaces the old.
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    return device


def check_second_factor(*, user: User, token: str) -> TOTPDevice:
    """The person's confirmed device if `token` is its current code (throttled by django-otp)."""
    device = match_token(user, token)
    if device is None:
        raise ValidationError(WRONG_CODE)
    return device
