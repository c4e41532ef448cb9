"""Idempotent loading of reference and demo data, shared by every app's `load_demo` step.

`ensure` creates a row, or brings an existing one up to date, and saves only when something
differs, so a second load writes nothing and adds no history.
"""

from django.db import models


def ensure(model: type[models.Model], lookup: dict, **values) -> models.Model:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
    return obj
