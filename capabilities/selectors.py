"""Reads of maturity: each a fixed number of queries, whatever the number of regions,
capabilities and campaigns."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from capabilities.models import (
    Capability,
    Discipline,
    MaturityAssessment,
    MaturityEntry,
    Requirement,
)
from portal.access import Action, can
from portal.audit import HistoryEntry, history_entries, history_for
from portal.charts import BarChart
from portal.models import Organisation
from portal.periods import InvalidPeriod, Period


def current_assessment(
    *, user: AbstractBaseUser, organisation: Organisation
) -> MaturityAssessment | None:
    """The region's current maturity, as every page and report states it: its latest
    *approved* campaign the user may see. A campaign still open or submitted is a draft
    (``open_assessment``), shown as such and never as the region's maturity."""
    return (
        MaturityAssessment.objects.restrict(user, Action.VIEW)
        .filter(organisation=organisation, status=MaturityAssessment.Status.APPROVED)
        .order_by("-period")
        .first()
    )


def open_assessment(
    *, user: AbstractBaseUser, organisation: Organisation
) -> MaturityAssessment | None:
    """The region's campaign under way (open or submitted, not yet approved) the user may
    see, if any: the draft beside the current maturity."""
    return (
        MaturityAssessment.objects.restrict(user, Action.VIEW)
        .filter(organisation=organisation)
        .exclude(status=MaturityAssessment.Status.APPROVED)
        .order_by("-period")
        .first()
    )


@dataclass
class DisciplineColumn:
    discipline: Discipline
    capabilities: list[Capability]
    current: float | None = None
    target: float | None = None


def maturity_chart(columns: list["DisciplineColumn"]) -> BarChart:
    """The region's average current level per discipline against target (pages and PDFs)."""
    return BarChart(
        title=_("Maturity per discipline"),
        description=_("Average current level (bars) against target (lines), 0–5."),
        labels=[column.discipline.name for column in columns],
        values=[column.current for column in columns],
        targets=[column.target for column in columns],
        value_label=_("Current"),
        target_label=_("Target"),
    )


def discipline_overview(*, assessment: MaturityAssessment | None) -> list[DisciplineColumn]:
    """The four disciplines with their capabilities and, from ``assessment``, the average
    current and target level per discipline."""
    disciplines = Discipline.objects.order_by("order").prefetch_related("capabilities")
    averages: dict[int, Mapping[str, Any]] = {}
    if assessment is not None:
        averages = {
            row["capability__discipline"]: row
            for row in assessment.entries.values("capability__discipline").annotate(
                current=Avg("current_level"), target=Avg("target_level")
            )
        }
    return [
        DisciplineColumn(
            discipline=discipline,
            capabilities=list(discipline.capabilities.all()),
            current=averages.get(discipline.pk, {}).get("current"),
            target=averages.get(discipline.pk, {}).get("target"),
        )
        for discipline in disciplines
    ]


@dataclass
class SectorComparison:
    regions: list[Organisation]
    assessments: dict[int, MaturityAssessment]
    capabilities: list[Capability]
    cells: dict[tuple[int, int], MaturityEntry] = field(default_factory=dict)
    discipline_averages: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)

    def row(self, capability: Capability) -> list[MaturityEntry | None]:
        return [self.cells.get((region.pk, capability.pk)) for region in self.regions]


def latest_approved_assessments(*, user: AbstractBaseUser) -> dict[int, MaturityAssessment]:
    """Each region's latest approved campaign the user may see, by organisation id."""
    visible = MaturityAssessment.objects.restrict(user, Action.VIEW).filter(
        status=MaturityAssessment.Status.APPROVED
    )
    latest = (
        visible.filter(organisation=OuterRef("organisation")).order_by("-period").values("pk")[:1]
    )
    return {
        assessment.organisation_id: assessment
        for assessment in visible.filter(pk=Subquery(latest)).select_related("organisation")
    }


def discipline_averages(
    assessments: dict[int, MaturityAssessment],
) -> dict[tuple[int, int], tuple[float, float]]:
    """``{(organisation id, discipline id): (average current, average target)}`` (1 query)."""
    rows = (
        MaturityEntry.objects.filter(assessment__in=[a.pk for a in assessments.values()])
        .values("assessment__organisation", "capability__discipline")
        .annotate(current=Avg("current_level"), target=Avg("target_level"))
    )
    return {
        (row["assessment__organisation"], row["capability__discipline"]): (
            row["current"],
            row["target"],
        )
        for row in rows
    }


def sector_comparison(*, user: AbstractBaseUser) -> SectorComparison:
    """Each region's latest approved campaign the user may see, capability by capability."""
    regions = list(Organisation.objects.regions().order_by("name_da"))
    assessments = latest_approved_assessments(user=user)
    entries = MaturityEntry.objects.filter(assessment__in=[a.pk for a in assessments.values()])
    comparison = SectorComparison(
        regions=regions,
        assessments=assessments,
        capabilities=list(Capability.objects.select_related("discipline")),
        discipline_averages=discipline_averages(assessments),
    )
    for entry in entries.select_related("assessment"):
        comparison.cells[(entry.assessment.organisation_id, entry.capability_id)] = entry
    return comparison


def maturity_trend(
    *, user: AbstractBaseUser, organisation: Organisation
) -> list[tuple[str, dict[int, float]]]:
    """(period, {discipline id: average current level}) for the region's approved campaigns."""
    rows = (
        MaturityEntry.objects.filter(
            assessment__in=MaturityAssessment.objects.restrict(user, Action.VIEW).filter(
                organisation=organisation, status=MaturityAssessment.Status.APPROVED
            )
        )
        .values("assessment__period", "capability__discipline")
        .annotate(current=Avg("current_level"))
        .order_by("assessment__period")
    )
    trend: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        trend[row["assessment__period"]][row["capability__discipline"]] = row["current"]
    return sorted(trend.items())


def _period_end(label: str) -> date | None:
    """The last day of a campaign's period (``2025`` → 31 December), None if unreadable."""
    if label.isdigit():
        return date(int(label), 12, 31)
    try:
        return Period.parse(label).end
    except InvalidPeriod:
        return None


@dataclass(frozen=True)
class MaturityPicture:
    """A region's maturity as of a date: its latest approved campaign whose period had
    ended by then, the averages per discipline, and the earlier approved campaigns'
    averages (the trend, oldest first)."""

    organisation: Organisation
    as_of: date
    assessment: MaturityAssessment | None
    columns: list[DisciplineColumn]
    trend: list[tuple[str, dict[int, float]]]

    @property
    def chart(self) -> BarChart | None:
        return maturity_chart(self.columns) if self.assessment else None


def maturity_at(organisation: Organisation, as_of: date) -> MaturityPicture:
    """The state of ``organisation``'s maturity at ``as_of``: approved campaigns only, and
    only those whose period ends on or before ``as_of`` — a 2025 report never shows a
    2026 campaign, even once that is approved (a fixed number of queries)."""
    approved = [
        assessment
        for assessment in MaturityAssessment.objects.filter(
            organisation=organisation, status=MaturityAssessment.Status.APPROVED
        )
        if (end := _period_end(assessment.period)) is not None and end <= as_of
    ]
    approved.sort(key=lambda assessment: _period_end(assessment.period) or as_of)
    latest = approved[-1] if approved else None
    rows = (
        MaturityEntry.objects.filter(assessment__in=[assessment.pk for assessment in approved])
        .values("assessment__period", "capability__discipline")
        .annotate(current=Avg("current_level"))
        .order_by("assessment__period")
    )
    trend: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        trend[row["assessment__period"]][row["capability__discipline"]] = row["current"]
    return MaturityPicture(
        organisation=organisation,
        as_of=as_of,
        assessment=latest,
        columns=discipline_overview(assessment=latest),
        trend=[(assessment.period, trend.get(assessment.period, {})) for assessment in approved],
    )


@dataclass
class CoverageRow:
    requirement: Requirement
    capabilities: list[Capability]
    entries: list[MaturityEntry]

    @property
    def covered(self) -> bool:
        return bool(self.capabilities)

    @property
    def current(self) -> float | None:
        levels = [entry.current_level for entry in self.entries]
        return sum(levels) / len(levels) if levels else None

    @property
    def target(self) -> float | None:
        levels = [entry.target_level for entry in self.entries]
        return sum(levels) / len(levels) if levels else None

    @property
    def gap(self) -> float | None:
        if self.current is None or self.target is None:
            return None
        return self.target - self.current


def framework_coverage(
    *, framework_slug: str, assessment: MaturityAssessment | None
) -> list[CoverageRow]:
    """Each requirement with its mapped capabilities and the region's levels in them."""
    requirements = (
        Requirement.objects.filter(framework__slug=framework_slug)
        .prefetch_related("capabilities")
        .order_by("code")
    )
    by_capability = (
        {entry.capability_id: entry for entry in assessment.entries.all()} if assessment else {}
    )
    return [
        CoverageRow(
            requirement=requirement,
            capabilities=list(requirement.capabilities.all()),
            entries=[
                by_capability[capability.pk]
                for capability in requirement.capabilities.all()
                if capability.pk in by_capability
            ],
        )
        for requirement in requirements
    ]


def capability_history(
    *, user: AbstractBaseUser, capability: Capability
) -> QuerySet[MaturityEntry]:
    visible = MaturityAssessment.objects.restrict(user, Action.VIEW)
    return (
        MaturityEntry.objects.filter(capability=capability, assessment__in=visible)
        .select_related("assessment", "assessment__organisation")
        .order_by("assessment__organisation__name_da", "assessment__period")
    )


def assessment_history(
    *, assessment: MaturityAssessment, reader: "AbstractBaseUser | AnonymousUser"
) -> list[HistoryEntry]:
    """A campaign's history with its levels': the campaign's own changes (submitted,
    reopened with a reason, approved) and every change of an entry, each field named with
    its capability ("Incident handling: current level 2 → 3"). Newest first."""
    if not can(reader, Action.VIEW, assessment):
        return []
    entries = MaturityEntry.objects.filter(assessment=assessment).select_related("capability")
    names = {str(entry.pk): entry.capability.name for entry in entries}
    own = history_for(assessment, reader=reader)
    log = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MaturityEntry), object_pk__in=list(names)
    ).exclude(action=LogEntry.Action.ACCESS)
    # history_entries returns the rows in the order of ``log``: pair them by position.
    ordered = list(log.order_by("-timestamp", "-pk").values_list("object_pk", flat=True))
    levels = [
        replace(
            row,
            changes=[
                replace(change, field=f"{names[object_pk]}: {change.field}")
                for change in row.changes
            ],
        )
        for object_pk, row in zip(ordered, history_entries(log, reader=reader), strict=True)
        if row.changes
    ]
    return sorted([*own, *levels], key=lambda row: row.timestamp, reverse=True)
