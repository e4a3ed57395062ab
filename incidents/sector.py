"""The sector's view of incidents (issue 18, items 7 and 9), read from the incidents' facts
(``IncidentFacts``) alone — never from the regions' registers, which the TSI secretariat
cannot read:

* ``affected_regions``: for each sector incident, the regions that linked an incident of
  theirs to it and the status of each (new, investigating, contained, resolved, closed);
* ``sector_incident_picture``: a period's counts per region and for the sector — per
  category and severity, breaches notified to Datatilsynet, the clocks met, late, missed or
  still running (seed 003's "typer af sager").

Counts and statuses only: no title, text, person, system or clock of any incident. Each
reads a fixed number of queries, whatever the registers hold.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import IncidentFacts, IncidentStatus, SectorIncident
from incidents.selectors import IncidentFigures, facts_figures, period_bounds
from portal.access import Action, can
from portal.models import Organisation
from portal.periods import InvalidPeriod, Period

#: The named action that opens the sector view (``incidents/named_actions.py``).
VIEW_SECTOR = "incidents.view_sector"

Reader = AbstractBaseUser | AnonymousUser | None


# ---------------------------------------------------------------------------------------------
# Which regions a sector incident affects


@dataclass(frozen=True)
class AffectedRegion:
    """A region that linked an incident of its own to a sector incident: the status of each
    such incident (a region may link more than one)."""

    slug: str
    name: str
    statuses: list[str]

    @property
    def status_labels(self) -> list[str]:
        return [str(IncidentStatus(status).label) for status in self.statuses]

    def to_json(self) -> dict[str, Any]:
        return {"organisation": self.slug, "name": self.name, "statuses": self.statuses}


_STATUS_ORDER = {status: index for index, status in enumerate(IncidentStatus.values)}


def affected_regions(
    sector_incidents: Iterable[SectorIncident], *, user: Reader
) -> dict[int, list[AffectedRegion]]:
    """For each of ``sector_incidents`` (by id), the regions affected as ``user`` may know
    them — the secretariat every region, a region's people their own (the facts' access
    policy) — by name, each with its incidents' statuses (one query)."""
    ids = [sector_incident.pk for sector_incident in sector_incidents]
    found: dict[int, dict[int, AffectedRegion]] = {pk: {} for pk in ids}
    if not ids:
        return {}
    rows = (
        IncidentFacts.objects.restrict(user, Action.VIEW)
        .filter(sector_incident_id__in=ids)
        .values_list(
            "sector_incident_id",
            "organisation_id",
            "organisation__slug",
            "organisation__name_da",
            "organisation__name_en",
            "status",
        )
        .order_by("organisation__name_da", "incident_id")
    )
    for sector_incident_id, organisation_id, slug, name_da, name_en, status in rows:
        regions = found[sector_incident_id]
        if organisation_id not in regions:
            name = Organisation(name_da=name_da, name_en=name_en).name
            regions[organisation_id] = AffectedRegion(slug=slug, name=name, statuses=[])
        regions[organisation_id].statuses.append(status)
    for regions in found.values():
        for region in regions.values():
            region.statuses.sort(key=lambda status: _STATUS_ORDER.get(status, 99))
    return {pk: list(regions.values()) for pk, regions in found.items()}


# ---------------------------------------------------------------------------------------------
# A period's counts


@dataclass(frozen=True)
class SectorPeriod:
    """The period the counts cover: a quarter, a half-year or a calendar year."""

    label: str
    name: str
    start: date
    end: date

    @classmethod
    def parse(cls, label: str) -> "SectorPeriod":
        """``2026`` (a year) or a period label (``2026-Q3``, ``2026-H1``); raises
        ``InvalidPeriod``."""
        label = (label or "").strip()
        if label.isdigit() and len(label) == 4:
            year = int(label)
            if year < 1900:
                raise InvalidPeriod(label)
            return cls(label=label, name=label, start=date(year, 1, 1), end=date(year, 12, 31))
        period = Period.parse(label)
        return cls(label=period.label, name=period.name, start=period.start, end=period.end)

    @classmethod
    def choices(cls, today: date) -> list["SectorPeriod"]:
        """The last three years and the last eight quarters, newest first."""
        years = [cls.parse(str(today.year - n)) for n in range(3)]
        quarter = Period.containing(today, "Q")
        quarters = []
        for _n in range(8):
            quarters.append(cls.parse(quarter.label))
            quarter = quarter.previous()
        return [*years, *quarters]


@dataclass(frozen=True)
class RegionFigures:
    slug: str
    name: str
    figures: IncidentFigures


@dataclass(frozen=True)
class SectorIncidentPicture:
    period: SectorPeriod
    regions: list[RegionFigures]
    sector: IncidentFigures

    def rows(self) -> list[tuple[str, IncidentFigures]]:
        """Each region's figures, then the sector's."""
        return [
            *((region.name, region.figures) for region in self.regions),
            (_("The sector"), self.sector),
        ]

    def category_rows(self) -> list[tuple[str, list[int], int]]:
        """Incidents per category: (label, per region, the sector)."""
        return [
            (
                label,
                [region.figures.by_category[index][3] for region in self.regions],
                total,
            )
            for index, (_value, label, _counts, total) in enumerate(self.sector.by_category)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "regions": [
                {"organisation": region.slug, "name": region.name, **figures_json(region.figures)}
                for region in self.regions
            ],
            "sector": figures_json(self.sector),
        }


def figures_json(figures: IncidentFigures) -> dict[str, Any]:
    """A period's counts as the API gives them."""
    return {
        "incidents": figures.total,
        "by_category": {
            value: dict(zip([s for s, _l, _t in figures.by_severity], counts, strict=True))
            for value, _label, counts, _total in figures.by_category
        },
        "by_severity": {value: total for value, _label, total in figures.by_severity},
        "breaches": figures.breaches,
        "breaches_notified": figures.breaches_notified,
        "breaches_not_notifiable": figures.breaches_not_notifiable,
        "clocks": dict(figures.clock_counts),
    }


def sector_figures(
    facts: QuerySet[IncidentFacts],
    *,
    start: date,
    end: date,
    regions: Sequence[Organisation],
    now: datetime | None = None,
) -> tuple[list[RegionFigures], IncidentFigures]:
    """The incidents detected in ``start``..``end`` in each of ``regions`` and in them all,
    counted from ``facts`` (restricted by the caller; one query), each clock as it stood at
    the period's end (or ``now`` while it runs)."""
    first, until = period_bounds(start, end, now=now or timezone.now())
    rows = list(
        facts.filter(
            organisation__in=[region.pk for region in regions],
            detected_at__gte=first,
            detected_at__lt=until,
        ).order_by("organisation_id", "detected_at", "incident_id")
    )
    per_region = [
        RegionFigures(
            slug=region.slug,
            name=region.name,
            figures=facts_figures(
                [row for row in rows if row.organisation_id == region.pk],
                first=first,
                until=until,
            ),
        )
        for region in regions
    ]
    return per_region, facts_figures(rows, first=first, until=until)


def sector_incident_picture(
    *, user: Reader, period: SectorPeriod, now: datetime | None = None
) -> SectorIncidentPicture:
    """Every region's counts of ``period`` and the sector's (two queries). Raises
    ``PermissionDenied`` for anyone the named action ``incidents.view_sector`` does not
    allow."""
    if not can(user, VIEW_SECTOR):
        raise PermissionDenied
    regions = list(Organisation.objects.regions().order_by("name_da"))
    per_region, total = sector_figures(
        IncidentFacts.objects.restrict(user, Action.VIEW),
        start=period.start,
        end=period.end,
        regions=regions,
        now=now,
    )
    return SectorIncidentPicture(period=period, regions=per_region, sector=total)
