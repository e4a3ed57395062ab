"""What a row held when it was read, so a model's ``clean()`` can judge only what an edit
changes: a rule about plausible dates refuses a new implausible date, not one that was
already stored (imported history, records older than the rule) beside the field being
edited."""

from collections.abc import Collection, Iterable
from typing import Any, Self

from django.db import models
from django.db.models import QuerySet


class RemembersLoadedValues(models.Model):
    """Keeps the values of ``remembered_fields`` as read from the database.

    A copy (``copy.copy``, as the API's serializers make to validate a change) keeps them
    too. After a save the saved values are the ones remembered."""

    remembered_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self._remember_values()

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        **kwargs: Any,
    ) -> "RemembersLoadedValues":
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._remember_values()
        return instance

    def refresh_from_db(
        self,
        using: str | None = None,
        fields: Iterable[str] | None = None,
        from_queryset: "QuerySet[Self] | None" = None,
    ) -> None:
        fields = None if fields is None else list(fields)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        self._remember_values(only=None if fields is None else set(fields))

    def _remember_values(self, only: set[str] | None = None) -> None:
        # Plain fields (dates), whose attribute is their name; a deferred one is not read.
        loaded = getattr(self, "_loaded_values", {}) if only is not None else {}
        self._loaded_values: dict[str, Any] = {
            **loaded,
            **{
                name: self.__dict__[name]
                for name in self.remembered_fields
                if name in self.__dict__ and (only is None or name in only)
            },
        }

    def value_changed(self, name: str) -> bool:
        """Whether ``name`` differs from the stored value (always true for a new object, and
        for a field that was not read)."""
        if self._state.adding:
            return True
        loaded = getattr(self, "_loaded_values", {})
        if name not in loaded:
            return True
        return getattr(self, name) != loaded[name]
