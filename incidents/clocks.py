"""The reporting clocks of an incident, in absolute time.

A clock given in hours runs from ``aware_at`` in elapsed time: the hours are added to the
moment in UTC, so that a clock across the change to or from daylight saving time keeps its
hours (a 24-hour clock started at 12:00 on the Saturday before the change to summer time is
due at 13:00 Copenhagen time on the Sunday).

The NIS2 final report is due one calendar month after the incident notification was
submitted: the same Copenhagen wall-clock time on the same day of the next month, or on the
last day of that month when it has no such day (submitted on 31 January: due on 28 February,
29 February in a leap year) — never later than the Union's rule for periods expressed in
months (Regulation 1182/71 Art. 3(2)(c)), which runs to the end of that day. A wall-clock time that
the change to summer time skips is read with the offset before the change. Until the
notification is submitted the final report is due one month after the notification's own
deadline, marked ``provisional``: it can only move later.
"""

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from incidents.reporting_rules import GDPR_KINDS, NIS2_KINDS, DeadlineKind, stage_rules

#: Where the regions are: calendar months and the times people read are Copenhagen's.
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
#: The earliest time an incident or a sector incident may be dated: nothing the portal
#: governs happened before it, and times from before Copenhagen took a whole-minute offset
#: (1894) cannot be written in the API's RFC 3339 times.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Deadline:
    """One clock: when it is due, when it was met (the first submission of its kind), and
    whether it has run out without a submission."""

    kind: DeadlineKind
    due_at: datetime
    submitted_at: datetime | None
    overdue: bool
    #: The final report before the notification is submitted: due no earlier than this.
    provisional: bool = False

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    @property
    def late(self) -> bool:
        """Submitted after it was due (the submission then gives reasons for the delay)."""
        return self.submitted_at is not None and self.submitted_at > self.due_at

    def time_left(self, now: datetime) -> timedelta:
        """Time until it is due (negative once it has run out)."""
        return self.due_at - now

    @property
    def label(self) -> str:
        return str(self.kind.label)


def applicable_kinds(
    *, nis2_significant: bool, gdpr_breach: bool, gdpr_exception: bool
) -> list[DeadlineKind]:
    """The clocks an incident's classification starts: NIS2's three for a significant
    incident, Datatilsynet's for a personal data breach unless it is unlikely to result in a
    risk (Art. 33(1))."""
    kinds: list[DeadlineKind] = []
    if nis2_significant:
        kinds += NIS2_KINDS
    if gdpr_breach and not gdpr_exception:
        kinds += GDPR_KINDS
    return kinds


def add_hours(moment: datetime, hours: int) -> datetime:
    """``moment`` plus ``hours`` of elapsed time, in UTC."""
    return moment.astimezone(UTC) + timedelta(hours=hours)


def add_calendar_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months in Copenhagen time (the module's rule), in
    UTC."""
    local = moment.astimezone(COPENHAGEN)
    year, month = divmod(local.month - 1 + months, 12)
    year, month = local.year + year, month + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    # fold=0: a repeated wall-clock time is its first (summer time) occurrence, and one the
    # change to summer time skips is read with the offset before the change.
    return local.replace(year=year, month=month, day=day, fold=0).astimezone(UTC)


def first_submissions(submissions: Iterable[tuple[str, datetime]]) -> dict[DeadlineKind, datetime]:
    """The first submission of each kind, from ``(kind, submitted_at)`` pairs: it stops the
    clock (later ones supplement it)."""
    first: dict[DeadlineKind, datetime] = {}
    for kind, submitted_at in submissions:
        key = DeadlineKind(kind)
        if key not in first or submitted_at < first[key]:
            first[key] = submitted_at
    return first


def due_at(
    kind: DeadlineKind, *, aware_at: datetime, submitted: Mapping[DeadlineKind, datetime]
) -> tuple[datetime, bool]:
    """When the clock ``kind`` is due, and whether that is provisional."""
    rule = stage_rules()[kind]
    if rule.hours is not None:
        return add_hours(aware_at, rule.hours), False
    assert rule.months_after is not None and rule.after_kind is not None
    after = submitted.get(rule.after_kind)
    if after is not None:
        return add_calendar_months(after, rule.months_after), False
    before, _provisional = due_at(rule.after_kind, aware_at=aware_at, submitted=submitted)
    return add_calendar_months(before, rule.months_after), True


def deadlines(
    *,
    aware_at: datetime | None,
    kinds: Iterable[DeadlineKind],
    submitted: Mapping[DeadlineKind, datetime],
    now: datetime,
) -> list[Deadline]:
    """Each clock of ``kinds`` (none before the incident has an ``aware_at``)."""
    if aware_at is None:
        return []
    result = []
    for kind in kinds:
        due, provisional = due_at(kind, aware_at=aware_at, submitted=submitted)
        submitted_at = submitted.get(kind)
        result.append(
            Deadline(
                kind=kind,
                due_at=due,
                submitted_at=submitted_at,
                overdue=submitted_at is None and now > due,
                provisional=provisional,
            )
        )
    return result
