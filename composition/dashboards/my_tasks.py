"""A person's own tasks ("Mine opgaver"): what waits for them across the apps.

Treatment actions and risk reviews they own that are due soon or overdue, the reporting clocks
of the incidents they own or answer for as their region's CISO, the status updates their
working groups owe for the current period, maturity campaigns to submit or approve and report
drafts to approve. Every list reads through the permission layer (``restrict`` for
what they may see or change, the named actions for approvals, the campaigns' four-eyes rule),
so an object of a region the person has no role in never appears. The number of queries does
not grow with the register (asserted in the tests).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from capabilities.maturity import approval_needs_another_person
from capabilities.models import MaturityAssessment
from composition.dashboards.region import PANEL_ROWS, Panel, panel
from incidents.clocks import COPENHAGEN
from incidents.models import Incident
from incidents.selectors import open_clocks, with_submissions
from initiatives.models import Initiative, WorkingGroup
from initiatives.selectors import current_strategy, initiatives_missing_update
from portal.access import Action, can, dashboard_regions, organisations_where
from portal.models import Organisation
from portal.periods import Period, current_period
from reports.models import ReportRun
from risks.cadence import ReviewCadence
from risks.models import Risk, TreatmentAction
from risks.selectors import treatment_plan

#: How far ahead a treatment action or a risk review counts as due.
DUE_WITHIN = timedelta(days=14)


@dataclass
class MyTasks:
    """Everything on the page; each list is empty when nothing waits."""

    today: date
    due_by: date
    period: Period
    actions: Panel
    reviews: Panel
    #: Open reporting clocks (``incidents.selectors.ClockRow``), overdue or due by ``due_by``.
    incident_clocks: Panel
    missing_updates: list[Initiative]
    campaigns_to_submit: list[MaturityAssessment]
    campaigns_to_approve: list[MaturityAssessment]
    reports_to_approve: list[ReportRun]
    working_groups: list[WorkingGroup]
    regions: list[Organisation]

    @property
    def campaign_count(self) -> int:
        return len(self.campaigns_to_submit) + len(self.campaigns_to_approve)

    @property
    def count(self) -> int:
        """How many tasks wait in all."""
        return (
            self.actions.total
            + self.reviews.total
            + self.incident_clocks.total
            + len(self.missing_updates)
            + self.campaign_count
            + len(self.reports_to_approve)
        )


def _due_actions(user: User, *, today: date, due_by: date) -> Panel:
    actions = TreatmentAction.objects.restrict(user, Action.VIEW).filter(
        owner=user, due__lte=due_by
    )
    url = f"{reverse('risks:treatment_plan')}?{urlencode({'owner': user.username})}"
    return panel(treatment_plan(actions, today=today), url)


def _due_reviews(user: User, *, today: date, due_by: date) -> Panel:
    """The person's own risks whose revurdering is due by ``due_by`` or overdue: the planned
    date or the level's longest interval since the last review (``risks.cadence``)."""
    cadence = ReviewCadence.load()
    reviews = (
        Risk.objects.restrict(user, Action.VIEW)
        .open()
        .filter(owner=user)
        .filter(cadence.due_q(due_by, inclusive=True))
        .select_related("organisation")
        .order_by("last_reviewed", "next_review", "pk")
    )
    found = panel(reviews, f"{reverse('risks:risk_list')}?{urlencode({'owner': user.username})}")
    return replace(found, rows=cadence.attach(found.rows, today=today))


def _incident_clocks(user: User, *, now: datetime, due_by: date) -> Panel:
    """The open clocks of the open incidents the person owns or answers for as their
    region's CISO (``incidents.answer_for_clocks``), overdue or due by ``due_by`` (two
    queries). Each links to its incident; the page shows the clock, not the incident."""
    scope = organisations_where(user, "incidents.answer_for_clocks")
    theirs = Q() if scope is None else Q(owner=user) | Q(organisation__in=scope)
    incidents = (
        Incident.objects.restrict(user, Action.VIEW)
        .open()
        .filter(theirs)
        .select_related("organisation")
        .order_by("pk")
    )
    rows = [
        row
        for row in open_clocks(with_submissions(incidents), now=now)
        if row.overdue or row.deadline.due_at.astimezone(COPENHAGEN).date() <= due_by
    ]
    url = f"{reverse('incidents:incident_list')}?{urlencode({'open': 'true'})}"
    return Panel(rows=rows[:PANEL_ROWS], total=len(rows), url=url)


def _missing_updates(user: User, *, today: date, period: Period) -> list[Initiative]:
    """The initiatives of the person's working groups that they may update and that have no
    status update for the current period (``initiatives_missing_update``)."""
    strategy = current_strategy(today)
    if strategy is None:
        return []
    theirs = (
        Initiative.objects.restrict(user, Action.CHANGE)
        .filter(strategy=strategy, working_group__members=user)
        .select_related("working_group")
    )
    return list(initiatives_missing_update(period=period, queryset=theirs).order_by("sort_key"))


def _own_regions(
    user: User, queryset: QuerySet[MaturityAssessment]
) -> QuerySet[MaturityAssessment]:
    """A region's campaigns are the tasks of its own people (``portal.belong_to_region``),
    not of a sector administrator who may act on every region's."""
    scope = organisations_where(user, "portal.belong_to_region")
    return queryset if scope is None else queryset.filter(organisation__in=scope)


def _campaigns_to_submit(user: User) -> list[MaturityAssessment]:
    """Open campaigns the person may change (a region's CISO)."""
    open_campaigns = MaturityAssessment.objects.restrict(user, Action.CHANGE).filter(
        status=MaturityAssessment.Status.OPEN
    )
    return list(
        _own_regions(user, open_campaigns)
        .select_related("organisation")
        .order_by("organisation__name_da", "period")
    )


def _campaigns_to_approve(user: User) -> list[MaturityAssessment]:
    """Submitted campaigns the person may approve: ``capabilities.approve``, less those the
    four-eyes rule leaves to another CISO."""
    visible = MaturityAssessment.objects.restrict(user, Action.VIEW).filter(
        status=MaturityAssessment.Status.SUBMITTED
    )
    submitted = (
        _own_regions(user, visible)
        .select_related("organisation", "submitted_by")
        .order_by("organisation__name_da", "period")
    )
    return [
        assessment
        for assessment in submitted
        if can(user, "capabilities.approve", assessment)
        and not approval_needs_another_person(assessment=assessment, user=user)
    ]


def _reports_to_approve(user: User) -> list[ReportRun]:
    """Generated drafts the person may approve (``reports.approve``)."""
    drafts = (
        ReportRun.objects.restrict(user, Action.VIEW)
        .filter(status=ReportRun.Status.DONE, approved_at__isnull=True)
        .select_related("organisation")
        .order_by("-requested_at", "-pk")
    )
    scope = organisations_where(user, "reports.approve")
    if scope is not None:
        # A region's edition only where the rule can hold; a sector edition is for the rule
        # to answer (it names no organisation).
        drafts = drafts.filter(Q(organisation__in=scope) | Q(organisation__isnull=True))
    return [run for run in drafts if can(user, "reports.approve", run)]


def working_groups_of(user: User) -> QuerySet[WorkingGroup]:
    """The groups the person sits in."""
    return (
        WorkingGroup.objects.restrict(user, Action.VIEW)
        .filter(members=user)
        .order_by("kind", "name_da")
    )


def my_tasks(*, user: User, today: date | None = None, now: datetime | None = None) -> MyTasks:
    """What waits for ``user`` today, as they may see it."""
    today = today or date.today()
    now = now or timezone.now()
    due_by = today + DUE_WITHIN
    period = current_period(today)
    return MyTasks(
        today=today,
        due_by=due_by,
        period=period,
        actions=_due_actions(user, today=today, due_by=due_by),
        reviews=_due_reviews(user, today=today, due_by=due_by),
        incident_clocks=_incident_clocks(user, now=now, due_by=due_by),
        missing_updates=_missing_updates(user, today=today, period=period),
        campaigns_to_submit=_campaigns_to_submit(user),
        campaigns_to_approve=_campaigns_to_approve(user),
        reports_to_approve=_reports_to_approve(user),
        working_groups=list(working_groups_of(user)),
        regions=list(dashboard_regions(user)),
    )
