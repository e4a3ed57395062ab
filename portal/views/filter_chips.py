"""The filters a list is narrowed by, shown above it as chips that each remove one filter."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

#: Parameters of a list page that are not filters.
NOT_FILTERS = frozenset({"page", "sort"})


@dataclass(frozen=True)
class ActiveFilter:
    """One value of one filter: its field's name and label, the value as the panel shows it
    and the list without it (the other filters and the sort kept, from the first page)."""

    name: str
    label: str
    value: str
    remove_url: str


def active_filters(form: forms.Form, params: QueryDict, *, path: str) -> list[ActiveFilter]:
    """The valid, non-empty filters of a bound filter ``form`` submitted as ``params``; a
    filter with several values gives a chip for each. A refused value is not a filter (the
    panel shows its error), nor is a yes/no filter left at "All"."""
    if not form.is_bound:
        return []
    form.is_valid()
    chips = []
    for name, field in form.fields.items():
        if name in NOT_FILTERS or name in form.errors:
            continue
        cleaned = form.cleaned_data.get(name)
        if isinstance(cleaned, QuerySet):
            cleaned = list(cleaned)
        if cleaned is None or cleaned == "" or cleaned == []:
            continue
        describe = _describer(field, cleaned)
        label = str(field.label or name)
        for value in params.getlist(name):
            if value.strip():
                chips.append(
                    ActiveFilter(
                        name=name,
                        label=label,
                        value=describe(value),
                        remove_url=_without(params, name, value, path=path),
                    )
                )
    return chips


def _describer(field: forms.Field, cleaned: Any) -> Callable[[str], str]:
    """How a submitted value of ``field`` reads: yes or no, a choice's label, an object's
    name (from the cleaned value, without reading the choices again), else as typed."""
    if isinstance(cleaned, bool):
        text = _("Yes") if cleaned else _("No")
        return lambda value: text
    names: dict[str, str] = {}
    if isinstance(field, forms.ModelChoiceField):
        objects = cleaned if isinstance(cleaned, list) else [cleaned]
        key = field.to_field_name or "pk"
        names = {str(getattr(obj, key)): str(obj) for obj in objects}
    elif isinstance(field, forms.ChoiceField):
        names = {str(value): str(label) for value, label in _flat_choices(field.choices)}
    return lambda value: names.get(value, value)


def _flat_choices(choices: Any) -> list[tuple[Any, Any]]:
    flat: list[tuple[Any, Any]] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat


def _without(params: QueryDict, name: str, value: str, *, path: str) -> str:
    query = params.copy()
    query.pop("page", None)
    kept = [other for other in query.getlist(name) if other != value]
    if kept:
        query.setlist(name, kept)
    else:
        query.pop(name, None)
    return f"?{query.urlencode()}" if query else path
