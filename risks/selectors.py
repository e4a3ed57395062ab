"""Reads of the risk register, restricted by the permission layer, in constant queries."""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from capabilities.models import Capability
from portal.access import Action
from portal.api.links import link_ids_attach
from portal.charts import Heatmap
from portal.models import Organisation
from portal.periods import Period
from risks.cadence import ReviewCadence
from risks.filtersets import RiskFilterSet
from risks.models import (
    LEVEL_ORDER,
    Asset,
    Risk,
    RiskMatrix,
    RiskSnapshot,
    RiskSnapshotListing,
    TreatmentAction,
    risk_matrix_for,
)
from risks.models.risk import RiskQuerySet, RiskStatus
from risks.models.treatment import OPEN_STATUSES, TreatmentActionQuerySet


def risk_register(*, user: AbstractBaseUser) -> QuerySet[Risk]:
    """The risks the user may see (their regions' and those on systems shared with them)."""
    return Risk.objects.restrict(user, Action.VIEW).select_related(
        "organisation", "threat", "owner", "discipline"
    )


def with_review_state(queryset: QuerySet[Risk], *, today: date | None = None) -> QuerySet[Risk]:
    today = today or date.today()
    overdue_actions = TreatmentAction.objects.overdue(today).filter(risk=OuterRef("pk"))
    return queryset.annotate(has_overdue_actions=Exists(overdue_actions))


def heatmap_counts(queryset: QuerySet[Risk], *, kind: str) -> dict[tuple[int, int], int]:
    """``{(likelihood, consequence): count}`` for ``kind`` "inherent" or "residual" (1 query)."""
    rows = (
        queryset.order_by()
        .values(f"{kind}_likelihood", f"{kind}_consequence")
        .annotate(n=Count("pk"))
    )
    return {(row[f"{kind}_likelihood"], row[f"{kind}_consequence"]): row["n"] for row in rows}


@dataclass(frozen=True)
class RegisterCounts:
    """A queryset's risks counted by inherent and residual cell and level, read in one query
    (one pass over the register, and on PostgreSQL one plan of its row-level security policy
    instead of four)."""

    inherent_cells: dict[tuple[int, int], int]
    residual_cells: dict[tuple[int, int], int]
    inherent_levels: dict[str, int]
    residual_levels: dict[str, int]
    #: Of them, those whose revurdering was due before ``reviews_due_before`` (today): the
    #: planned date passed or the level's longest interval (``risks.cadence``).
    reviews_overdue: int = 0
    #: Of them, those of another organisation than ``home`` (the joint assessments another
    #: region leads, in a region's heatmap).
    elsewhere: int = 0

    @classmethod
    def of(
        cls,
        queryset: QuerySet[Risk],
        *,
        reviews_due_before: date | None = None,
        cadence: ReviewCadence | None = None,
        home: Organisation | None = None,
    ) -> "RegisterCounts":
        kinds = ("inherent", "residual")
        fields = [f"{kind}_{part}" for kind in kinds for part in ("likelihood", "consequence")]
        cadence = cadence or ReviewCadence.load()
        overdue = Count("pk", filter=cadence.overdue_q(reviews_due_before or date.today()))
        rows = (
            queryset.order_by()
            .values(*fields, *(f"{kind}_level" for kind in kinds))
            .annotate(n=Count("pk"), overdue=overdue)
        )
        if home is not None:
            rows = rows.annotate(elsewhere=Count("pk", filter=~Q(organisation=home)))
        counts = cls({}, {}, {}, {})
        reviews_overdue = elsewhere = 0
        for row in rows:
            reviews_overdue += row["overdue"]
            elsewhere += row.get("elsewhere", 0)
            for kind in kinds:
                cells = getattr(counts, f"{kind}_cells")
                cell = (row[f"{kind}_likelihood"], row[f"{kind}_consequence"])
                cells[cell] = cells.get(cell, 0) + row["n"]
                levels = getattr(counts, f"{kind}_levels")
                level = str(row[f"{kind}_level"])
                levels[level] = levels.get(level, 0) + row["n"]
        return replace(counts, reviews_overdue=reviews_overdue, elsewhere=elsewhere)


def level_counts(queryset: QuerySet[Risk], *, kind: str = "residual") -> dict[str, int]:
    rows = queryset.order_by().values(f"{kind}_level").annotate(n=Count("pk"))
    return {row[f"{kind}_level"]: row["n"] for row in rows}


def register_heatmap(
    *,
    queryset: QuerySet[Risk],
    matrix: RiskMatrix,
    kind: str,
    url_for: Callable[[int, int], str | None],
    counts: dict[tuple[int, int], int] | None = None,
) -> Heatmap:
    """``queryset``'s risks on ``matrix``'s grid, each cell linking to ``url_for(l, c)``
    (``counts``, when given, are ``heatmap_counts(queryset, kind=kind)`` read already)."""
    title = _("Inherent risk") if kind == "inherent" else _("Residual risk")
    if counts is None:
        counts = heatmap_counts(queryset, kind=kind)
    return Heatmap(
        title=title,
        description=_("%(total)s risks by likelihood and consequence.")
        % {"total": sum(counts.values())},
        likelihood_labels=matrix.likelihood_labels,
        consequence_labels=matrix.consequence_labels,
        counts=counts,
        level_for=matrix.level_for,
        colour_for=matrix.colour_for,
        url_for=url_for,
        axis_likelihood=_("Likelihood"),
        axis_consequence=_("Consequence"),
    )


#: The register's filters that select what a heatmap counts: the open risks (a closed risk is
#: history, not exposure). A heatmap's counts are read through the register's own FilterSet
#: with these, and each cell links to the register with them (``heatmap_cell_url``), so a
#: cell's count is the number of rows the list it opens has.
HEATMAP_FILTERS: dict[str, str] = {"open": "true"}


def heatmap_risks(queryset: QuerySet[Risk], *, organisation: Organisation | None) -> QuerySet[Risk]:
    """What a heatmap of ``organisation`` (every region the queryset holds for None) counts:
    ``queryset`` (already restricted) narrowed by ``HEATMAP_FILTERS``, as the register
    narrows it."""
    if organisation is not None:
        queryset = queryset.filter(
            Q(organisation=organisation) | RiskQuerySet.joint_led_elsewhere_q([organisation.pk])
        )
    risks: QuerySet[Risk] = RiskFilterSet(HEATMAP_FILTERS, queryset=queryset).qs
    return risks


def register_url(organisation: Organisation | None, **filters: Any) -> str:
    """The register filtered to ``organisation`` (when given) and ``filters``."""
    query = {"organisation": organisation.slug} if organisation is not None else {}
    query.update({name: str(value) for name, value in filters.items()})
    base = reverse("risks:risk_list")
    return f"{base}?{urlencode(query)}" if query else base


def heatmap_register_url(organisation: Organisation | None, **filters: Any) -> str:
    """The register listing the risks of a heatmap (``heatmap_risks``) that also match
    ``filters`` (a cell, a level)."""
    return register_url(organisation, **filters, **HEATMAP_FILTERS)


def heatmap_cell_url(organisation: Organisation | None, *, kind: str) -> Callable[[int, int], str]:
    """``url_for(likelihood, consequence)`` of a ``kind`` ("inherent" or "residual")
    heatmap's cell: the register with exactly the risks the cell counts."""

    def url_for(likelihood: int, consequence: int) -> str:
        return heatmap_register_url(
            organisation,
            **{f"{kind}_likelihood": likelihood, f"{kind}_consequence": consequence},
        )

    return url_for


def matrix_of(user: AbstractBaseUser, organisation: Organisation | None) -> RiskMatrix:
    """The matrix to draw: the organisation's, or a default one for a mixed view."""
    if organisation is not None:
        return risk_matrix_for(organisation)
    return RiskMatrix()


def treatment_plan(
    queryset: TreatmentActionQuerySet, *, today: date | None = None
) -> QuerySet[TreatmentAction]:
    """Open actions of ``queryset`` (already restricted), overdue first, then by due date."""
    today = today or date.today()
    return (
        queryset.open()
        .select_related("risk", "risk__organisation", "owner")
        .annotate(overdue=Q(due__lt=today))
        .order_by("-overdue", "due", "pk")
    )


def snapshots_for(organisation: Organisation) -> QuerySet[RiskSnapshot]:
    return RiskSnapshot.objects.filter(organisation=organisation).order_by("period")


Cells = dict[tuple[int, int], int]


def cells_to_json(cells: Mapping[tuple[int, int], int]) -> dict[str, int]:
    """``{(3, 4): 12}`` as a snapshot stores it: ``{"3,4": 12}``."""
    return {f"{likelihood},{consequence}": n for (likelihood, consequence), n in cells.items()}


def cells_from_json(stored: Mapping[str, int]) -> Cells:
    cells: Cells = {}
    for key, n in (stored or {}).items():
        likelihood, consequence = key.split(",")
        cells[(int(likelihood), int(consequence))] = int(n)
    return cells


def _person(user: Any) -> str:
    """A person as a report names them: full name, else user name; "" for nobody."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class RankedRisk:
    """One of the ten highest residual risks, as the quarterly report lists it."""

    id: int
    title: str
    residual_score: int
    residual_level: str
    owner: str
    status: str
    open_actions: int
    overdue_actions: int


@dataclass(frozen=True)
class JointRiskRow:
    """A joint assessment ("fælles vurdering") the region takes part in, as the quarterly
    report lists it: the lead region named, whether the region leads it itself."""

    id: int
    title: str
    residual_score: int
    residual_level: str
    status: str
    lead_id: int
    led_here: bool


@dataclass(frozen=True)
class RiskDecision:
    """A risk accepted or closed in the quarter: who decided, when, why, and (for an
    acceptance) until when — the acceptance's next review."""

    id: int
    title: str
    residual_level: str
    by: str
    on: date | None
    reason: str
    until: date | None = None


@dataclass(frozen=True)
class QuarterListing:
    """What the quarterly risk report lists about a quarter: the ten highest residual risks,
    the acceptances and closures of the quarter and the open risks whose review was
    overdue. Read from the register for the current quarter and kept with the quarter's
    snapshot (``RiskSnapshotListing``, which only the region reads) for the past ones."""

    quarter: str
    top: list[RankedRisk] = field(default_factory=list)
    accepted: list[RiskDecision] = field(default_factory=list)
    closed: list[RiskDecision] = field(default_factory=list)
    overdue_reviews: int = 0
    #: The open joint assessments the region takes part in, its own and those another
    #: region leads (absent from snapshots taken before they were kept).
    joint: list[JointRiskRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def decision(row: RiskDecision) -> dict[str, Any]:
            return {**asdict(row), "on": _iso(row.on), "until": _iso(row.until)}

        return {
            "quarter": self.quarter,
            "top": [asdict(row) for row in self.top],
            "accepted": [decision(row) for row in self.accepted],
            "closed": [decision(row) for row in self.closed],
            "overdue_reviews": self.overdue_reviews,
            "joint": [asdict(row) for row in self.joint],
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> "QuarterListing":
        def decision(row: Mapping[str, Any]) -> RiskDecision:
            return RiskDecision(**{**row, "on": _day(row["on"]), "until": _day(row["until"])})

        return cls(
            quarter=str(stored["quarter"]),
            top=[RankedRisk(**row) for row in stored.get("top", [])],
            accepted=[decision(row) for row in stored.get("accepted", [])],
            closed=[decision(row) for row in stored.get("closed", [])],
            overdue_reviews=int(stored.get("overdue_reviews", 0)),
            joint=[JointRiskRow(**row) for row in stored.get("joint", [])],
        )


#: What a ranked list of risks shows of each (the quarterly report's two lists).
_RANKED_FIELDS = ("pk", "title", "residual_score", "residual_level", "status")


def _highest_first(risks: RiskQuerySet) -> RiskQuerySet:
    """The open ones of ``risks``, the highest residual score first (then inherent, then the
    oldest): the one order of the reports' lists of risks."""
    return risks.open().order_by("-residual_score", "-inherent_score", "id")


def top_risks(organisation: Organisation, *, today: date, limit: int = 10) -> list[RankedRisk]:
    """The ``limit`` open risks of the highest residual score, each with its owner and its
    open and overdue treatment actions (one query)."""
    open_actions = Q(treatments__status__in=OPEN_STATUSES)
    rows = (
        _highest_first(Risk.objects.filter(organisation=organisation))
        .annotate(
            n_open=Count("treatments", filter=open_actions),
            n_overdue=Count("treatments", filter=open_actions & Q(treatments__due__lt=today)),
        )
        .values(
            *_RANKED_FIELDS,
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "n_open",
            "n_overdue",
        )[:limit]
    )
    return [
        RankedRisk(
            id=row["pk"],
            title=row["title"],
            residual_score=int(row["residual_score"]),
            residual_level=row["residual_level"],
            # As ``get_full_name`` says it, else the user name.
            owner=f"{row['owner__first_name'] or ''} {row['owner__last_name'] or ''}".strip()
            or (row["owner__username"] or ""),
            status=row["status"],
            open_actions=row["n_open"],
            overdue_actions=row["n_overdue"],
        )
        for row in rows
    ]


def joint_risks(organisation: Organisation) -> list[JointRiskRow]:
    """The open joint assessments ``organisation`` takes part in — those it leads and those
    of systems shared with it that another region leads — the highest residual risk first
    (one query). A joint risk counts once, in its lead's figures; this list is where the
    other regions see it."""
    rows = _highest_first(
        Risk.objects.filter(joint=True).filter(
            Q(organisation=organisation) | RiskQuerySet.joint_led_elsewhere_q([organisation.pk])
        )
    ).values(*_RANKED_FIELDS, "organisation_id")
    return [
        JointRiskRow(
            id=row["pk"],
            title=row["title"],
            residual_score=int(row["residual_score"]),
            residual_level=row["residual_level"],
            status=row["status"],
            lead_id=row["organisation_id"],
            led_here=row["organisation_id"] == organisation.pk,
        )
        for row in rows
    ]


def _acceptances(organisation: Organisation, start: date, end: date) -> list[RiskDecision]:
    """The risks accepted from ``start`` to ``end`` and still accepted (one query)."""
    risks = (
        Risk.objects.filter(
            organisation=organisation,
            status=RiskStatus.ACCEPTED,
            accepted_at__date__range=(start, end),
        )
        .select_related("accepted_by")
        .order_by("accepted_at", "pk")
    )
    return [
        RiskDecision(
            id=risk.pk,
            title=risk.title,
            residual_level=risk.residual_level,
            by=_person(risk.accepted_by),
            on=localdate(risk.accepted_at) if risk.accepted_at else None,
            reason=risk.acceptance_reason,
            until=risk.next_review,
        )
        for risk in risks
    ]


def _closures(organisation: Organisation, start: date, end: date) -> list[RiskDecision]:
    """The risks closed from ``start`` to ``end`` and still closed, with who closed them
    and when, from the audit trail (two queries)."""
    closed = Risk.objects.filter(organisation=organisation, status=RiskStatus.CLOSED)
    entries = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Risk),
            object_id__in=closed.values("pk"),
            timestamp__date__range=(start, end),
            changes__status__1=RiskStatus.CLOSED,
        )
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    latest = {entry.object_id: entry for entry in entries}  # the last closing counts
    risks = closed.in_bulk(list(latest))
    return [
        RiskDecision(
            id=risk.pk,
            title=risk.title,
            residual_level=risk.residual_level,
            by=_person(entry.actor) or (entry.actor_email or ""),
            on=localdate(entry.timestamp),  # the Danish day, not UTC's
            reason=risk.acceptance_reason,
        )
        for object_id, entry in sorted(latest.items(), key=lambda item: item[1].timestamp)
        if (risk := risks.get(object_id)) is not None
    ]


def overdue_reviews(
    organisation: Organisation, *, today: date, cadence: ReviewCadence | None = None
) -> QuerySet[Risk]:
    """The open risks whose revurdering was due before ``today`` (``risks.cadence``: the
    planned date or the level's longest interval since the last review), the longest
    unreviewed first."""
    cadence = cadence or ReviewCadence.load()
    return (
        Risk.objects.filter(organisation=organisation)
        .filter(cadence.overdue_q(today))
        .open()
        .select_related("owner")
        .order_by("last_reviewed", "next_review", "pk")
    )


def quarter_listing_live(organisation: Organisation, *, today: date) -> QuarterListing:
    """The current quarter's listing, from the register (seven queries)."""
    quarter = Period.containing(today, "Q")
    return QuarterListing(
        quarter=quarter.label,
        top=top_risks(organisation, today=today),
        accepted=_acceptances(organisation, quarter.start, today),
        closed=_closures(organisation, quarter.start, today),
        overdue_reviews=overdue_reviews(organisation, today=today).count(),
        joint=joint_risks(organisation),
    )


@dataclass(frozen=True)
class RiskPicture:
    """A region's risks as of a date, the same whether read from the register (the current
    period) or from the quarter's snapshot (a past one). ``found`` is False for a past
    quarter of which no snapshot was taken: then every figure is empty, never today's."""

    organisation: Organisation
    as_of: date
    quarter: str
    live: bool
    found: bool = True
    residual: Mapping[str, int] | None = None
    inherent: Mapping[str, int] | None = None
    residual_cells: Mapping[tuple[int, int], int] | None = None
    inherent_cells: Mapping[tuple[int, int], int] | None = None
    open_actions: int = 0
    overdue_actions: int = 0
    accepted_risks: int = 0
    #: The quarter's lists (``QuarterListing``), when read: on request, the live picture's
    #: from the register, a snapshot's from its ``RiskSnapshotListing`` — None for a snapshot
    #: taken before they were kept, and where the session may not read them (row-level
    #: security shows the TSI secretariat a region's snapshot, never its lists).
    listing: QuarterListing | None = None

    @property
    def open_risks(self) -> int:
        return sum((self.residual or {}).values())

    def level_counts(self, kind: str = "residual") -> list[tuple[str, int]]:
        """``[(level, count)]`` from low to critical."""
        counts = (self.inherent if kind == "inherent" else self.residual) or {}
        return [(level, counts.get(level, 0)) for level in LEVEL_ORDER]

    def heatmap(
        self,
        *,
        matrix: RiskMatrix,
        kind: str = "residual",
        url_for: Callable[[int, int], str | None] | None = None,
    ) -> Heatmap:
        cells = (self.inherent_cells if kind == "inherent" else self.residual_cells) or {}
        links = {"url_for": url_for} if url_for is not None else {}
        return Heatmap(
            title=_("Inherent risk") if kind == "inherent" else _("Residual risk"),
            description=_("%(total)s open risks by likelihood and consequence.")
            % {"total": sum(cells.values())},
            likelihood_labels=matrix.likelihood_labels,
            consequence_labels=matrix.consequence_labels,
            counts=dict(cells),
            level_for=matrix.level_for,
            colour_for=matrix.colour_for,
            axis_likelihood=_("Likelihood"),
            axis_consequence=_("Consequence"),
            **links,
        )

    @classmethod
    def from_snapshot(cls, snapshot: RiskSnapshot, *, listing: bool = False) -> "RiskPicture":
        """The picture ``snapshot`` holds; ``listing`` adds its lists (``snapshot_listing``:
        no query when the snapshot was read with ``select_related("listing_record")``)."""
        quarter = Period.parse(snapshot.period)
        return cls(
            organisation=snapshot.organisation,
            as_of=quarter.end,
            quarter=quarter.label,
            live=False,
            residual={str(level): getattr(snapshot, f"residual_{level}") for level in LEVEL_ORDER},
            inherent={str(level): getattr(snapshot, f"inherent_{level}") for level in LEVEL_ORDER},
            residual_cells=cells_from_json(snapshot.residual_cells),
            inherent_cells=cells_from_json(snapshot.inherent_cells),
            open_actions=snapshot.open_actions,
            overdue_actions=snapshot.overdue_actions,
            accepted_risks=snapshot.accepted_risks,
            listing=snapshot_listing(snapshot) if listing else None,
        )

    def snapshot_values(self) -> dict[str, object]:
        """The fields of a ``RiskSnapshot`` holding this picture (its counts; the lists go
        into the snapshot's ``RiskSnapshotListing``: ``listing_values``)."""
        values: dict[str, object] = {
            "residual_cells": cells_to_json(self.residual_cells or {}),
            "inherent_cells": cells_to_json(self.inherent_cells or {}),
            "open_actions": self.open_actions,
            "overdue_actions": self.overdue_actions,
            "accepted_risks": self.accepted_risks,
        }
        for kind, counts in (("residual", self.residual), ("inherent", self.inherent)):
            for level in LEVEL_ORDER:
                values[f"{kind}_{level}"] = (counts or {}).get(level, 0)
        return values

    def listing_values(self) -> dict[str, object] | None:
        """The fields of the ``RiskSnapshotListing`` holding this picture's lists (None
        without them)."""
        return None if self.listing is None else {"listing": self.listing.to_json()}


def snapshot_listing(snapshot: RiskSnapshot) -> QuarterListing | None:
    """The lists kept with ``snapshot`` (``RiskSnapshotListing``): None for a snapshot taken
    before they were kept, or whose lists the session may not read — on PostgreSQL the
    database shows them to the region alone (the TSI secretariat reads the snapshot's counts,
    not its lists). One query, none when the snapshot was read with
    ``select_related("listing_record")``."""
    try:
        kept = snapshot.listing_record
    except RiskSnapshotListing.DoesNotExist:
        return None
    return QuarterListing.from_json(kept.listing) if kept.listing else None


def _every_level(counts: Mapping[str, int]) -> dict[str, int]:
    return {str(level): counts.get(level, 0) for level in LEVEL_ORDER}


def risk_picture_live(
    organisation: Organisation, *, today: date | None = None, listing: bool = False
) -> RiskPicture:
    """The register's open risks of ``organisation`` now (six queries); ``listing`` adds
    the quarter's lists (``quarter_listing_live``, six more)."""
    today = today or date.today()
    risks = Risk.objects.filter(organisation=organisation).open()
    actions = TreatmentAction.objects.open().filter(organisation=organisation)
    counts = RegisterCounts.of(risks)
    return RiskPicture(
        organisation=organisation,
        as_of=today,
        quarter=Period.containing(today, "Q").label,
        live=True,
        residual=_every_level(counts.residual_levels),
        inherent=_every_level(counts.inherent_levels),
        residual_cells=counts.residual_cells,
        inherent_cells=counts.inherent_cells,
        open_actions=actions.count(),
        overdue_actions=actions.overdue(today).count(),
        accepted_risks=risks.filter(status=RiskStatus.ACCEPTED).count(),
        listing=quarter_listing_live(organisation, today=today) if listing else None,
    )


def risk_picture_at(
    organisation: Organisation, as_of: date, *, today: date | None = None, listing: bool = False
) -> RiskPicture:
    """The state of ``organisation``'s risks at ``as_of``: the register itself when
    ``as_of`` is today or later (the current period), else the snapshot of the quarter
    holding ``as_of`` (taken at its end). A past quarter without a snapshot gives a picture
    with ``found`` False — never today's figures. ``listing`` reads the quarter's lists
    too: the register's for the current quarter, the snapshot's ``RiskSnapshotListing`` for a
    past one (in the same query; none where the session may not read it)."""
    today = today or date.today()
    if as_of >= today:
        return risk_picture_live(organisation, today=today, listing=listing)
    quarter = Period.containing(as_of, "Q")
    snapshots = RiskSnapshot.objects.filter(organisation=organisation, period=quarter.label)
    if listing:
        snapshots = snapshots.select_related("listing_record")
    snapshot = snapshots.first()
    if snapshot is None:
        return RiskPicture(
            organisation=organisation,
            as_of=quarter.end,
            quarter=quarter.label,
            live=False,
            found=False,
        )
    return RiskPicture.from_snapshot(snapshot, listing=listing)


def risk_trend(organisation: Organisation, *, until: date | None = None) -> list[RiskPicture]:
    """The region's quarter-end pictures, oldest first, up to the quarter holding ``until``
    (one query): what the trend tables and charts show for past quarters."""
    snapshots = snapshots_for(organisation).select_related("organisation")
    if until is not None:
        snapshots = snapshots.filter(period__lte=Period.containing(until, "Q").label)
    return [RiskPicture.from_snapshot(snapshot) for snapshot in snapshots]


def inventory_counts(organisation: Organisation) -> dict[str, int]:
    """What the asset inventory says about the digital attack surface."""
    rows = Asset.objects.filter(organisation=organisation).aggregate(
        systems=Count("pk", filter=Q(kind=Asset.Kind.SYSTEM)),
        medical_devices=Sum("quantity", filter=Q(kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY)),
    )
    return {key: value or 0 for key, value in rows.items()}


def systems_near_end_of_support(
    *, organisation: Organisation, today: date | None = None, months: int = 12
) -> QuerySet[Asset]:
    """Systems whose support ends within ``months`` ("teknologiske udløbsdatoer er nær")."""
    today = today or date.today()
    return Asset.objects.filter(
        organisation=organisation,
        end_of_support__isnull=False,
        end_of_support__lte=today + timedelta(days=round(months * 30.44)),
    ).order_by("end_of_support")


def risks_links_attach(risks: list[Risk]) -> None:
    """For a page of risks shown by id: their assets', initiatives' and capabilities' ids and
    the regions their assets are shared with (``shared_slugs``), in four queries."""
    link_ids_attach(risks, "assets", "initiatives", "capabilities")
    asset_ids = {asset for risk in risks for asset in risk._link_ids["assets"]}
    shared: dict[int, set[str]] = {}
    rows = Asset.shared_with.through.objects.filter(asset_id__in=asset_ids).values_list(
        "asset_id", "organisation__slug"
    )
    for asset, slug in rows:
        shared.setdefault(asset, set()).add(slug)
    for risk in risks:
        risk.shared_slugs = sorted(
            {slug for asset in risk._link_ids["assets"] for slug in shared.get(asset, ())}
        )


def risks_for_capability(*, user: AbstractBaseUser, capability: Capability) -> QuerySet[Risk]:
    """The risks the reader may see that weaken ``capability``, highest residual score first."""
    return (
        Risk.objects.restrict(user).filter(capabilities=capability).order_by("-residual_score")[:50]
    )
