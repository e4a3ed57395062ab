"""The region's dashboard — what its CISO checks first in the morning.

Every panel reads through the permission layer (``restrict``), so a risk owner or a reader of
the region sees the same page with what they may see, and nothing of another region. The
number of queries is fixed, whatever the size of the register (asserted in the tests).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from capabilities.selectors import current_assessment, discipline_overview, maturity_chart
from composition.dashboards.changes import changes_since
from composition.dashboards.visits import visit_record
from incidents.models import Incident
from incidents.selectors import clock_watch
from initiatives.models import RegionalImplementation
from portal.access import Action
from portal.models import Organisation
from portal.periods import current_period
from reports.models import ReportRun
from risks.cadence import ReviewCadence
from risks.models import LEVEL_ORDER, Risk, TreatmentAction, risk_matrix_for
from risks.selectors import (
    RegisterCounts,
    heatmap_cell_url,
    heatmap_register_url,
    heatmap_risks,
    register_heatmap,
)

#: Rows shown in each list panel; the panel links to the full, filtered list.
PANEL_ROWS = 10


@dataclass
class Panel:
    """A list panel: its first rows, how many there are in all, and where the rest are."""

    rows: list[Any]
    total: int
    url: str

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


def panel(queryset: QuerySet, url: str, *, total: int | None = None) -> Panel:
    """The first rows and the total: always two queries, whether the panel has three rows
    or three thousand (one when the ``total`` is known already). (A window count in the same
    query would join every matching row to what ``select_related`` asks for; a separate
    COUNT joins nothing it does not filter on.)"""
    rows = list(queryset[:PANEL_ROWS])
    if total is None:
        total = queryset.order_by().count()
    return Panel(rows=rows, total=total, url=url)


def _with_review_dates(reviews: Panel, cadence: ReviewCadence, *, today: date) -> Panel:
    """The panel's risks with the day each revurdering was due (``risks.cadence``)."""
    return replace(reviews, rows=cadence.attach(reviews.rows, today=today))


def _register_url(organisation: Organisation, **filters: Any) -> str:
    return (
        f"{reverse('risks:risk_list')}?{urlencode({'organisation': organisation.slug, **filters})}"
    )


def _incident_panels(user: User, organisation: Organisation, now: datetime) -> dict[str, Any]:
    """The region's open incidents and their clocks that have run out or run out within
    24 hours, each linking to its incident (two queries)."""
    watch = clock_watch(Incident.objects.restrict_to(user, Action.VIEW, organisation), now=now)
    url = (
        f"{reverse('incidents:incident_list')}?"
        f"{urlencode({'organisation': organisation.slug, 'open': 'true'})}"
    )
    return {
        "open_incidents": watch.open_incidents,
        "incident_list_url": url,
        "overdue_clocks": Panel(rows=watch.overdue[:PANEL_ROWS], total=len(watch.overdue), url=url),
        "running_out_clocks": Panel(
            rows=watch.running_out[:PANEL_ROWS], total=len(watch.running_out), url=url
        ),
    }


def region_dashboard(
    *,
    user: User,
    organisation: Organisation,
    today: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every panel of ``organisation``'s dashboard as ``user`` may see it."""
    today = today or date.today()
    now = now or timezone.now()
    # The open risks, as the heatmap counts them and as the register lists them from its cells.
    risks = heatmap_risks(
        Risk.objects.restrict_to(user, Action.VIEW, organisation), organisation=organisation
    )
    matrix = risk_matrix_for(organisation)
    # One pass over the register: the heatmap's cells, the levels, the overdue revurderinger.
    cadence = ReviewCadence.load()
    register = RegisterCounts.of(risks, reviews_due_before=today, cadence=cadence)
    heatmap = register_heatmap(
        queryset=risks,
        matrix=matrix,
        kind="residual",
        url_for=heatmap_cell_url(organisation, kind="residual"),
        counts=register.residual_cells,
    )
    counts = register.residual_levels

    assessment = current_assessment(user=user, organisation=organisation)
    columns = discipline_overview(assessment=assessment) if assessment else []

    actions = (
        TreatmentAction.objects.restrict_to(user, Action.VIEW, organisation)
        .overdue(today)
        .select_related("risk", "owner")
        .order_by("due", "pk")
    )
    reviews = (
        risks.filter(cadence.overdue_q(today))
        .select_related("owner")
        .order_by("last_reviewed", "next_review", "pk")
    )
    period = current_period(today)
    implementations = (
        RegionalImplementation.objects.restrict_to(user, Action.VIEW, organisation)
        .filter(
            Q(updated_at__date__lt=period.start)
            & ~Q(
                status__in=[
                    RegionalImplementation.Status.IMPLEMENTED,
                    RegionalImplementation.Status.NOT_APPLICABLE,
                ]
            )
        )
        .select_related("initiative")
        .order_by("initiative__sort_key")
    )
    runs = (
        ReportRun.objects.restrict(user, Action.VIEW)
        .filter(Q(organisation=organisation) | Q(organisation__isnull=True))
        .select_related("organisation", "requested_by")
        .order_by("-requested_at", "-pk")
    )
    previous_visit = visit_record(user=user, organisation=organisation)
    return {
        "organisation": organisation,
        "today": today,
        "period": period,
        "heatmap": heatmap,
        "level_counts": [(level, counts.get(level, 0)) for level in LEVEL_ORDER],
        "open_risks": sum(counts.values()),
        "assessment": assessment,
        "maturity_columns": columns,
        "maturity_chart": maturity_chart(columns) if assessment else None,
        "top_risks": list(
            risks.select_related("threat", "owner").order_by(
                "-residual_score", "-inherent_score", "pk"
            )[:PANEL_ROWS]
        ),
        "register_url": _register_url(organisation),
        "overdue_actions": panel(
            actions, f"{reverse('risks:treatment_plan')}?{urlencode({'overdue': 'true'})}"
        ),
        "overdue_reviews": _with_review_dates(
            panel(
                reviews,
                heatmap_register_url(organisation, review_overdue="true"),
                total=register.reviews_overdue,
            ),
            cadence,
            today=today,
        ),
        "stale_implementations": panel(
            implementations, reverse("initiatives:implementation_matrix")
        ),
        "report_runs": panel(runs, reverse("reports:run_list")),
        **_incident_panels(user, organisation, now),
        "previous_visit": previous_visit,
        "changes": changes_since(user=user, organisation=organisation, since=previous_visit),
    }
