"""Whole numbers from the outside stay within what the database stores (64 bits).

A filter such as ``?asset=9223372036854775808`` would otherwise reach the database, where
SQLite cannot bind the number and the request ends in a 500. Every number filter and every
model choice keyed by an integer column refuses such a value as a field error instead
(``portal.filtersets``), and so does every field of the project's forms
(``portal.forms.DesignSystemFormMixin``). ``integer_key`` reads a raw id from request data.
"""

from functools import cache
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

#: The range of a 64-bit signed integer: PostgreSQL's bigint, SQLite's INTEGER.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def out_of_range(value: Any) -> bool:
    """Whether ``value`` reads as a whole number that no integer column can hold."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False  # not a whole number: the field's own check answers
    return not INT64_MIN <= number <= INT64_MAX


class BoundedKeysMixin:
    """For ``ModelChoiceField`` and ``ModelMultipleChoiceField``: a key beyond 64 bits is an
    invalid choice, like any key that names nothing."""

    def _integer_keyed(self) -> bool:
        meta = self.queryset.model._meta  # type: ignore[attr-defined]
        name = self.to_field_name  # type: ignore[attr-defined]
        field = meta.pk if name in (None, "pk") else meta.get_field(name)
        return isinstance(field, models.IntegerField)

    def _refuse(self, value: Any) -> None:
        raise ValidationError(
            self.error_messages["invalid_choice"],  # type: ignore[attr-defined]
            code="invalid_choice",
            params={"value": value},
        )

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and self._integer_keyed() and out_of_range(value):  # type: ignore[attr-defined]
            self._refuse(value)
        return super().to_python(value)  # type: ignore[misc]

    def _check_values(self, value: Any) -> Any:
        if self._integer_keyed():
            for item in value:
                if out_of_range(item):
                    self._refuse(item)
        return super()._check_values(value)  # type: ignore[misc]


@cache
def _bounded(field_class: type[forms.Field]) -> type[forms.Field]:
    return type(f"Bounded{field_class.__name__}", (BoundedKeysMixin, field_class), {})


def bound_integers(filter_: django_filters.Filter) -> None:
    """Make ``filter_`` refuse whole numbers beyond 64 bits with a field error (before its
    form field is built): number filters get the bounds, model choices the check."""
    if isinstance(filter_, django_filters.NumberFilter):
        filter_.extra.setdefault("min_value", INT64_MIN)
        filter_.extra.setdefault("max_value", INT64_MAX)
    elif isinstance(
        filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
    ) and not issubclass(filter_.field_class, BoundedKeysMixin):
        filter_.field_class = _bounded(filter_.field_class)


def bound_form_field(field: forms.Field) -> None:
    """Make a form's ``field`` refuse whole numbers beyond 64 bits with a field error: model
    choices as invalid choices, integer fields by their range."""
    if isinstance(field, forms.ModelChoiceField):
        if not isinstance(field, BoundedKeysMixin):
            field.__class__ = _bounded(type(field))
    elif isinstance(field, forms.IntegerField):
        if field.max_value is None:
            field.validators.append(MaxValueValidator(INT64_MAX))
        if field.min_value is None:
            field.validators.append(MinValueValidator(INT64_MIN))


def integer_key(value: Any) -> int | None:
    """``value`` (e.g. an organisation id as posted) as a primary key, or None when it is
    not a whole number a database column can hold."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if INT64_MIN <= value <= INT64_MAX else None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if INT64_MIN <= number <= INT64_MAX else None
