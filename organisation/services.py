"""Every change to people, roles and the council's structure, and to how people sign in."""

import functools
from datetime import timedelta

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import policies, queries, tasks, tokens
from organisation.models import (
    EnrolmentMethod,
    TwoFactorAction,
    TwoFactorEnrolment,
    TwoFactorEvent,
    User,
    Via,
)
from organisation.policies import SERVER_CONSOLE
from organisation.roles import ROLE_SPECS, Role, group_name

#: How long a set-up link works: long enough to reach someone who is out for the day.
LINK_LIFETIME = timedelta(hours=24)
#: How long a replacement, allowed by a code from the old authenticator, may take.
REPLACEMENT_LIFETIME = timedelta(minutes=10)

WRONG_CODE = "The code is wrong or has expired. Enter the code your app shows now"
NO_ENROLMENT = (
    "Your set-up link has expired or has already been used. "
    "Ask an administrator to send you a new one"
)
NOT_STARTED = "Start setting up your authenticator app again"
INACTIVE_ACCOUNT = "This account is deactivated. Reactivate it before sending a set-up link"
NO_AUTHENTICATOR = "{name} has no authenticator app to remove"


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
def grant_roles(*, account: User, roles: list[Role], actor) -> None:
    """Give a person roles (the admin does the same through the user form, asking the same
    policy). Refused unless `actor` may manage the account and grant every role."""
    if not policies.accounts.can_set_roles(actor, account, account.roles | set(roles)):
        raise PermissionDenied(policies.NOT_MANAGEABLE)
    groups = Group.objects.filter(name__in=[group_name(role) for role in roles])
    account.groups.add(*groups)
    account.__dict__.pop("_roles", None)


def request_password_reset(*, email: str, base_url: str) -> None:
    """Queue the e-mail with a link to choose a new password.

    The same work whatever `email` is: one task, queued with the address as typed. Whether
    an account has that address is found out by the task, in the worker, so the answer
    (and how long it takes) reveals nothing. Nothing is written, so there is no commit to
    wait for."""
    tasks.send_password_reset.enqueue(email, base_url)


# --- Two-factor sign-in ---------------------------------------------------------------------


def _via(actor) -> Via:
    return Via.COMMAND_LINE if actor is SERVER_CONSOLE else Via.ADMIN


def _person(actor) -> User | None:
    return None if actor is SERVER_CONSOLE else actor


def _record(*, account, action, actor, via, base_url, now, enrolment=None) -> TwoFactorEvent:
    """Write the event, then e-mail the account about it once the change has committed."""
    event = TwoFactorEvent.objects.create(
        account=account,
        action=action,
        actor=_person(actor),
        via=via,
        enrolment=enrolment,
        created_at=now,
    )
    transaction.on_commit(
        functools.partial(tasks.send_two_factor_email.enqueue, event.pk, base_url)
    )
    return event


def _cancel(enrolments, now) -> None:
    """Close enrolments that were not used, with their half-set-up authenticators."""
    for enrolment in enrolments.select_for_update(of=("self",)).select_related("device"):
        if enrolment.device is not None and not enrolment.device.confirmed:
            enrolment.device.delete()
            enrolment.device = None
        enrolment.cancelled_at = now
        enrolment.save(update_fields=["cancelled_at", "updated_at"])


@transaction.atomic
def issue_two_factor_enrolment(*, account: User, actor, base_url: str, now=None):
    """Let `account` set up an authenticator app, replacing any it has, without a code from
    it: for a first set-up, or when the phone is lost. The link is e-mailed to the account's
    own address and shown to nobody else (its token is made in the worker, tokens.py); the
    issuer learns only that it was sent and when it expires. A newer link cancels older
    ones. `actor` is a person in the admin, or SERVER_CONSOLE for `manage.py
    issue_two_factor_enrolment`, the only way to issue one for a superuser."""
    now = now or timezone.now()
    if not policies.accounts.can_manage(actor, account):
        raise PermissionDenied(policies.NOT_MANAGEABLE)
    account = User.objects.select_for_update().get(pk=account.pk)  # one issuance at a time
    if not account.is_active:
        raise ValidationError(INACTIVE_ACCOUNT, code="inactive")
    _cancel(queries.open_enrolments(account, now).filter(method=EnrolmentMethod.LINK), now)
    nonce = tokens.new_nonce()
    enrolment = TwoFactorEnrolment.objects.create(
        account=account,
        method=EnrolmentMethod.LINK,
        issued_by=_person(actor),
        nonce=nonce,
        token_hash=tokens.token_hash(tokens.link_token(account_id=account.pk, nonce=nonce)),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    _record(
        account=account,
        action=TwoFactorAction.ISSUED,
        actor=actor,
        via=_via(actor),
        base_url=base_url,
        now=now,
        enrolment=enrolment,
    )
    return enrolment


def authorise_replacement(*, actor: User, token: str, now=None) -> TwoFactorEnrolment:
    """A short-lived leave for `actor` to replace their authenticator app, given a fresh code
    from it (which cannot be the code that signed them in: django-otp refuses a code twice)."""
    now = now or timezone.now()
    check_second_factor(user=actor, token=token)
    with transaction.atomic():
        return TwoFactorEnrolment.objects.create(
            account=actor,
            method=EnrolmentMethod.REPLACEMENT,
            issued_by=actor,
            created_at=now,
            expires_at=now + REPLACEMENT_LIFETIME,
        )


def _open_enrolment_for_update(actor, enrolment, now) -> TwoFactorEnrolment:
    locked = (
        TwoFactorEnrolment.objects.select_for_update()
        .filter(pk=enrolment.pk, account=actor)
        .first()
    )
    if locked is None or not locked.is_open(now):
        raise ValidationError(NO_ENROLMENT, code="no_enrolment")
    return locked


@transaction.atomic
def start_totp_enrolment(*, actor: User, enrolment: TwoFactorEnrolment, now=None) -> TOTPDevice:
    """A new secret for the authenticator app being set up with `enrolment` (any earlier,
    unfinished one is discarded). The key is shown only to the account's own session."""
    now = now or timezone.now()
    enrolment = _open_enrolment_for_update(actor, enrolment, now)
    if enrolment.device is not None:
        enrolment.device.delete()
    device = TOTPDevice.objects.create(user=actor, name="Authenticator app", confirmed=False)
    enrolment.device = device
    enrolment.save(update_fields=["device", "updated_at"])
    return device


def confirm_totp_enrolment(
    *, actor: User, enrolment: TwoFactorEnrolment, token: str, base_url: str, now=None
) -> TOTPDevice:
    """Finish the set-up once the app shows the right code: the new authenticator replaces
    every other the account had, the enrolment is used up, and the change is recorded and
    e-mailed. A wrong code is refused (and counted by django-otp's throttling)."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = _open_enrolment_for_update(actor, enrolment, now)
        if enrolment.device_id is None:
            raise ValidationError(NOT_STARTED, code="not_started")
        device = TOTPDevice.objects.select_for_update().get(pk=enrolment.device_id)
        # The throttle's count of failures is saved whatever the outcome: no exception
        # inside this block.
        verified = device.verify_token(token)
        if verified:
            replacing = queries.has_totp_device(actor)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
            enrolment.used_at = now
            enrolment.save(update_fields=["used_at", "updated_at"])
            _cancel(queries.open_enrolments(actor, now).exclude(pk=enrolment.pk), now)
            _record(
                account=actor,
                action=TwoFactorAction.REPLACED if replacing else TwoFactorAction.ENROLLED,
                actor=actor,
                via=Via.ACCOUNT,
                base_url=base_url,
                now=now,
                enrolment=enrolment,
            )
    if not verified:
        raise ValidationError(WRONG_CODE, code="wrong_code")
    return device


@transaction.atomic
def revoke_two_factor(*, account: User, actor, base_url: str, now=None) -> None:
    """Remove the account's authenticator app (a lost or stolen phone): it must then be
    given a set-up link before it can sign in where two-factor is needed. Replacements
    allowed by the removed app are cancelled."""
    now = now or timezone.now()
    if not policies.accounts.can_manage(actor, account):
        raise PermissionDenied(policies.NOT_MANAGEABLE)
    account = User.objects.select_for_update().get(pk=account.pk)
    if not TOTPDevice.objects.filter(user=account).exists():
        raise ValidationError(
            NO_AUTHENTICATOR.format(name=account.full_name or account.email),
            code="no_authenticator",
        )
    _cancel(queries.open_enrolments(account, now).filter(method=EnrolmentMethod.REPLACEMENT), now)
    TOTPDevice.objects.filter(user=account).delete()
    _record(
        account=account,
        action=TwoFactorAction.REVOKED,
        actor=actor,
        via=_via(actor),
        base_url=base_url,
        now=now,
    )


def check_second_factor(*, user: User, token: str) -> TOTPDevice:
    """The person's authenticator if `token` is its current code. Only an authenticator set
    up through an enrolment counts (queries.enrolled_devices). django-otp throttles wrong
    codes and refuses a code used before; both are saved, right or wrong."""
    with transaction.atomic():
        for device in queries.enrolled_devices(user).select_for_update(of=("self",)):
            if device.verify_token(token):
                return device
    raise ValidationError(WRONG_CODE, code="wrong_code")
