"""From a report run to a PDF: the figures as of the end of its period, the narratives,
WeasyPrint."""

from dataclasses import dataclass, field, fields
from datetime import date
from itertools import cycle
from math import ceil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from capabilities.models import Discipline
from capabilities.selectors import maturity_at
from incidents.models import Incident, IncidentFacts
from incidents.sector import sector_figures
from incidents.selectors import counts_only, incident_figures
from initiatives.models import (
    Deliverable,
    Initiative,
    LifecycleStatus,
    RegionalImplementation,
    StatusUpdate,
    Strategy,
    WorkingGroup,
    topic_lines,
)
from initiatives.selectors import (
    implementations_at,
    initiatives_without_update,
    latest_status_updates,
    milestones_overdue_at,
    with_current_status,
    with_topics_at,
)
from portal.charts import BarChart, LineChart
from portal.models import Organisation
from portal.periods import Period
from reports.markdown import render_markdown
from reports.models import Classification, NarrativeDraft, ReportKind, ReportRun
from reports.selectors import narratives_for
from risks.cadence import ReviewCadence
from risks.models import LEVEL_ORDER, Level, RiskStatus, TreatmentAction, risk_matrix_for
from risks.sector_picture import FIGURES, figure_labels, sector_risk_picture
from risks.selectors import RiskPicture, overdue_reviews, risk_picture_at, risk_trend

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def _narratives(run: ReportRun) -> dict[str, Any]:
    narratives = narratives_for(run)
    return {
        "narratives": {section: render_markdown(n.body) for section, n in narratives.items()},
        "inherited": {section for section, n in narratives.items() if n.inherited},
    }


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def half_years_of(period: str) -> tuple[Period, Period]:
    """The appendix for year Y reports on the second half of Y-1 and the first half of Y,
    as the councils' appendix always has; another period on its half-year and the one
    before."""
    if period.isdigit():
        year = int(period)
        return Period(year - 1, "H", 2), Period(year, "H", 1)
    current = Period.containing(Period.parse(period).start, "H")
    return current.previous(), current


def _half_years(run: ReportRun) -> tuple[Period, Period]:
    return half_years_of(run.period)


def period_start(run: ReportRun) -> date:
    """The first day the report covers: 1 January for a year, else the period's start."""
    if run.period.isdigit():
        return date(int(run.period), 1, 1)
    return Period.parse(run.period).start


def period_end(run: ReportRun) -> date:
    """The last day the report covers: 31 December for a year, else the period's end."""
    if run.period.isdigit():
        return date(int(run.period), 12, 31)
    return Period.parse(run.period).end


def strategy_in_force(day: date) -> Strategy | None:
    """The strategy in force on ``day``: the newest whose years cover it, else the newest
    begun by then (its initiatives go on until a successor is adopted) — one query."""
    begun = list(Strategy.objects.filter(start_year__lte=day.year).order_by("-start_year"))
    covering = [strategy for strategy in begun if strategy.end_year >= day.year]
    return (covering or begun or [None])[0]


def strategy_for(run: ReportRun) -> Strategy | None:
    """The strategy whose implementation the report shows: the one chosen when it was
    requested (``parameters["strategy"]``, a slug), else the one in force at the end of
    its period."""
    slug = (run.parameters or {}).get("strategy")
    if slug:
        chosen = Strategy.objects.filter(slug=slug).first()
        if chosen is not None:
            return chosen
    return strategy_in_force(period_end(run))


def _portfolio(as_of: date, strategy: Strategy | None) -> dict[str, Any]:
    """Every initiative of ``strategy`` with its status as it stood at ``as_of`` (today for
    the current period): a past year's appendix shows that year's status, not a later one."""
    initiatives = list(
        with_current_status(
            Initiative.objects.select_related("discipline", "working_group"), as_of=as_of
        )
        .filter(strategy=strategy)
        .order_by("discipline__order", "sort_key")
    )
    chart = BarChart(
        title=_("Progress per initiative"),
        description=_("Progress in per cent of each initiative's latest status update."),
        labels=[initiative.number for initiative in initiatives],
        values=[initiative.current_progress or 0 for initiative in initiatives],
        maximum=100,
        step=20,
        value_label=_("Progress (%)"),
        width=640,
    )
    return {"strategy": strategy, "initiatives": initiatives, "portfolio_chart": chart}


#: The length a status text of the appendix is shortened to (the full text is in the portal).
SHORT_TEXT = 300


def shorten(text: str, limit: int = SHORT_TEXT) -> str:
    """``text`` on one line, cut at the last word boundary within ``limit`` characters and
    ended with "…" when anything was cut."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if flat[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + "…"


@dataclass
class InitiativeStatus:
    """What the appendix says of one initiative: its latest status update as of the report's
    date, its texts shortened, and in a region's edition the region's own implementation."""

    initiative: Initiative
    update: StatusUpdate | None
    narrative: str = ""
    next_steps: str = ""
    blockers: str = ""
    #: The region's implementation status (value, label) and note; None in the sector
    #: edition. The value is ``NOT_RECORDED`` when the region had recorded nothing by then.
    implementation: tuple[str, str] | None = None
    implementation_note: str = ""


#: The implementation "status" of a region that had recorded nothing by a past report's date.
NOT_RECORDED = "none"


def _initiative_statuses(
    initiatives: list[Initiative], as_of: date, region: Organisation | None, today: date
) -> list[InitiativeStatus]:
    """Each initiative's status texts as of ``as_of`` and, for ``region``, its own
    implementation as it stood then beside the sector's (``implementations_at``; three
    queries, whatever the portfolio's size)."""
    updates = latest_status_updates(initiatives, as_of=as_of)
    own: dict[int, tuple[str, str]] = {}
    if region is not None:
        own = {
            initiative: state
            for (initiative, _region), state in implementations_at(
                initiatives, as_of, today=today, organisation=region
            ).items()
        }
    labels = dict(RegionalImplementation.Status.choices)
    rows = []
    for initiative in initiatives:
        update = updates.get(initiative.pk)
        row = InitiativeStatus(initiative=initiative, update=update)
        if update is not None:
            row.narrative = shorten(update.narrative)
            row.next_steps = shorten(update.next_steps)
            row.blockers = shorten(update.blockers)
        if region is not None:
            state = own.get(initiative.pk)
            if state is not None:
                status, note = state
                row.implementation = (status, str(labels.get(status, status)))
                row.implementation_note = shorten(note)
            elif as_of >= today:  # a row not made yet: nothing done
                status = RegionalImplementation.Status.NOT_STARTED
                row.implementation = (status, str(labels[status]))
            else:
                row.implementation = (NOT_RECORDED, _("Not recorded by then"))
        rows.append(row)
    return rows


@dataclass
class FocusArea:
    """TSI's focus areas of one half-year: the secretariat's account (a narrative section)
    and the deliverables finished in the half-year and those under way at its end."""

    half: Period
    section: str
    #: The last day the half-year's deliverables are as of: its end, or today for the current.
    as_of: date
    finished: list[Deliverable] = field(default_factory=list)
    under_way: list[Deliverable] = field(default_factory=list)
    #: The secretariat's account (rendered Markdown), and whether a region's edition took
    #: it over from the sector edition.
    text: str = ""
    inherited: bool = False


def _focus_areas(halves: tuple[Period, Period], as_of: date) -> list[FocusArea]:
    """The focus areas of the last and the current half-year (one query). A deliverable is
    finished in the half-year it was delivered in. It is under way in a half-year when it
    was due in it, or before it, and not delivered by its end (or by ``as_of``); in the
    current half-year also when it is in progress for a later date."""
    last, current = halves
    areas = [
        FocusArea(last, NarrativeDraft.Section.FOCUS_LAST_HALF, min(last.end, as_of)),
        FocusArea(current, NarrativeDraft.Section.FOCUS_CURRENT_HALF, min(current.end, as_of)),
    ]
    deliverables = (
        Deliverable.objects.select_related("working_group", "initiative")
        .filter(
            Q(delivered_on__gte=last.start)
            | Q(delivered_on__isnull=True, due__lte=current.end)
            | Q(status=Deliverable.Status.IN_PROGRESS, due__gt=current.end)
        )
        .exclude(status=Deliverable.Status.CANCELLED)
        .order_by("due", "working_group__name_da", "title")
    )
    for deliverable in deliverables:
        delivered = deliverable.delivered_on
        for area in areas:
            if delivered is not None and area.half.start <= delivered <= area.as_of:
                area.finished.append(deliverable)
            elif (delivered is None or delivered > area.as_of) and (
                deliverable.due <= area.half.end
                or (area is areas[-1] and deliverable.status == Deliverable.Status.IN_PROGRESS)
            ):
                area.under_way.append(deliverable)
    for area in areas:
        area.finished.sort(key=lambda d: (d.delivered_on, d.title))
    return areas


def _appendix_focus_section(half: Period) -> tuple[str, str]:
    """Where the secretariat writes its account of ``half``'s focus areas: the councils'
    appendix for a year reports on the second half of the year before (``FOCUS_LAST_HALF``)
    and the first half of its own (``FOCUS_CURRENT_HALF``) — ``(appendix period, section)``."""
    if half.index == 2:
        return str(half.year + 1), NarrativeDraft.Section.FOCUS_LAST_HALF
    return str(half.year), NarrativeDraft.Section.FOCUS_CURRENT_HALF


def focus_areas_for(
    run: ReportRun, halves: tuple[Period, Period], as_of: date, narratives: dict[str, Any]
) -> list[FocusArea]:
    """The focus-area section of a report (the councils' appendix and the TSI portfolio
    report print the same one): the focus areas of the last and the current half-year
    (``_focus_areas``), each with the secretariat's account. The appendix prints its own
    edition's texts (``narratives``, a region's taking over the secretariat's); another
    report the secretariat's, as written for the sector's appendix that covers the
    half-year (one query)."""
    areas = _focus_areas(halves, as_of)
    if run.kind == ReportKind.COUNCIL_APPENDIX:
        for area in areas:
            area.text = narratives["narratives"].get(area.section, "")
            area.inherited = area.section in narratives["inherited"]
        return areas
    places = {area.half.label: _appendix_focus_section(area.half) for area in areas}
    condition = Q()
    for period, section in places.values():
        condition |= Q(period=period, section=section)
    written = {
        (period, section): body
        for period, section, body in NarrativeDraft.objects.filter(
            condition, kind=ReportKind.COUNCIL_APPENDIX, organisation=None
        ).values_list("period", "section", "body")
        if body.strip()
    }
    for area in areas:
        body = written.get(places[area.half.label])
        area.text = render_markdown(body) if body else ""
    return areas


#: The order the appendix lists TSI's groups in, as the councils' appendix does.
GROUP_KINDS = (
    WorkingGroup.Kind.WORKING,
    WorkingGroup.Kind.EXCHANGE,
    WorkingGroup.Kind.STEERING,
)


def _topics_then(groups: QuerySet[WorkingGroup], as_of: date, today: date) -> list[WorkingGroup]:
    """``groups`` with their topics as they stood at ``as_of`` (``with_topics_at``):
    ``report_topics``, one per line, and ``topics_known`` — whether the group had recorded
    any by then (one query)."""
    found = list(with_topics_at(groups, as_of, today=today))
    for group in found:
        group.topics_known = group.topics_then is not None
        group.report_topics = topic_lines(group.topics_then or "")
    return found


def _groups(start: date, as_of: date, today: date) -> list[tuple[str, list[WorkingGroup]]]:
    """TSI's groups active during ``start``..``as_of``, by kind (working groups, then the
    experience-exchange groups, then the steering group), with their topics as they stood
    at ``as_of`` (one query)."""
    groups = WorkingGroup.objects.filter(
        Q(active_from__isnull=True) | Q(active_from__lte=as_of),
        Q(active_to__isnull=True) | Q(active_to__gte=start),
    ).order_by("name_da")
    by_kind: dict[str, list[WorkingGroup]] = {kind: [] for kind in GROUP_KINDS}
    for group in _topics_then(groups, as_of, today):
        by_kind.setdefault(group.kind, []).append(group)
    plural = {
        WorkingGroup.Kind.WORKING: _("Working groups"),
        WorkingGroup.Kind.EXCHANGE: _("Experience-exchange groups"),
        WorkingGroup.Kind.STEERING: _("The steering group"),
    }
    return [(plural[kind], found) for kind, found in by_kind.items() if found]


@dataclass
class RegionMaturity:
    """One region's maturity at a date, as TSI shares it: its latest approved campaign
    whose period had ended, and the average current and target level per discipline."""

    region: Organisation
    period: str | None
    #: (current, target) per discipline, in the disciplines' order.
    levels: list[tuple[float | None, float | None]]


def _regions_maturity(as_of: date) -> dict[str, Any]:
    """Every region's maturity at ``as_of`` side by side (``maturity_at``: approved
    campaigns only, whose period had ended by then); a fixed number of queries per region."""
    rows = []
    disciplines: list[Discipline] = []
    for region in Organisation.objects.regions().order_by("name_da"):
        picture = maturity_at(region, as_of)
        disciplines = [column.discipline for column in picture.columns]
        rows.append(
            RegionMaturity(
                region=region,
                period=picture.assessment.period if picture.assessment else None,
                levels=[(column.current, column.target) for column in picture.columns],
            )
        )
    return {"regions_maturity": rows, "maturity_disciplines": disciplines}


#: Statuses of an initiative that owes no more status updates.
FINISHED = (LifecycleStatus.COMPLETED, LifecycleStatus.DISCONTINUED)


def _implementation_matrix(
    initiatives: list[Initiative], as_of: date, today: date
) -> dict[str, Any]:
    """Initiatives × regions: each region's own implementation status of each initiative,
    as it stood at ``as_of`` (``implementations_at``; two queries). ``matrix_gaps``: whether
    a cell is empty, a region having recorded nothing by then."""
    regions = list(Organisation.objects.regions().order_by("name_da"))
    labels = dict(RegionalImplementation.Status.choices)
    cells = implementations_at(initiatives, as_of, today=today)
    rows = []
    for initiative in initiatives:
        statuses = [cells.get((initiative.pk, region.pk), (None, ""))[0] for region in regions]
        rows.append((initiative, [(status, labels.get(status, "")) for status in statuses]))
    gaps = any(status is None for _initiative, row in rows for status, _label in row)
    return {"matrix_regions": regions, "matrix_rows": rows, "matrix_gaps": gaps}


def _portfolio_follow_up(
    run: ReportRun, initiatives: list[Initiative], as_of: date, today: date
) -> dict[str, Any]:
    """What the TSI portfolio report adds: each initiative's latest status texts; of the
    initiatives under way (not completed or discontinued by ``as_of``), the milestones
    overdue at ``as_of`` and those without a status update for the period; and the
    implementation matrix (a fixed number of queries)."""
    updates = latest_status_updates(initiatives, as_of=as_of)
    for initiative in initiatives:
        initiative.latest_update = updates.get(initiative.pk)
    under_way = [i for i in initiatives if i.current_status not in FINISHED]
    overdue = [
        (milestone, (as_of - milestone.due).days)
        for milestone in milestones_overdue_at(under_way, as_of=as_of)
    ]
    return {
        "status_texts": [i for i in initiatives if i.latest_update is not None],
        "overdue_milestones": overdue,
        "missing_updates": initiatives_without_update(
            under_way, start=period_start(run), end=period_end(run)
        ),
        **_implementation_matrix(initiatives, as_of, today),
    }


class _TrendChart(LineChart):
    """A line chart whose last period's label fits inside the drawing."""

    RIGHT = 32


#: What a line chart is made from (the rest it draws from these).
TREND_CHART_FIELDS = [f.name for f in fields(LineChart) if f.init]


#: Rows a live list of the quarterly report prints at most (its count is given in full).
LIST_LIMIT = 25


def _scale(top: int) -> tuple[int, int]:
    """A chart's maximum and gridline step for counts up to ``top``: the step is 1, 2 or
    5 × 10ⁿ, so that four or five gridlines are drawn."""
    step, factors = 1, cycle((2, 2.5, 2))  # 1, 2, 5, 10, 20, 50, …
    while step * 4 < top:
        step = round(step * next(factors))
    return step * max(1, ceil(top / step)), step


def _risk_trend(organisation: Organisation, picture: RiskPicture, as_of: date) -> dict[str, Any]:
    """Open risks per residual level in the last four quarters up to ``as_of``: the
    quarters' snapshots, and the report's own picture for its quarter (live for the
    current one). A quarter without a snapshot is a gap, never filled in: the table says
    so and the chart is left out (one query)."""
    quarter = Period.containing(as_of, "Q")
    quarters = [quarter]
    for _step in range(3):
        quarters.insert(0, quarters[0].previous())
    labels = [period.label for period in quarters]
    pictures = {p.quarter: p for p in risk_trend(organisation, until=as_of) if p.quarter in labels}
    if picture.found:
        pictures[picture.quarter] = picture
    rows = [(label, pictures.get(label)) for label in labels]
    counts = {label: dict(found.level_counts()) if found else None for label, found in rows}
    top = max([n for found in counts.values() if found for n in found.values()] or [1])
    maximum, step = _scale(top)
    chart = _TrendChart(
        title=_("Open risks per residual level"),
        description=_("The number of open risks per residual level at the end of each quarter."),
        periods=labels,
        values={
            str(Level(level).label): [
                found[level] if found is not None else None for found in counts.values()
            ]
            for level in reversed(LEVEL_ORDER)
        },
        maximum=maximum,
        step=step,
        width=560,
    )
    return {
        "levels": LEVEL_ORDER,
        "trend_rows": [
            (
                label,
                [(level, n) for level, n in found.items()] if found else None,
                sum(found.values()) if found else None,
            )
            for label, found in counts.items()
        ],
        "trend_live_quarter": picture.quarter if picture.live else None,
        "trend_chart": chart,
        "trend_complete": all(found is not None for found in counts.values()),
    }


def _quarterly(run: ReportRun, as_of: date, today: date) -> dict[str, Any]:
    """The CISO's quarterly risk report of the region: its risk picture and the quarter's
    lists (the quarter's snapshot for a past quarter, the register for the current one),
    the trend of four quarters and the maturity against target — in a fixed number of
    queries, whatever the register's size."""
    organisation = run.organisation
    if organisation is None:
        return {}
    picture = risk_picture_at(organisation, as_of, today=today, listing=True)
    statuses = dict(RiskStatus.choices)
    context: dict[str, Any] = {
        "risk_picture": picture,
        "listing": picture.listing,
        "top_rows": [
            (risk, statuses.get(risk.status, risk.status))
            for risk in (picture.listing.top if picture.listing else [])
        ],
    }
    joint = picture.listing.joint if picture.listing else []
    if joint:
        leads = Organisation.objects.in_bulk({row.lead_id for row in joint})
        context["joint_rows"] = [
            (
                row,
                statuses.get(row.status, row.status),
                leads[row.lead_id].name if row.lead_id in leads else "—",
            )
            for row in joint
        ]
    if picture.found:
        context.update(
            risk_heatmap=picture.heatmap(matrix=risk_matrix_for(organisation)),
            level_counts=picture.level_counts(),
            open_actions=picture.open_actions,
            overdue_actions=picture.overdue_actions,
            accepted_risks=picture.accepted_risks,
        )
    if picture.live:
        context["overdue_action_list"] = list(
            TreatmentAction.objects.open()
            .overdue(today)
            .filter(organisation=organisation)
            .select_related("risk", "owner")
            .order_by("due", "pk")[:LIST_LIMIT]
        )
        cadence = ReviewCadence.load()
        context["overdue_review_list"] = cadence.attach(
            overdue_reviews(organisation, today=today, cadence=cadence)[:LIST_LIMIT], today=today
        )
    context.update(_risk_trend(organisation, picture, as_of))
    context.update(_maturity(organisation, as_of))
    context["maturity_rows"] = [
        (
            column.discipline,
            column.current,
            column.target,
            None
            if column.current is None or column.target is None
            else column.target - column.current,
        )
        for column in context["maturity"].columns
    ]
    return context


def _sector_picture(run: ReportRun) -> dict[str, Any]:
    """The sector's risk picture of the report's quarter, as ``/risks/sector/`` shows it
    (``risks.sector_picture``): every region's counts from its snapshot of the quarter —
    by residual level, threat, attack surface and consequence dimension, treatment actions,
    acceptances, shared systems and critical functions at risk — and the eight quarters up
    to it. Counts only, read with the rights of whom the run is rendered for (who requested
    it; once approved, who approved it): three queries, whatever the registers hold."""
    reader = run.approved_by if run.approved_by_id else run.requested_by
    picture = sector_risk_picture(user=reader, quarter=Period.parse(run.period))
    labels = figure_labels()
    regions_chart = None
    if picture.sector_latest.found:
        # The regions with a snapshot of the quarter: a missing one is no bar, never 0.
        found = [region for region in picture.regions if region.latest.found]
        # Whole numbers, so that each bar reads "24", not "24.0".
        counts: list[float | None] = [region.latest.above_medium or 0 for region in found]
        maximum, step = _scale(int(max(n or 0 for n in counts)))
        regions_chart = BarChart(
            title=_("Open risks above medium per region"),
            description=_(
                "The number of open risks with a high or critical residual level in each "
                "region with a snapshot of the quarter, at its end."
            ),
            labels=[region.short_name for region in found],
            values=counts,
            maximum=maximum,
            step=step,
            value_label=_("Open risks above medium"),
            width=640,
        )
    trend = picture.trend_chart()
    # The quarterly report's line chart, whose last quarter's label fits the drawing.
    trend_chart = (
        _TrendChart(**{name: getattr(trend, name) for name in TREND_CHART_FIELDS})
        if trend is not None
        else None
    )
    return {
        "picture": picture,
        "figure_headers": [labels[name] for name in FIGURES],
        "regions_chart": regions_chart,
        "trend_chart": trend_chart,
        "regions_found": sum(1 for region in picture.regions if region.latest.found),
        "abbreviations": [
            (region.short_name, region.name)
            for region in picture.regions
            if region.short_name != region.name
        ],
    }


def figures_as_of(run: ReportRun, *, today: date | None = None) -> tuple[date, bool]:
    """The date every figure of the report is as of, and whether it is today's: the end of
    the report's period, or today for the current period (its figures are live)."""
    today = today or date.today()
    end = period_end(run)
    return (today, True) if end >= today else (end, False)


def _maturity(organisation: Organisation, as_of: date) -> dict[str, Any]:
    """The region's maturity at ``as_of`` and its trend (public in every edition)."""
    maturity = maturity_at(organisation, as_of)
    disciplines = [column.discipline for column in maturity.columns]
    return {
        "maturity": maturity,
        "maturity_assessment": maturity.assessment,
        "maturity_chart": maturity.chart,
        "maturity_trend": [
            (period, [averages.get(discipline.pk) for discipline in disciplines])
            for period, averages in maturity.trend
        ],
    }


def _risk_picture(organisation: Organisation, as_of: date, today: date) -> dict[str, Any]:
    """The region's risk picture at ``as_of`` (confidential editions only): the quarter's
    snapshot for a past period, the register for the current one — never today's figures
    for a past period, whose missing snapshot is said instead."""
    picture = risk_picture_at(organisation, as_of, today=today)
    context: dict[str, Any] = {"risk_picture": picture}
    if picture.found:
        context.update(
            risk_heatmap=picture.heatmap(matrix=risk_matrix_for(organisation)),
            level_counts=picture.level_counts(),
            open_actions=picture.open_actions,
            overdue_actions=picture.overdue_actions,
            accepted_risks=picture.accepted_risks,
        )
    return context


def _incidents(run: ReportRun) -> dict[str, Any]:
    """The region's incidents detected in the report's period, with their reporting clocks
    as they stood at its end (two queries). A confidential edition lists them; a public one
    holds only the counts — per category and severity, breaches notified to Datatilsynet,
    clocks met (seed 003's "typer af sager") — never a title."""
    organisation = run.organisation
    if organisation is None:
        return {}
    figures = incident_figures(
        Incident.objects.filter(organisation=organisation),
        start=period_start(run),
        end=period_end(run),
        now=timezone.now(),
    )
    if not run.is_confidential:
        figures = counts_only(figures)
    return {"incident_figures": figures}


def _sector_incidents(run: ReportRun) -> dict[str, Any]:
    """The sector edition's incidents of the report's period: every region's counts and the
    sector's — per category and severity, breaches notified to Datatilsynet, clocks met —
    from the incidents' facts (``incidents.sector``), with each clock as it stood at the
    period's end, as the region edition counts its own (two queries). Counts only: the
    facts hold no incident's text."""
    regions = list(Organisation.objects.regions().order_by("name_da"))
    # As the region edition reads its register: the run's database context decides.
    per_region, total = sector_figures(
        IncidentFacts.objects.all(),
        start=period_start(run),
        end=period_end(run),
        regions=regions,
        now=timezone.now(),
    )
    return {"incident_figures": total, "sector_incident_regions": per_region}


def _region(run: ReportRun, as_of: date, today: date) -> dict[str, Any]:
    """A region's own status: its maturity and its incidents' counts, and in a confidential
    edition its risks."""
    organisation = run.organisation
    if organisation is None:
        return {}
    context = _maturity(organisation, as_of)
    context.update(_incidents(run))
    if run.is_confidential:
        context.update(_risk_picture(organisation, as_of, today))
    return context


def report_context(run: ReportRun) -> dict[str, Any]:
    """Everything a report shows, as of the end of its period (``figures_as_of``)."""
    last_half, current_half = _half_years(run)
    today = date.today()
    as_of, live = figures_as_of(run, today=today)
    classification = Classification.CONFIDENTIAL if run.is_confidential else Classification.PUBLIC
    context: dict[str, Any] = {
        "run": run,
        "title": run.get_kind_display(),
        "classification": classification.label,
        "confidential": run.is_confidential,
        **_narratives(run),
        "draft": not run.is_approved,
        "approver": _person(run.approved_by) if run.approved_by_id else "",
        "generated": today,
        "as_of": as_of,
        "live": live,
        "last_half": last_half,
        "current_half": current_half,
        "disciplines": Discipline.objects.order_by("order"),
    }
    if run.kind == ReportKind.TSI_PORTFOLIO:
        context.update(_portfolio(as_of, strategy_for(run)))
        context["focus_areas"] = focus_areas_for(run, (last_half, current_half), as_of, context)
        context.update(_portfolio_follow_up(run, context["initiatives"], as_of, today))
        context["groups"] = _topics_then(
            WorkingGroup.objects.order_by("kind", "name_da"), as_of, today
        )
    if run.kind == ReportKind.COUNCIL_APPENDIX:
        context.update(_portfolio(as_of, strategy_for(run)))
        context["focus_areas"] = focus_areas_for(run, (last_half, current_half), as_of, context)
        context["group_sections"] = _groups(period_start(run), as_of, today)
        context["initiative_statuses"] = _initiative_statuses(
            context["initiatives"], as_of, run.organisation, today
        )
        if run.organisation is None:
            context.update(_implementation_matrix(context["initiatives"], as_of, today))
            context.update(_regions_maturity(as_of))
            context.update(_sector_incidents(run))
        context.update(_region(run, as_of, today))
    if run.kind == ReportKind.CISO_QUARTERLY:
        if run.organisation is not None:
            context["title"] = _("Quarterly risk report – %(region)s") % {
                "region": run.organisation
            }
        context.update(_quarterly(run, as_of, today))
        context.update(_incidents(run))
    if run.kind == ReportKind.SECTOR_RISK_PICTURE:
        context.update(_sector_picture(run))
    return context


def render_html(run: ReportRun, *, for_browser: bool = False) -> str:
    """The report as HTML; ``for_browser`` links the print stylesheet from the static URL
    (the PDF resolves it against the static folder)."""
    context = report_context(run)
    context["stylesheet"] = (
        f"{settings.STATIC_URL}css/print.css" if for_browser else "css/print.css"
    )
    if for_browser and not context["stylesheet"].startswith("/"):
        context["stylesheet"] = "/" + context["stylesheet"]
    return render_to_string(f"reports/pdf/{run.kind}.html", context)


def render_pdf(run: ReportRun) -> bytes:
    from weasyprint import HTML

    # PDF/A-3b for the archive, tagged for screen readers (the structure of the HTML).
    return HTML(string=render_html(run), base_url=str(STATIC_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", pdf_tags=True
    )
