"""The TSI dashboard: the portfolio at a glance, what is missing, and the regions' maturity."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.urls import reverse

from capabilities.models import Discipline
from capabilities.selectors import discipline_averages, latest_approved_assessments
from composition.dashboards.region import panel
from initiatives.models import Initiative, Milestone
from initiatives.models.status_update import Rag
from initiatives.selectors import current_strategy, initiative_portfolio
from portal.access import Action
from portal.models import Organisation
from portal.periods import current_period
from reports.models import ReportRun


@dataclass
class FocusArea:
    """One discipline's initiatives, counted by their current RAG status."""

    discipline: Discipline
    initiatives: list[Initiative] = field(default_factory=list)

    def count(self, rag: str | None) -> int:
        return sum(1 for initiative in self.initiatives if initiative.current_rag == rag)

    @property
    def green(self) -> int:
        return self.count(Rag.GREEN)

    @property
    def amber(self) -> int:
        return self.count(Rag.AMBER)

    @property
    def red(self) -> int:
        return self.count(Rag.RED)

    @property
    def unreported(self) -> int:
        return self.count(None)


def _maturity_rows(user: AbstractBaseUser, disciplines: list[Discipline]) -> list[tuple]:
    """Region × discipline: (region, assessment, [(current, target) or None per discipline])."""
    regions = Organisation.objects.regions().order_by("name_da")
    assessments = latest_approved_assessments(user=user)
    averages = discipline_averages(assessments)
    return [
        (
            region,
            assessments.get(region.pk),
            [averages.get((region.pk, discipline.pk)) for discipline in disciplines],
        )
        for region in regions
    ]


def sector_dashboard(*, user: AbstractBaseUser, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    strategy = current_strategy(today)
    period = current_period(today)
    disciplines = list(Discipline.objects.order_by("order"))
    areas = {discipline.pk: FocusArea(discipline) for discipline in disciplines}
    initiatives = list(initiative_portfolio(user=user, strategy=strategy, today=today))
    for initiative in initiatives:
        areas[initiative.discipline_id].initiatives.append(initiative)
    missing = [initiative for initiative in initiatives if initiative.update_due]
    milestones = (
        Milestone.objects.restrict(user, Action.VIEW)
        .filter(done_on__isnull=True, due__lt=today)
        .select_related("initiative")
        .order_by("due", "pk")
    )
    runs = (
        ReportRun.objects.restrict(user, Action.VIEW)
        .filter(Q(organisation__isnull=True) | Q(kind__in=["council_appendix", "tsi_portfolio"]))
        .select_related("organisation", "requested_by")
        .order_by("-requested_at", "-pk")
    )
    return {
        "today": today,
        "strategy": strategy,
        "period": period,
        "focus_areas": list(areas.values()),
        "initiative_count": len(initiatives),
        "missing_updates": missing,
        "overdue_milestones": panel(milestones, reverse("initiatives:portfolio")),
        "disciplines": disciplines,
        "maturity_rows": _maturity_rows(user, disciplines),
        "report_runs": panel(runs, reverse("reports:run_list")),
    }
