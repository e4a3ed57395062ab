"""Sortable column headers of a list page: whitelisted keys, both directions, ``aria-sort``.

``?sort=<key>`` sorts ascending and ``?sort=-<key>`` descending; any other value falls back
to the list's default, so a URL can never order by a column the page does not offer.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OrderBy
from django.db.models.expressions import BaseExpression
from django.http import QueryDict
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SortKey:
    """A column a list may be sorted by. ``order`` is its ascending order (field names or
    expressions, each reversed for descending); ``descending_first`` is the direction the
    first click asks for (the highest score first); ``nulls_last`` keeps empty values at
    the end in both directions."""

    name: str
    order: tuple[str | BaseExpression, ...]
    descending_first: bool = False
    nulls_last: bool = False

    def expressions(self, *, descending: bool) -> list[OrderBy]:
        nulls = {"nulls_last": True} if self.nulls_last else {}
        ordered = []
        for item in self.order:
            expression = F(item) if isinstance(item, str) else item
            ordered.append(expression.desc(**nulls) if descending else expression.asc(**nulls))
        return ordered


@dataclass(frozen=True)
class SortHeader:
    """A column header: its label, the link that sorts by it (None for a column that cannot
    be sorted), its ``aria-sort`` and arrow when the list is sorted by it, and what following
    the link does (for screen readers)."""

    label: str
    css_class: str = ""
    url: str | None = None
    aria_sort: str | None = None
    action: str = ""

    @property
    def arrow(self) -> str:
        if self.aria_sort == "ascending":
            return "▲"
        if self.aria_sort == "descending":
            return "▼"
        return "↕"


class Sorting:
    """The sort keys a list offers, its default (``"-score"``) and the columns that break
    ties (always ascending, so that pages do not overlap)."""

    def __init__(
        self, keys: Iterable[SortKey], *, default: str, tiebreak: Sequence[str] = ("pk",)
    ) -> None:
        self.keys = {key.name: key for key in keys}
        self.default = default
        self.tiebreak = tuple(tiebreak)
        if self.default.lstrip("-") not in self.keys:
            raise ValueError(f"unknown default sort {default!r}")

    def parse(self, value: str | None) -> str:
        """``value`` if it names an offered key (with or without ``-``), else the default."""
        if value and value.lstrip("-") in self.keys and value.count("-") <= 1:
            return value
        return self.default

    def order_by(self, value: str | None) -> list[Any]:
        sort = self.parse(value)
        key = self.keys[sort.lstrip("-")]
        return [*key.expressions(descending=sort.startswith("-")), *self.tiebreak]

    def headers(
        self,
        columns: Iterable[tuple[str, str | None, str]],
        *,
        params: QueryDict,
        value: str | None,
    ) -> list[SortHeader]:
        """The table's headers for ``columns`` — ``(label, key or None, css class)`` — with
        links that keep ``params`` (the filters) and start again at the first page."""
        sort = self.parse(value)
        current, descending = sort.lstrip("-"), sort.startswith("-")
        headers = []
        for label, name, css_class in columns:
            if name is None:
                headers.append(SortHeader(label=str(label), css_class=css_class))
                continue
            if name == current:
                aria_sort: str | None = "descending" if descending else "ascending"
                next_descending = not descending
            else:
                aria_sort = None
                next_descending = self.keys[name].descending_first
            headers.append(
                SortHeader(
                    label=str(label),
                    css_class=css_class,
                    url=_sorted_query(params, f"-{name}" if next_descending else name),
                    aria_sort=aria_sort,
                    action=_("sort descending") if next_descending else _("sort ascending"),
                )
            )
        return headers


def _sorted_query(params: QueryDict, sort: str) -> str:
    query = params.copy()
    query.pop("page", None)
    query["sort"] = sort
    return f"?{query.urlencode()}"
