"""The sector's risk picture (the sector strategy's initiative 1.2, "Overblik over
sundhedssektorens tværgående og samlede risici"): per region and quarter, what the regions'
quarterly snapshots count — open risks by residual level, by threat, by attack surface and by
consequence dimension,
open and overdue treatment actions, accepted risks (above medium too), the region's shared
systems and critical functions at risk — and the trend over the last eight quarters.

For the TSI secretariat (and the sector administrators): the named action
``risks.view_sector_picture``. It shows counts only — no risk, asset or person of any region —
and reads nothing but the snapshots' count columns (a snapshot's lists, which name risks and
people, are in ``RiskSnapshotListing``, which the secretariat may not read), so it costs the
same few queries whatever the registers' size.

A snapshot taken before a count was recorded holds null for it: the picture says "not
recorded" (None), never 0; a quarter without a snapshot is a gap, never filled in.
Open risks are also counted by the consequence dimension that sets their consequence
(``risks.models.dimension``); a risk without a dimension scored is not counted there.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils.translation import gettext as _

from portal.access import Action, can
from portal.charts import LineChart
from portal.models import Organisation
from portal.periods import Period
from risks.models import (
    DIMENSION_ORDER,
    LEVEL_ORDER,
    Asset,
    AttackSurface,
    ConsequenceDimension,
    CriticalFunction,
    Level,
    Risk,
    RiskSnapshot,
    Threat,
)
from risks.models.risk import RiskStatus

#: The named action that opens the picture (``risks/named_actions.py``).
VIEW_SECTOR_PICTURE = "risks.view_sector_picture"
#: The quarters the trend covers, the newest with a snapshot last.
TREND_QUARTERS = 8
#: "At risk", "above medium": an open risk whose residual level is one of these.
ABOVE_MEDIUM = (Level.HIGH, Level.CRITICAL)

#: The snapshot's columns the picture reads — counts only.
_LEVEL_FIELDS = [f"residual_{level}" for level in LEVEL_ORDER]
_COUNT_FIELDS = [
    *_LEVEL_FIELDS,
    "open_actions",
    "overdue_actions",
    "accepted_risks",
    "accepted_above_medium",
    "shared_systems_at_risk",
    "critical_functions_at_risk",
    "threat_counts",
    "surface_counts",
    "dimension_counts",
]
#: The single counts of a quarter, in the order the tables and the file show them.
FIGURES = [
    "open_risks",
    "open_actions",
    "overdue_actions",
    "accepted_risks",
    "accepted_above_medium",
    "shared_systems_at_risk",
    "critical_functions_at_risk",
]


def figure_labels() -> dict[str, str]:
    """The single counts' headings, in the active language."""
    return {
        "open_risks": _("Open risks"),
        "open_actions": _("Open treatment actions"),
        "overdue_actions": _("Overdue treatment actions"),
        "accepted_risks": _("Accepted risks"),
        "accepted_above_medium": _("Accepted risks above medium"),
        "shared_systems_at_risk": _("Shared systems at risk"),
        "critical_functions_at_risk": _("Critical functions at risk"),
    }


# ---------------------------------------------------------------------------------------------
# Taking the counts (the quarterly task, ``risks.services.risk_snapshots_take``)


def sector_counts_live(organisation: Organisation) -> dict[str, object]:
    """The snapshot fields that the sector picture adds to a region's risk picture, read from
    the register now (five queries): open risks per threat (by slug), per attack surface and
    per consequence dimension that sets their consequence,
    accepted risks above medium, and the region's own shared systems (shared with another
    region) and critical functions (through the systems they depend on) that an open risk
    above medium affects — counted with the region that owns them, so the sector counts
    each once."""
    risks = Risk.objects.filter(organisation=organisation).open()
    threats = {
        row["threat__slug"]: row["n"]
        for row in risks.order_by().values("threat__slug").annotate(n=Count("pk"))
    }
    dimensions = {
        row["consequence_dimension"]: row["n"]
        for row in risks.exclude(consequence_dimension="")
        .order_by()
        .values("consequence_dimension")
        .annotate(n=Count("pk"))
    }
    totals = risks.aggregate(
        accepted_above_medium=Count(
            "pk", filter=Q(status=RiskStatus.ACCEPTED, residual_level__in=ABOVE_MEDIUM)
        ),
        **{
            f"surface_{surface}": Count("pk", filter=Q(attack_surface=surface))
            for surface in AttackSurface.values
        },
    )
    # Risks of any region may name a shared system: the system's owner counts it.
    at_risk = Risk.objects.open().filter(residual_level__in=ABOVE_MEDIUM)
    affected = Risk.assets.through.objects.filter(risk__in=at_risk)
    shared = Asset.shared_with.through.objects.filter(asset_id=OuterRef("pk"))
    shared_systems = (
        Asset.objects.filter(organisation=organisation)
        .filter(Exists(shared), Exists(affected.filter(asset_id=OuterRef("pk"))))
        .count()
    )
    functions = (
        CriticalFunction.objects.filter(organisation=organisation)
        .filter(
            Exists(
                CriticalFunction.systems.through.objects.filter(
                    criticalfunction_id=OuterRef("pk"),
                    asset_id__in=affected.values("asset_id"),
                )
            )
        )
        .count()
    )
    return {
        "threat_counts": threats,
        "surface_counts": {
            surface: totals[f"surface_{surface}"] for surface in AttackSurface.values
        },
        "dimension_counts": {
            dimension: dimensions.get(dimension, 0) for dimension in DIMENSION_ORDER
        },
        "accepted_above_medium": totals["accepted_above_medium"],
        "shared_systems_at_risk": shared_systems,
        "critical_functions_at_risk": functions,
    }


# ---------------------------------------------------------------------------------------------
# Reading the picture


@dataclass(frozen=True)
class QuarterCounts:
    """One region's counts at the end of a quarter (or the sector's sum). ``found`` is False
    for a quarter without a snapshot: every count is then None. A count the snapshot did not
    record is None too."""

    quarter: str
    found: bool
    residual: Mapping[str, int | None] = field(default_factory=dict)
    open_actions: int | None = None
    overdue_actions: int | None = None
    accepted_risks: int | None = None
    accepted_above_medium: int | None = None
    shared_systems_at_risk: int | None = None
    critical_functions_at_risk: int | None = None
    threats: Mapping[str, int] | None = None
    surfaces: Mapping[str, int] | None = None
    #: Open risks per consequence dimension that sets their consequence.
    dimensions: Mapping[str, int] | None = None
    #: For the sector's sum: how many regions' snapshots it adds up.
    regions: int = 1

    @property
    def open_risks(self) -> int | None:
        if not self.found:
            return None
        return sum(n or 0 for n in self.residual.values())

    @property
    def above_medium(self) -> int | None:
        if not self.found:
            return None
        return sum(self.residual.get(level) or 0 for level in ABOVE_MEDIUM)

    def level_counts(self) -> list[tuple[str, int | None]]:
        """``[(level, count)]`` from low to critical."""
        return [(str(level), self.residual.get(level)) for level in LEVEL_ORDER]

    def figure(self, name: str) -> int | None:
        value: int | None = getattr(self, name)
        return value

    def figures(self) -> list[tuple[str, int | None]]:
        return [(name, self.figure(name)) for name in FIGURES]

    def threat(self, slug: str) -> int | None:
        return None if self.threats is None else self.threats.get(slug, 0)

    def surface(self, value: str) -> int | None:
        return None if self.surfaces is None else self.surfaces.get(value, 0)

    def dimension(self, value: str) -> int | None:
        return None if self.dimensions is None else self.dimensions.get(value, 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "found": self.found,
            "open_risks": self.open_risks,
            "residual": dict(self.residual) if self.found else None,
            "threats": dict(self.threats) if self.threats is not None else None,
            "attack_surfaces": dict(self.surfaces) if self.surfaces is not None else None,
            "consequence_dimensions": (
                dict(self.dimensions) if self.dimensions is not None else None
            ),
            **{name: self.figure(name) for name in FIGURES if name != "open_risks"},
        }

    @classmethod
    def missing(cls, quarter: str) -> "QuarterCounts":
        return cls(quarter=quarter, found=False, regions=0)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "QuarterCounts":
        """A snapshot's count columns (``_COUNT_FIELDS``)."""
        return cls(
            quarter=row["period"],
            found=True,
            residual={str(level): row[f"residual_{level}"] for level in LEVEL_ORDER},
            open_actions=row["open_actions"],
            overdue_actions=row["overdue_actions"],
            accepted_risks=row["accepted_risks"],
            accepted_above_medium=row["accepted_above_medium"],
            shared_systems_at_risk=row["shared_systems_at_risk"],
            critical_functions_at_risk=row["critical_functions_at_risk"],
            threats=_counts(row["threat_counts"]),
            surfaces=_counts(row["surface_counts"]),
            dimensions=_counts(row["dimension_counts"]),
        )

    @classmethod
    def total(cls, quarter: str, parts: Sequence["QuarterCounts"]) -> "QuarterCounts":
        """The sector's sum of the regions' counts of ``quarter``: over the regions with a
        snapshot; a count that one of them did not record is not summed (None)."""
        found = [part for part in parts if part.found]
        if not found:
            return cls.missing(quarter)

        def add(name: str) -> int | None:
            values = [getattr(part, name) for part in found]
            return None if None in values else sum(values)

        def add_maps(name: str) -> dict[str, int] | None:
            maps = [getattr(part, name) for part in found]
            if None in maps:
                return None
            summed: dict[str, int] = {}
            for counts in maps:
                for key, n in counts.items():
                    summed[key] = summed.get(key, 0) + n
            return summed

        return cls(
            quarter=quarter,
            found=True,
            residual={
                str(level): sum(part.residual.get(level) or 0 for part in found)
                for level in LEVEL_ORDER
            },
            open_actions=add("open_actions"),
            overdue_actions=add("overdue_actions"),
            accepted_risks=add("accepted_risks"),
            accepted_above_medium=add("accepted_above_medium"),
            shared_systems_at_risk=add("shared_systems_at_risk"),
            critical_functions_at_risk=add("critical_functions_at_risk"),
            threats=add_maps("threats"),
            surfaces=add_maps("surfaces"),
            dimensions=add_maps("dimensions"),
            regions=len(found),
        )


def _counts(stored: object) -> dict[str, int] | None:
    if not isinstance(stored, Mapping):
        return None
    return {str(key): int(n) for key, n in stored.items()}


@dataclass(frozen=True)
class RegionTrend:
    """A region's counts per quarter of the picture, oldest first."""

    slug: str
    name: str
    quarters: list[QuarterCounts]
    #: The region's abbreviation (RH, RSJ, …), or its name when it has none.
    short_name: str = ""

    @property
    def latest(self) -> QuarterCounts:
        return self.quarters[-1]


@dataclass(frozen=True)
class SectorRiskPicture:
    quarters: list[str]
    regions: list[RegionTrend]
    sector: list[QuarterCounts]
    #: ``[(slug, name)]``: the threat catalogue, then any slug a snapshot holds that it lacks.
    threats: list[tuple[str, str]]
    #: ``[(value, label)]`` of the attack surfaces.
    surfaces: list[tuple[str, str]]
    #: ``[(value, label)]`` of the consequence dimensions.
    dimensions: list[tuple[str, str]]

    @property
    def latest(self) -> str:
        return self.quarters[-1]

    @property
    def sector_latest(self) -> QuarterCounts:
        return self.sector[-1]

    @property
    def found(self) -> bool:
        """Whether any snapshot is in the picture at all."""
        return any(counts.found for counts in self.sector)

    def threat_rows(self) -> list[tuple[str, list[int | None], int | None]]:
        """The newest quarter's open risks per threat: (name, per region, the sector)."""
        return [
            (
                name,
                [region.latest.threat(slug) for region in self.regions],
                self.sector_latest.threat(slug),
            )
            for slug, name in self.threats
        ]

    def surface_rows(self) -> list[tuple[str, list[int | None], int | None]]:
        """The newest quarter's open risks per attack surface: (label, per region, sector)."""
        return [
            (
                label,
                [region.latest.surface(value) for region in self.regions],
                self.sector_latest.surface(value),
            )
            for value, label in self.surfaces
        ]

    def dimension_rows(self) -> list[tuple[str, list[int | None], int | None]]:
        """The newest quarter's open risks per consequence dimension that sets their
        consequence: (label, per region, the sector)."""
        return [
            (
                label,
                [region.latest.dimension(value) for region in self.regions],
                self.sector_latest.dimension(value),
            )
            for value, label in self.dimensions
        ]

    def region_rows(self) -> list[tuple[str, QuarterCounts]]:
        """The newest quarter per region, then the sector's sum."""
        rows = [(region.name, region.latest) for region in self.regions]
        return [*rows, (_("The sector"), self.sector_latest)]

    def above_medium_rows(self) -> list[tuple[str, list[int | None]]]:
        """Open risks above medium per region and quarter, then the sector's."""
        rows = [
            (region.name, [counts.above_medium for counts in region.quarters])
            for region in self.regions
        ]
        return [*rows, (_("The sector"), [counts.above_medium for counts in self.sector])]

    def trend_chart(self) -> LineChart | None:
        """The sector's open risks per residual level over the quarters (None without a
        snapshot)."""
        if not self.found:
            return None
        values: dict[str, list[float | None]] = {
            str(Level(level).label): [
                counts.residual.get(level) if counts.found else None for counts in self.sector
            ]
            for level in reversed(LEVEL_ORDER)
        }
        top = max([n for series in values.values() for n in series if n is not None] or [1])
        maximum, step = _scale(int(top))
        return LineChart(
            title=_("The sector's open risks per residual level"),
            description=_(
                "The number of open risks per residual level in every region together at the "
                "end of each quarter."
            ),
            periods=self.quarters,
            values=values,
            maximum=maximum,
            step=step,
            width=640,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "quarters": self.quarters,
            "latest_quarter": self.latest,
            "threats": [{"slug": slug, "name": name} for slug, name in self.threats],
            "regions": [
                {
                    "organisation": region.slug,
                    "name": region.name,
                    "quarters": [counts.to_json() for counts in region.quarters],
                }
                for region in self.regions
            ],
            "sector": [{**counts.to_json(), "regions": counts.regions} for counts in self.sector],
        }


def _scale(top: int) -> tuple[int, int]:
    """A chart's maximum and gridline step for counts up to ``top`` (four or five lines)."""
    step = 1
    factors = (2, 2.5, 2)
    index = 0
    while step * 4 < top:
        step = round(step * factors[index % 3])
        index += 1
    return step * max(1, -(-top // step)), step


def _window(newest: Period) -> list[str]:
    quarters = [newest]
    while len(quarters) < TREND_QUARTERS:
        quarters.insert(0, quarters[0].previous())
    return [quarter.label for quarter in quarters]


def sector_risk_picture(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    today: date | None = None,
    quarter: Period | None = None,
) -> SectorRiskPicture:
    """The regions' counts over the eight quarters up to the newest one with a snapshot (up
    to the current quarter when there is none), from the snapshots alone: four queries,
    whatever the registers hold. ``quarter`` (a report's): the eight quarters up to that one,
    whether it has snapshots or not (three queries). Raises ``PermissionDenied`` for anyone
    the named action ``risks.view_sector_picture`` does not allow."""
    if not can(user, VIEW_SECTOR_PICTURE):
        raise PermissionDenied
    current = Period.containing(today or date.today(), "Q")
    regions = list(Organisation.objects.regions().order_by("name_da"))
    snapshots = RiskSnapshot.objects.restrict(user, Action.VIEW).filter(
        organisation__in=[region.pk for region in regions], period__contains="-Q"
    )
    if quarter is not None:
        newest = quarter
    else:
        newest_label = snapshots.filter(period__lte=current.label).aggregate(newest=Max("period"))[
            "newest"
        ]
        newest = Period.parse(newest_label) if newest_label else current
    quarters = _window(newest)
    rows = snapshots.filter(period__in=quarters).values("organisation_id", "period", *_COUNT_FIELDS)
    found = {(row["organisation_id"], row["period"]): QuarterCounts.from_row(row) for row in rows}
    trends = [
        RegionTrend(
            slug=region.slug,
            name=region.name,
            short_name=region.short_name or region.name,
            quarters=[
                found.get((region.pk, quarter)) or QuarterCounts.missing(quarter)
                for quarter in quarters
            ],
        )
        for region in regions
    ]
    sector = [
        QuarterCounts.total(quarter, [trend.quarters[index] for trend in trends])
        for index, quarter in enumerate(quarters)
    ]
    return SectorRiskPicture(
        quarters=quarters,
        regions=trends,
        sector=sector,
        threats=_threats(counts.threats for counts in found.values()),
        surfaces=[(str(value), str(label)) for value, label in AttackSurface.choices],
        dimensions=[(str(value), str(label)) for value, label in ConsequenceDimension.choices],
    )


def _threats(held: Iterable[Mapping[str, int] | None]) -> list[tuple[str, str]]:
    """The threat catalogue by name (one query), then the slugs the snapshots hold that the
    catalogue no longer has."""
    catalogue = [(threat.slug, threat.name) for threat in Threat.objects.order_by("name_da")]
    known = {slug for slug, _name in catalogue}
    unknown = sorted({slug for counts in held if counts for slug in counts} - known)
    return catalogue + [(slug, slug) for slug in unknown]


# ---------------------------------------------------------------------------------------------
# The picture as a spreadsheet


def sector_picture_table(picture: SectorRiskPicture) -> tuple[list[str], list[list[object]]]:
    """The picture as one sheet: a row per region and quarter, then the sector's per quarter;
    a count not recorded (or a quarter without a snapshot) is an empty cell."""
    labels = figure_labels()
    headers = [
        _("Region"),
        _("Quarter"),
        _("Snapshot"),
        *(str(Level(level).label) for level in LEVEL_ORDER),
        *(labels[name] for name in FIGURES),
        *(_("Attack surface: %(surface)s") % {"surface": label} for _v, label in picture.surfaces),
        *(_("Threat: %(threat)s") % {"threat": name} for _s, name in picture.threats),
        *(
            _("Consequence dimension: %(dimension)s") % {"dimension": label}
            for _v, label in picture.dimensions
        ),
    ]

    def row(name: str, counts: QuarterCounts) -> list[object]:
        return [
            name,
            counts.quarter,
            _("yes") if counts.found else _("no"),
            *(n for _level, n in counts.level_counts()),
            *(n for _name, n in counts.figures()),
            *(counts.surface(value) for value, _label in picture.surfaces),
            *(counts.threat(slug) for slug, _name in picture.threats),
            *(counts.dimension(value) for value, _label in picture.dimensions),
        ]

    rows = [row(region.name, counts) for region in picture.regions for counts in region.quarters]
    rows += [row(_("The sector"), counts) for counts in picture.sector]
    return headers, rows
