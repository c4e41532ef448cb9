"""The bases of the portal's records: timestamps and history for every model of record, and
a version number for the records people edit in forms, with the two steps of optimistic
locking that every app's services take."""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

STALE = (
    "Someone else changed this while you were editing it. Your changes have not been saved: "
    "check the latest version and make them again"
)
VERSION_MISSING = (
    "Your changes have not been saved because the page was incomplete. Open the page again "
    "and make your changes there"
)


class _AnyVersion:
    def __repr__(self):
        return "ANY_VERSION"


#: The version a script passes (the demo data, the benchmark, a command) when it changes a
#: record without holding a copy of it: no optimistic locking, and it says so.
ANY_VERSION = _AnyVersion()


class RecordModel(models.Model):
    """Base for every model of record: timestamps and an attributed history of changes."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking: services refuse a save whose version is not the stored one
    (locked_current), and move the version on with every save (save_next_version)."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


def locked_current(model: type[Versioned], pk: int, version) -> Versioned:
    """The stored row, locked until the transaction ends, if it is still the `version` the
    person's form was opened on (or `version` is ANY_VERSION). Refuses, with
    ValidationError(STALE, code="stale"), a change made to an out-of-date copy or to a row
    someone else has deleted, and with ValidationError(VERSION_MISSING,
    code="version_missing") a change sent without a version (None: it cannot be checked, so
    it could overwrite someone else's): a stale copy is never saved over. Call it inside the
    service's transaction."""
    if version is None:
        raise ValidationError(VERSION_MISSING, code="version_missing")
    # Ordered by the key alone: a model ordered by a nullable relation would join it, and
    # FOR UPDATE refuses the nullable side of an outer join.
    current = model.objects.select_for_update().filter(pk=pk).order_by("pk").first()
    if current is None:
        raise ValidationError(STALE, code="stale")
    if version is not ANY_VERSION and current.version != version:
        raise ValidationError(STALE, code="stale")
    return current


def save_next_version(obj: Versioned, fields: list[str]) -> None:
    """Save `fields` of a row read with locked_current (so no one else can move its version
    on), with the next version and, on a RecordModel, the time of the change."""
    obj.version += 1
    try:
        obj._meta.get_field("updated_at")
    except FieldDoesNotExist:
        stamp = []
    else:
        stamp = ["updated_at"]
    obj.save(update_fields=[*fields, "version", *stamp])
