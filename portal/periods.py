"""Reporting periods: half-years by default (``2026-H1``), or quarters (``2026-Q3``).

The status appendix to the regional councils reports by half-year; a region or TSI may switch
the portal to quarters with ``REPORTING_PERIODS=quarter``. Labels are stable API values.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

_LABEL = re.compile(r"^(?P<year>\d{4})-(?P<kind>[HQ])(?P<index>[1-4])$")
_PER_YEAR = {"H": 2, "Q": 4}


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # "H" (half-year) or "Q" (quarter)
    index: int

    def __post_init__(self) -> None:
        if self.kind not in _PER_YEAR or not 1 <= self.index <= _PER_YEAR[self.kind]:
            raise InvalidPeriod(f"{self.year}-{self.kind}{self.index}")

    @classmethod
    def parse(cls, label: str) -> "Period":
        match = _LABEL.match(label.strip())
        if not match:
            raise InvalidPeriod(
                _("A period looks like 2026-H1 (half-year) or 2026-Q3 (quarter): %(label)s")
                % {"label": label}
            )
        return cls(int(match["year"]), match["kind"], int(match["index"]))

    @classmethod
    def containing(cls, day: date, kind: str | None = None) -> "Period":
        kind = kind or default_kind()
        months = 12 // _PER_YEAR[kind]
        return cls(day.year, kind, (day.month - 1) // months + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.kind}{self.index}"

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        """The period as a reader writes it ("2. halvår 2025", "H2 2025"): the label is the
        stable value in data and the API, this is for reports and pages."""
        if self.kind == "H":
            return _("H%(index)s %(year)s") % {"index": self.index, "year": self.year}
        return _("Q%(index)s %(year)s") % {"index": self.index, "year": self.year}

    @property
    def short_name(self) -> str:
        """The name for a chart's axis, where eight quarters share a line ("4. kvt. 2026")."""
        if self.kind == "H":
            return self.name
        return pgettext("quarter on a chart axis", "Q%(index)s %(year)s") % {
            "index": self.index,
            "year": self.year,
        }

    @property
    def start(self) -> date:
        months = 12 // _PER_YEAR[self.kind]
        return date(self.year, (self.index - 1) * months + 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        return self.next().start - timedelta(days=1)

    def next(self) -> "Period":
        if self.index == _PER_YEAR[self.kind]:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.index + 1)

    def previous(self) -> "Period":
        if self.index == 1:
            return Period(self.year - 1, self.kind, _PER_YEAR[self.kind])
        return Period(self.year, self.kind, self.index - 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def default_kind() -> str:
    return "Q" if getattr(settings, "REPORTING_PERIODS", "half") == "quarter" else "H"


def current_period(today: date | None = None) -> Period:
    return Period.containing(today or date.today())


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive (bounded: at most 400)."""
    periods: list[Period] = []
    period = first
    while period <= last and len(periods) < 400:
        periods.append(period)
        period = period.next()
    return periods


def period_name(label: object, *, short: bool = False) -> str:
    """A period label ("2025-H2", or a ``Period``) as a reader writes it in the active language
    ("2. halvår 2025"; ``short``: as a chart's axis does); anything that is no half-year or
    quarter (a year, say) is returned as it is."""
    try:
        period = Period.parse(str(label))
    except InvalidPeriod:
        return str(label)
    return period.short_name if short else period.name
