"""Checking the values of one data row (text, whole numbers, choices, dates, booleans,
lists), each problem collected as a ``RowError`` on the row's column."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from risks.importexport.errors import RowError
from risks.importexport.layouts import BOOLEAN_VOCABULARY, LIST_SEPARATOR, Layout, token

#: The largest whole number a PositiveIntegerField holds on every supported database.
MAX_INT = 2_147_483_647

_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


class Row:
    """One data row being checked; problems are collected in ``errors``."""

    __slots__ = ("errors", "number", "values", "written")

    def __init__(
        self, number: int, values: dict[str, str], written: dict[str, str], layout: Layout
    ) -> None:
        self.number = number
        self.values = values
        self.written = {
            column.field: written.get(column.field, column.da) for column in layout.columns
        }
        self.errors: list[RowError] = []

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.written[name], message))

    def raw(self, name: str) -> str:
        return self.values.get(name, "")

    def text(self, name: str, *, max_length: int | None = None, required: bool = False) -> str:
        value = self.raw(name)
        if required and not value:
            self.error(name, _("is required"))
        elif max_length is not None and len(value) > max_length:
            self.error(
                name,
                _("must be at most %(limit)s characters (it has %(length)s)")
                % {"limit": max_length, "length": len(value)},
            )
        return value

    def whole(self, name: str, *, low: int, high: int, default: int | None = None) -> int | None:
        value = self.raw(name)
        if not value:
            if default is not None:
                return default
            self.error(name, _("is required"))
            return None
        number = whole_number(value)
        if number is None or not low <= number <= high:
            if high >= MAX_INT:
                message = _("must be a whole number of at least %(low)s") % {"low": low}
            else:
                message = _("must be a whole number from %(low)s to %(high)s") % {
                    "low": low,
                    "high": high,
                }
            self.error(name, f"{message} ('{value}')")
            return None
        return number

    def choice(
        self, name: str, vocabulary: dict[str, Any], words: dict[Any, tuple[str, ...]], default: Any
    ) -> Any:
        value = self.raw(name)
        if not value:
            return default
        chosen = vocabulary.get(token(value))
        if chosen is None:
            self.error(
                name,
                _("'%(value)s' is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(w[0] for w in words.values())},
            )
        return chosen

    def date(self, name: str, *, required: bool = False) -> date | None:
        value = self.raw(name)
        if not value:
            if required:
                self.error(name, _("is required"))
            return None
        parsed = _parse_date(value)
        if parsed is None:
            self.error(
                name,
                _("'%(value)s' is not a date; write it as 2026-05-31 or 31-05-2026")
                % {"value": value},
            )
        return parsed

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if not value:
            return False
        chosen = BOOLEAN_VOCABULARY.get(token(value))
        if chosen is None:
            self.error(name, _("'%(value)s' is not ja or nej") % {"value": value})
            return False
        return chosen


def whole_number(value: str) -> int | None:
    text = value.replace("\u00a0", "").replace(" ", "")
    if text.endswith((".0", ",0")):
        text = text[:-2]
    if not text.isdigit() or not text.isascii():
        return None
    return int(text)


def _parse_date(value: str) -> date | None:
    text = value.strip()
    if "T" in text or " " in text:  # a date-time from a cell with a time part
        text = re.split(r"[T ]", text, maxsplit=1)[0]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def split_list(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in value.split(LIST_SEPARATOR):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)
