"""Every read that the organisation pages need, shaped so each page costs a fixed number of
queries."""

from django.db.models import Prefetch
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation import tokens
from organisation.models import (
    Council,
    Directorate,
    Service,
    TwoFactorEnrolment,
    TwoFactorEvent,
    User,
)


def council_structure():
    """Directorates with their services: two queries whatever their number."""
    return Directorate.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.order_by("name"))
    ).order_by("name")


def directorates():
    return Directorate.objects.all()


def enrolled_devices(user):
    """The person's authenticator apps that count as a second factor: confirmed, and set up
    through an enrolment (a set-up link or a code from the app replaced). A device made any
    other way opens nothing."""
    return TOTPDevice.objects.filter(
        user=user, confirmed=True, portal_enrolment__used_at__isnull=False
    )


def has_totp_device(user) -> bool:
    return enrolled_devices(user).exists()


def open_enrolments(account, now=None):
    now = now or timezone.now()
    return TwoFactorEnrolment.objects.filter(
        account=account, used_at=None, cancelled_at=None, expires_at__gt=now
    )


def enrolment_for_link(token: str, now=None) -> TwoFactorEnrolment | None:
    """The open enrolment a set-up link's token names, if any."""
    if not tokens.looks_like_a_token(token):
        return None
    now = now or timezone.now()
    return TwoFactorEnrolment.objects.filter(
        token_hash=tokens.token_hash(token), used_at=None, cancelled_at=None, expires_at__gt=now
    ).first()


def open_enrolment(account, pk, now=None) -> TwoFactorEnrolment | None:
    """The account's enrolment `pk` (kept in its session), with the device being set up, if
    it is still open."""
    if pk is None:
        return None
    return open_enrolments(account, now).select_related("device").filter(pk=pk).first()


def two_factor_events(account, *, limit: int = 20) -> list[TwoFactorEvent]:
    """The account's record of two-factor changes, newest first: one query."""
    return list(
        TwoFactorEvent.objects.filter(account=account).select_related("actor", "enrolment")[:limit]
    )


def two_factor_event_for_email(event_id: int) -> TwoFactorEvent | None:
    return (
        TwoFactorEvent.objects.select_related("account", "actor", "enrolment")
        .filter(pk=event_id)
        .first()
    )


def account_with_email(email: str) -> User | None:
    return User.objects.with_email(email).first()


def accounts_for_password_reset(email: str) -> list[User]:
    """The account `email` names in any spelling, if it may sign in with a password."""
    return [
        user
        for user in User.objects.with_email(email).filter(is_active=True)
        if user.has_usable_password()
    ]


def history_entries(obj, *, limit: int = 100) -> list[dict]:
    """The object's recorded changes, newest first, with what each changed and who changed
    it: one query. Field names are shown as their labels."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    labels = {f.attname: str(f.verbose_name).capitalize() for f in obj._meta.concrete_fields}
    labels.update({f.name: str(f.verbose_name).capitalize() for f in obj._meta.concrete_fields})
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(entries) == limit:
            break
        if older is None or newer.history_type != "~":
            changes = []
        else:
            delta = newer.diff_against(older, foreign_keys_are_objs=False)
            changes = [
                {"field": labels.get(c.field, c.field), "old": c.old, "new": c.new}
                for c in delta.changes
                if not isinstance(c.new, list)
            ]
        entries.append(
            {
                "date": newer.history_date,
                "user": newer.history_user,
                "action": {"+": "Created", "~": "Changed", "-": "Deleted"}[newer.history_type],
                "changes": changes,
                "reason": newer.history_change_reason,
            }
        )
    return entries


def council():
    """The council the portal serves (OParl's Body): there is at most one."""
    return Council.objects.order_by("pk").first()


def councils():
    return Council.objects.order_by("pk")
