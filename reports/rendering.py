"""From a report run to a PDF: the figures as of the end of its period, the narratives,
WeasyPrint."""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from capabilities.models import Discipline
from capabilities.selectors import maturity_at
from initiatives.models import Deliverable, Initiative, WorkingGroup
from initiatives.selectors import with_current_status
from portal.charts import BarChart
from portal.models import Organisation
from portal.periods import Period
from reports.markdown import render_markdown
from reports.models import Classification, NarrativeDraft, ReportKind, ReportRun
from risks.models import risk_matrix_for
from risks.selectors import risk_picture_at

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def _narratives(run: ReportRun) -> dict[str, Any]:
    drafts = NarrativeDraft.objects.filter(
        kind=run.kind, organisation=run.organisation, period=run.period
    )
    return {draft.section: render_markdown(draft.body) for draft in drafts}


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
        "narratives": _narratives(run),
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
    if run.kind in (ReportKind.COUNCIL_APPENDIX, ReportKind.CISO_QUARTERLY):
        context.update(_region(run, as_of, today))
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

    return HTML(string=render_html(run), base_url=str(STATIC_DIR)).write_pdf()
