"""Every read that the organisation pages need, shaped so each page costs a fixed number of
queries."""

from django.db.models import Prefetch
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation.models import Council, Directorate, Service


def council_structure():
    """Directorates with their services: two queries whatever their number."""
    return Directorate.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.order_by("name"))
    ).order_by("name")


def directorates():
    return Directorate.objects.all()


def pending_totp_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def has_totp_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


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
