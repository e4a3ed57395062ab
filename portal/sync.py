"""Idempotent writes of reference data: create what is missing, change what differs, and
leave identical rows untouched — so loading the same file twice writes nothing at all (no
new versions, no audit entries)."""

from collections import Counter
from typing import Any, TypeVar

from django.db.models import Model


class SyncReport(Counter):
    """How many objects were created, updated or left unchanged, per model."""

    def record(self, model: type[Model], outcome: str) -> None:
        self[(model._meta.verbose_name_plural, outcome)] += 1

    def summary(self) -> list[str]:
        by_model: dict[str, dict[str, int]] = {}
        for (name, outcome), count in sorted(self.items()):
            by_model.setdefault(str(name), {})[outcome] = count
        return [
            f"{name}: "
            + ", ".join(
                f"{counts.get(key, 0)} {key}" for key in ("created", "updated", "unchanged")
            )
            for name, counts in by_model.items()
        ]

    @property
    def changed(self) -> int:
        return sum(count for (_, outcome), count in self.items() if outcome != "unchanged")


_M = TypeVar("_M", bound=Model)


def sync_object(
    model: type[_M],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    report: SyncReport,
    defaults: dict[str, Any] | None = None,
) -> _M:
    """Make the row identified by ``lookup`` hold ``values``; write only if something differs.

    ``defaults`` are set when the row is created and left alone afterwards (people edit them).
    """
    obj = model._base_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(defaults or {}))
        obj.full_clean()
        obj.save()
        report.record(model, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        report.record(model, "updated")
    else:
        report.record(model, "unchanged")
    return obj


def sync_m2m(obj: Model, field: str, targets: list[Model], report: SyncReport) -> None:
    """Set a many-to-many relation only if its members differ."""
    manager = getattr(obj, field)
    if {target.pk for target in targets} != set(manager.values_list("pk", flat=True)):
        manager.set(targets)
        report.record(type(obj), "updated")
