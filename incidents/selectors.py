"""Reading the incident register for the pages that are not its own: the clocks a dashboard
and a person's tasks watch, and a period's figures for the reports.

Every function takes a queryset the caller has already restricted (``restrict`` for a
person, the report's own region for a report run) and asks a fixed number of queries,
whatever the register's size: the incidents, and their submissions in one prefetch.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet

from incidents.clocks import COPENHAGEN, Deadline, deadlines, first_submissions
from incidents.models import (
    Incident,
    IncidentCategory,
    IncidentFacts,
    IncidentSeverity,
    IncidentStatus,
    IncidentSubmission,
    IncidentTimelineEntry,
    TimelineKind,
)
from incidents.models.incident import IncidentQuerySet
from incidents.reporting_rules import DeadlineKind

#: A clock with this little time left is "running out" (the dashboard's warning).
RUNNING_OUT = timedelta(hours=24)


def with_submissions(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """``queryset`` with its submissions prefetched (only what the clocks read)."""
    return queryset.prefetch_related(
        Prefetch(
            "submissions",
            queryset=IncidentSubmission.objects.only(
                "pk", "incident", "kind", "submitted_at"
            ).order_by("submitted_at", "pk"),
        )
    )


@dataclass(frozen=True)
class ClockRow:
    """One open clock of one incident: what a dashboard or a task list links to."""

    incident: Incident
    deadline: Deadline
    now: datetime

    @property
    def overdue(self) -> bool:
        return self.deadline.overdue

    @property
    def time_left(self) -> timedelta:
        return self.deadline.time_left(self.now)

    @property
    def hours_left(self) -> int:
        """Whole hours left (0 in the last hour); negative hours once overdue."""
        return int(self.time_left.total_seconds() // 3600)


def open_clocks(incidents: Iterable[Incident], *, now: datetime) -> list[ClockRow]:
    """Each clock of ``incidents`` not yet met by a submission, soonest (or longest overdue)
    first."""
    rows = [
        ClockRow(incident=incident, deadline=deadline, now=now)
        for incident in incidents
        for deadline in incident.deadlines(now)
        if deadline.is_open
    ]
    rows.sort(key=lambda row: (row.deadline.due_at, row.incident.pk))
    return rows


@dataclass
class ClockWatch:
    """The open incidents of a region and their clocks that have run out or are running out
    (``RUNNING_OUT``)."""

    open_incidents: int
    overdue: list[ClockRow]
    running_out: list[ClockRow]


def clock_watch(queryset: IncidentQuerySet, *, now: datetime) -> ClockWatch:
    """The open incidents of ``queryset`` (restricted by the caller) and their clocks that
    are overdue or due within ``RUNNING_OUT`` of ``now`` (two queries)."""
    incidents = list(with_submissions(queryset.open().select_related(None).order_by("pk")))
    rows = open_clocks(incidents, now=now)
    return ClockWatch(
        open_incidents=len(incidents),
        overdue=[row for row in rows if row.overdue],
        running_out=[row for row in rows if not row.overdue and row.time_left <= RUNNING_OUT],
    )


# ---------------------------------------------------------------------------------------------
# A period's figures (the reports)


def period_bounds(start: date, end: date, *, now: datetime) -> tuple[datetime, datetime]:
    """The period ``start``..``end`` (whole days, Copenhagen time) as moments: from the
    first day's midnight to the midnight after the last day — or ``now``, while the period
    is not over (the report's figures are then live)."""
    first = datetime.combine(start, time.min, tzinfo=COPENHAGEN)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=COPENHAGEN)
    return first, min(after, now)


#: How a clock stood at the end of a report's period.
MET, LATE, MISSED, RUNNING = "met", "late", "missed", "running"


def clock_state(deadline: Deadline) -> str:
    """``met`` (submitted by the deadline), ``late`` (submitted after it), ``missed`` (run
    out without a submission) or ``running`` (not yet due)."""
    if deadline.submitted_at is not None:
        return LATE if deadline.late else MET
    return MISSED if deadline.overdue else RUNNING


def statuses_at(incidents: Iterable[Incident], moment: datetime) -> dict[int, str]:
    """Each incident's status as it stood at ``moment``, from the status changes its timeline
    recorded by itself (``incidents.timeline.incident_save``): the last change before then;
    failing that, the status the first change after it left; failing that, the status it has
    now (one query, none for no incident)."""
    incidents = list(incidents)
    if not incidents:
        return {}
    statuses = {incident.pk: incident.status for incident in incidents}
    changes = (
        IncidentTimelineEntry.objects.filter(
            incident__in=[incident.pk for incident in incidents],
            kind=TimelineKind.STATUS_CHANGE,
        )
        .order_by("-occurred_at", "-created_at", "-pk")
        .values_list("incident_id", "occurred_at", "old_value", "new_value")
    )
    settled: set[int] = set()
    # Newest first: each change after ``moment`` takes the status back to what it left, until
    # the last change before it, which set the status that stood then.
    for incident_id, occurred_at, old_value, new_value in changes:
        if incident_id in settled:
            continue
        if occurred_at < moment:
            statuses[incident_id] = new_value
            settled.add(incident_id)
        else:
            statuses[incident_id] = old_value
    return statuses


@dataclass
class IncidentOfPeriod:
    """An incident detected in the period, with its clocks and its status as they stood at
    the period's end (submissions made and status changes recorded after it are not
    counted)."""

    incident: Incident
    clocks: list[tuple[Deadline, str]]
    status: str = ""

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.status).label) if self.status else ""


@dataclass
class IncidentFigures:
    """A region's incidents of a period: by category and severity, the clocks met and
    missed, the breaches notified to Datatilsynet. ``incidents`` are for a confidential
    edition only; the counts are what a public one may print."""

    start: datetime
    until: datetime
    #: How many incidents were detected in the period.
    total: int = 0
    incidents: list[IncidentOfPeriod] = field(default_factory=list)
    #: (category value, label, [count per severity in ``SEVERITIES``], total), every category.
    by_category: list[tuple[str, str, list[int], int]] = field(default_factory=list)
    #: (severity value, label, total), every severity.
    by_severity: list[tuple[str, str, int]] = field(default_factory=list)
    clock_counts: dict[str, int] = field(default_factory=dict)
    #: Personal data breaches (GDPR) among the incidents, and those Datatilsynet was
    #: notified of by the period's end.
    breaches: int = 0
    breaches_notified: int = 0
    #: Breaches documented only: unlikely to result in a risk (Art. 33(1)).
    breaches_not_notifiable: int = 0

    @property
    def clocks_due(self) -> int:
        """Clocks whose deadline had passed, or that were met, by the period's end."""
        return sum(self.clock_counts.get(state, 0) for state in (MET, LATE, MISSED))

    @property
    def share_met(self) -> int | None:
        """Per cent of the clocks due by the period's end that were met in time (None when
        none was due)."""
        if not self.clocks_due:
            return None
        return round(100 * self.clock_counts.get(MET, 0) / self.clocks_due)


SEVERITIES = list(IncidentSeverity)
CATEGORIES = list(IncidentCategory)


def incident_figures(
    queryset: QuerySet[Incident], *, start: date, end: date, now: datetime
) -> IncidentFigures:
    """The incidents of ``queryset`` detected in ``start``..``end`` (Copenhagen days; until
    ``now`` while the period runs), with each clock and status as they stood at the period's
    end: only the submissions made and the status changes recorded by then count (three
    queries)."""
    first, until = period_bounds(start, end, now=now)
    incidents = list(
        with_submissions(
            queryset.filter(detected_at__gte=first, detected_at__lt=until)
            .select_related(None)
            .order_by("detected_at", "pk")
        )
    )
    figures = IncidentFigures(start=first, until=until)
    counts = {(c.value, s.value): 0 for c in CATEGORIES for s in SEVERITIES}
    clock_counts = dict.fromkeys((MET, LATE, MISSED, RUNNING), 0)
    statuses = statuses_at(incidents, until)
    for incident in incidents:
        counts[(incident.category, incident.severity)] = (
            counts.get((incident.category, incident.severity), 0) + 1
        )
        submitted = first_submissions(
            (submission.kind, submission.submitted_at)
            for submission in incident.submissions.all()
            if submission.submitted_at < until
        )
        clocks = [
            (deadline, clock_state(deadline))
            for deadline in deadlines(
                aware_at=incident.aware_at,
                kinds=incident.clock_kinds(),
                submitted=submitted,
                now=until,
            )
        ]
        for _deadline, state in clocks:
            clock_counts[state] += 1
        figures.incidents.append(
            IncidentOfPeriod(incident=incident, clocks=clocks, status=statuses[incident.pk])
        )
        if incident.gdpr_breach:
            figures.breaches += 1
            if incident.gdpr_exception_unlikely_risk:
                figures.breaches_not_notifiable += 1
            elif DeadlineKind.GDPR_NOTIFICATION in submitted:
                figures.breaches_notified += 1
    _complete(figures, counts, clock_counts, total=len(incidents))
    return figures


def _complete(
    figures: IncidentFigures,
    counts: dict[tuple[str, str], int],
    clock_counts: dict[str, int],
    *,
    total: int,
) -> None:
    """Fill in ``figures``' tables from the counts per (category, severity)."""
    figures.by_category = [
        (
            category.value,
            str(category.label),
            [counts.get((category.value, severity.value), 0) for severity in SEVERITIES],
            sum(counts.get((category.value, severity.value), 0) for severity in SEVERITIES),
        )
        for category in CATEGORIES
    ]
    figures.by_severity = [
        (
            severity.value,
            str(severity.label),
            sum(counts.get((category.value, severity.value), 0) for category in CATEGORIES),
        )
        for severity in SEVERITIES
    ]
    figures.clock_counts = clock_counts
    figures.total = total


def facts_figures(
    facts: Iterable[IncidentFacts], *, first: datetime, until: datetime
) -> IncidentFigures:
    """The counts of ``incident_figures`` from incidents' facts (``IncidentFacts``, already
    narrowed to those detected from ``first`` until ``until``): each clock as it stood at
    ``until`` — only the submissions made by then count. Counts only: no incident."""
    figures = IncidentFigures(start=first, until=until)
    counts: dict[tuple[str, str], int] = {}
    clock_counts = dict.fromkeys((MET, LATE, MISSED, RUNNING), 0)
    total = 0
    for row in facts:
        total += 1
        counts[(row.category, row.severity)] = counts.get((row.category, row.severity), 0) + 1
        submitted = row.submitted(before=until)
        for deadline in deadlines(
            aware_at=row.aware_at, kinds=row.clock_kinds(), submitted=submitted, now=until
        ):
            clock_counts[clock_state(deadline)] += 1
        if row.gdpr_breach:
            figures.breaches += 1
            if row.gdpr_exception:
                figures.breaches_not_notifiable += 1
            elif DeadlineKind.GDPR_NOTIFICATION in submitted:
                figures.breaches_notified += 1
    _complete(figures, counts, clock_counts, total=total)
    return figures


def counts_only(figures: IncidentFigures) -> IncidentFigures:
    """``figures`` without the incidents themselves: what a public edition may hold."""
    return replace(figures, incidents=[])
