"""From a report run to a PDF: the data at generation time, the narratives, WeasyPrint."""

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from capabilities.models import Discipline, MaturityAssessment
from capabilities.selectors import discipline_overview, maturity_chart
from initiatives.models import Deliverable, Initiative, WorkingGroup
from initiatives.periods import Period
from initiatives.selectors import with_current_status
from portal.charts import BarChart, Heatmap
from reports.markdown import render_markdown
from reports.models import NarrativeDraft, ReportKind, ReportRun
from risks.models import LEVEL_ORDER, Risk, TreatmentAction
from risks.selectors import heatmap_counts, level_counts
from risks.services import risk_matrix_for

STATIC_DIR = Path(settings.BASE_DIR) / "static"

CLASSIFICATION = {
    ReportKind.COUNCIL_APPENDIX: _("Public"),
    ReportKind.TSI_PORTFOLIO: _("Internal"),
    ReportKind.CISO_QUARTERLY: _("Confidential"),
}


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


def _region(run: ReportRun) -> dict[str, Any]:
    organisation = run.organisation
    if organisation is None:
        return {}
    assessment = (
        MaturityAssessment.objects.filter(organisation=organisation, status="approved")
        .order_by("-period")
        .first()
    )
    columns = discipline_overview(assessment=assessment)
    risks = Risk.objects.filter(organisation=organisation).exclude(status="closed")
    matrix = risk_matrix_for(organisation)
    counts = level_counts(risks)
    today = date.today()
    actions = TreatmentAction.objects.filter(
        risk__organisation=organisation, status__in=["open", "in_progress"]
    )
    return {
        "maturity_assessment": assessment,
        "maturity_chart": maturity_chart(columns) if assessment else None,
        "risk_heatmap": Heatmap(
            title=_("Residual risk"),
            description=_("%(total)s open risks by likelihood and consequence.")
            % {"total": sum(counts.values())},
            likelihood_labels=matrix.likelihood_labels,
            consequence_labels=matrix.consequence_labels,
            counts=heatmap_counts(risks, kind="residual"),
            level_for=matrix.level_for,
            colour_for=matrix.colour_for,
            axis_likelihood=_("Likelihood"),
            axis_consequence=_("Consequence"),
        ),
        "level_counts": [(level, counts.get(level, 0)) for level in LEVEL_ORDER],
        "open_actions": actions.count(),
        "overdue_actions": actions.filter(due__lt=today).count(),
    }


def report_context(run: ReportRun) -> dict[str, Any]:
    """Everything a report shows, read from the database now."""
    last_half, current_half = _half_years(run)
    as_of = min(period_end(run), date.today())
    context: dict[str, Any] = {
        "run": run,
        "title": run.get_kind_display(),
        "classification": CLASSIFICATION[run.kind],
        "narratives": _narratives(run),
        "generated": date.today(),
        "as_of": as_of,
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
        context.update(_region(run))
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
