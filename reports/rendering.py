"""From a report run to a PDF: the figures as of the end of its period, the narratives,
WeasyPrint."""

from datetime import date
from itertools import cycle
from math import ceil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from capabilities.models import Discipline
from capabilities.selectors import maturity_at
from initiatives.models import (
    Deliverable,
    Initiative,
    LifecycleStatus,
    RegionalImplementation,
    WorkingGroup,
)
from initiatives.selectors import (
    initiatives_without_update,
    latest_status_updates,
    milestones_overdue_at,
    with_current_status,
)
from portal.charts import BarChart, LineChart
from portal.models import Organisation
from portal.periods import Period
from reports.markdown import render_markdown
from reports.models import Classification, ReportKind, ReportRun
from reports.selectors import narratives_for
from risks.models import LEVEL_ORDER, Level, RiskStatus, TreatmentAction, risk_matrix_for
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


def _half_years(run: ReportRun) -> tuple[Period, Period]:
    """The appendix for year Y reports on the second half of Y-1 and the first half of Y,
    as the councils' appendix always has."""
    if run.period.isdigit():
        year = int(run.period)
        return Period(year - 1, "H", 2), Period(year, "H", 1)
    current = Period.containing(Period.parse(run.period).start, "H")
    return current.previous(), current


def _deliverables(period: Period) -> list[Deliverable]:
    """Deliverables delivered in the half-year, or due in it."""
    window = (period.start, period.end)
    return list(
        Deliverable.objects.select_related("working_group", "initiative")
        .filter(Q(delivered_on__range=window) | Q(due__range=window))
        .exclude(status=Deliverable.Status.CANCELLED)
        .order_by("working_group__name_da", "due")
    )


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


def _portfolio(as_of: date) -> dict[str, Any]:
    """Every initiative with its status as it stood at ``as_of`` (today for the current
    period): a past year's appendix shows that year's status, not a later one."""
    initiatives = list(
        with_current_status(
            Initiative.objects.select_related("discipline", "working_group"), as_of=as_of
        )
        .filter(strategy__slug="2023-2025")
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
    return {"initiatives": initiatives, "portfolio_chart": chart}


#: Statuses of an initiative that owes no more status updates.
FINISHED = (LifecycleStatus.COMPLETED, LifecycleStatus.DISCONTINUED)


def _implementation_matrix(initiatives: list[Initiative]) -> dict[str, Any]:
    """Initiatives × regions: each region's own implementation status of each initiative,
    as recorded now (two queries)."""
    regions = list(Organisation.objects.regions().order_by("name_da"))
    labels = dict(RegionalImplementation.Status.choices)
    cells = {
        (initiative, organisation): status
        for initiative, organisation, status in RegionalImplementation.objects.filter(
            initiative__in=[initiative.pk for initiative in initiatives]
        ).values_list("initiative", "organisation", "status")
    }
    rows = []
    for initiative in initiatives:
        statuses = [cells.get((initiative.pk, region.pk)) for region in regions]
        rows.append((initiative, [(status, labels.get(status, "")) for status in statuses]))
    return {"matrix_regions": regions, "matrix_rows": rows}


def _portfolio_follow_up(
    run: ReportRun, initiatives: list[Initiative], as_of: date
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
        **_implementation_matrix(initiatives),
    }


class _TrendChart(LineChart):
    """A line chart whose last period's label fits inside the drawing."""

    RIGHT = 32


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
        context["overdue_review_list"] = list(
            overdue_reviews(organisation, today=today)[:LIST_LIMIT]
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


def _region(run: ReportRun, as_of: date, today: date) -> dict[str, Any]:
    """A region's own status: its maturity, and in a confidential edition its risks."""
    organisation = run.organisation
    if organisation is None:
        return {}
    context = _maturity(organisation, as_of)
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
        "groups": WorkingGroup.objects.order_by("kind", "name_da"),
    }
    if run.kind in (ReportKind.COUNCIL_APPENDIX, ReportKind.TSI_PORTFOLIO):
        context.update(_portfolio(as_of))
        context["halves"] = [
            (last_half, _deliverables(last_half)),
            (current_half, _deliverables(current_half)),
        ]
    if run.kind == ReportKind.TSI_PORTFOLIO:
        context.update(_portfolio_follow_up(run, context["initiatives"], as_of))
    if run.kind == ReportKind.COUNCIL_APPENDIX:
        context.update(_region(run, as_of, today))
    if run.kind == ReportKind.CISO_QUARTERLY:
        if run.organisation is not None:
            context["title"] = _("Quarterly risk report – %(region)s") % {
                "region": run.organisation
            }
        context.update(_quarterly(run, as_of, today))
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
