"""Reads of the portfolio. The current status of an initiative is never stored: it is the
latest status update's, joined in with subqueries so a list costs the same few queries for
13 initiatives or 130."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from capabilities.models import Capability
from initiatives.models import (
    Deliverable,
    ImplementationRecord,
    Initiative,
    Milestone,
    RegionalImplementation,
    StatusUpdate,
    Strategy,
    WorkingGroup,
    WorkingGroupTopics,
)
from portal.access import Action
from portal.models import Organisation
from portal.periods import Period, current_period


def _latest_updates(as_of: date | None = None) -> QuerySet[StatusUpdate]:
    updates = StatusUpdate.objects.filter(initiative=OuterRef("pk"))
    if as_of is not None:
        updates = updates.filter(period_start__lte=as_of)
    return updates.order_by("-period_start", "-created_at", "-pk")


def _has_update_for(period: Period) -> Exists:
    """Whether an initiative has a status update for ``period``: the one definition of
    "reported" behind the portfolio's "update due", the dashboards and the reminders."""
    return Exists(StatusUpdate.objects.filter(initiative=OuterRef("pk"), period=period.label))


def with_current_status(
    queryset: QuerySet[Initiative], *, today: date | None = None, as_of: date | None = None
) -> QuerySet[Initiative]:
    """Annotate ``current_status``, ``current_rag``, ``current_progress``,
    ``current_period``, ``last_update_at``, ``update_due`` (no update for the period of
    ``today``, see ``initiatives_missing_update``) and ``overdue_milestones``.

    ``as_of`` looks back: the status as it stood at the end of that day — the latest update
    for a period that had begun by then — and the milestones overdue on it."""
    today = as_of or today or date.today()
    latest = _latest_updates(as_of)
    overdue = (
        Milestone.objects.filter(initiative=OuterRef("pk"), done_on__isnull=True, due__lt=today)
        .order_by()
        .values("initiative")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        current_status=Subquery(latest.values("status")[:1]),
        current_rag=Subquery(latest.values("rag")[:1]),
        current_progress=Subquery(latest.values("progress")[:1]),
        current_period=Subquery(latest.values("period")[:1]),
        last_update_at=Subquery(latest.values("created_at")[:1]),
        update_due=~_has_update_for(current_period(today)),
        overdue_milestones=Subquery(overdue),
    )


def initiative_portfolio(
    *, user: AbstractBaseUser, strategy: Strategy | None = None, today: date | None = None
) -> QuerySet[Initiative]:
    """The initiatives the user may see, with their current status, in portfolio order."""
    queryset = Initiative.objects.restrict(user, Action.VIEW).select_related(
        "discipline", "working_group", "strategy", "lead_organisation"
    )
    if strategy is not None:
        queryset = queryset.filter(strategy=strategy)
    return with_current_status(queryset, today=today).order_by("discipline__order", "sort_key")


def current_strategy(today: date | None = None) -> Strategy | None:
    """The strategy in force: the newest one that has started."""
    year = (today or date.today()).year
    return Strategy.objects.filter(start_year__lte=year).order_by("-start_year").first()


def initiative_detail(*, user: AbstractBaseUser, pk: int) -> QuerySet[Initiative]:
    return with_current_status(
        Initiative.objects.restrict(user, Action.VIEW)
        .filter(pk=pk)
        .select_related("discipline", "working_group", "strategy", "lead_organisation")
        # One Prefetch per call: the stubs type a call's lookups as one kind of queryset.
        .prefetch_related(
            "objectives", Prefetch("milestones", queryset=Milestone.objects.order_by("due", "pk"))
        )
        .prefetch_related(
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.select_related("author", "corrects"),
            )
        )
        .prefetch_related(
            Prefetch(
                "implementations",
                queryset=RegionalImplementation.objects.select_related(
                    "organisation", "updated_by"
                ),
            )
        )
    )


def implementation_matrix(*, user: AbstractBaseUser, strategy: Strategy) -> dict[str, Any]:
    """Initiatives × regions: ``rows`` of (initiative, [implementation or None per region])."""
    regions = list(Organisation.objects.regions().order_by("name_da"))
    initiatives = list(
        Initiative.objects.restrict(user, Action.VIEW)
        .filter(strategy=strategy)
        .select_related("discipline")
        .order_by("discipline__order", "sort_key")
    )
    cells = {
        (row.initiative_id, row.organisation_id): row
        for row in RegionalImplementation.objects.restrict(user, Action.VIEW)
        .filter(initiative__in=[initiative.pk for initiative in initiatives])
        .select_related("initiative", "organisation", "updated_by")
    }
    rows = [
        (initiative, [cells.get((initiative.pk, region.pk)) for region in regions])
        for initiative in initiatives
    ]
    return {"regions": regions, "rows": rows}


def end_of_day(day: date) -> datetime:
    """The first moment after ``day`` in the portal's time zone: what was recorded before
    it had been recorded "on or before ``day``"."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def implementations_at(
    initiatives: list[Initiative],
    as_of: date,
    *,
    today: date | None = None,
    organisation: Organisation | None = None,
) -> dict[tuple[int, int], tuple[str, str]]:
    """The state of the regions' implementation of ``initiatives`` at the end of ``as_of``:
    (status, note) by (initiative id, region id), of ``organisation`` alone when given.

    For ``as_of`` today or later (the current period) the rows as they are; for a past day
    each row's latest ``ImplementationRecord`` on or before it — a row with none by then is
    left out: nothing was known of it then, and today's status is never passed off as that
    day's (one query)."""
    today = today or date.today()
    rows = RegionalImplementation.objects.filter(
        initiative__in=[initiative.pk for initiative in initiatives]
    )
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    if as_of >= today:
        values = rows.values_list("initiative", "organisation", "status", "note")
    else:
        records = ImplementationRecord.objects.filter(
            implementation=OuterRef("pk"), recorded_at__lt=end_of_day(as_of)
        ).order_by("-recorded_at", "-pk")
        values = (
            rows.annotate(
                status_then=Subquery(records.values("status")[:1]),
                note_then=Subquery(records.values("note")[:1]),
            )
            .filter(status_then__isnull=False)
            .values_list("initiative", "organisation", "status_then", "note_then")
        )
    return {
        (initiative, region): (status, note or "") for initiative, region, status, note in values
    }


def with_topics_at(
    queryset: QuerySet[WorkingGroup], as_of: date, *, today: date | None = None
) -> QuerySet[WorkingGroup]:
    """Annotate ``topics_then``: the state of each group's topics at the end of ``as_of`` —
    the group's own for today or later (the current period), else its latest
    ``WorkingGroupTopics`` record on or before that day, None when it has none by then
    (in the same query)."""
    today = today or date.today()
    if as_of >= today:
        return queryset.annotate(topics_then=F("topics"))
    records = WorkingGroupTopics.objects.filter(
        group=OuterRef("pk"), recorded_at__lt=end_of_day(as_of)
    ).order_by("-recorded_at", "-pk")
    return queryset.annotate(topics_then=Subquery(records.values("topics")[:1]))


def initiatives_missing_update(
    *, period: Period, queryset: QuerySet[Initiative] | None = None
) -> QuerySet[Initiative]:
    """Initiatives with no status update for ``period`` ("due"); ``update_due`` of
    ``with_current_status`` for the current period."""
    queryset = queryset if queryset is not None else Initiative.objects.all()
    return queryset.filter(~_has_update_for(period))


def latest_status_updates(
    initiatives: list[Initiative], *, as_of: date | None = None
) -> dict[int, StatusUpdate]:
    """Each initiative's latest status update as it stood at ``as_of`` (the one
    ``with_current_status`` reads its status from), by initiative id (two queries)."""
    latest = _latest_updates(as_of)
    ids = (
        Initiative.objects.filter(pk__in=[initiative.pk for initiative in initiatives])
        .annotate(latest=Subquery(latest.values("pk")[:1]))
        .values_list("pk", "latest")
    )
    by_update = {update: initiative for initiative, update in ids if update is not None}
    return {
        by_update[update.pk]: update
        for update in StatusUpdate.objects.filter(pk__in=list(by_update))
    }


def milestones_overdue_at(initiatives: list[Initiative], *, as_of: date) -> QuerySet[Milestone]:
    """The milestones of ``initiatives`` that were overdue at the end of ``as_of``: due
    before it and not done by then (one done later was still overdue on that day)."""
    return (
        Milestone.objects.filter(
            initiative__in=[initiative.pk for initiative in initiatives], due__lt=as_of
        )
        .filter(Q(done_on__isnull=True) | Q(done_on__gt=as_of))
        .select_related("initiative")
        .order_by("due", "initiative__sort_key", "pk")
    )


def initiatives_without_update(
    initiatives: list[Initiative], *, start: date, end: date
) -> list[Initiative]:
    """Those of ``initiatives`` (in their order) that have no status update for a period
    overlapping ``start``..``end`` — quarter or half-year alike (one query). An initiative
    not yet started by ``end`` owes none."""
    earliest = start - timedelta(days=184)  # a half-year begun before ``start``
    periods = StatusUpdate.objects.filter(
        initiative__in=[initiative.pk for initiative in initiatives],
        period_start__range=(earliest, end),
    ).values_list("initiative", "period")
    covered = set()
    for initiative, label in periods:
        period = Period.parse(label)
        if period.start <= end and period.end >= start:
            covered.add(initiative)
    return [
        initiative
        for initiative in initiatives
        if initiative.pk not in covered
        and (initiative.start_date is None or initiative.start_date <= end)
    ]


def with_group_counts(queryset: QuerySet[WorkingGroup]) -> QuerySet[WorkingGroup]:
    """Annotate ``member_count``, ``initiative_count`` and ``open_deliverables``."""
    return queryset.annotate(
        member_count=Count("seats", distinct=True),
        initiative_count=Count("initiatives", distinct=True),
        open_deliverables=Count(
            "deliverables",
            filter=Q(
                deliverables__status__in=[
                    Deliverable.Status.PLANNED,
                    Deliverable.Status.IN_PROGRESS,
                ]
            ),
            distinct=True,
        ),
    ).order_by("kind", "name_da")


def initiatives_for_capability(
    *, user: AbstractBaseUser, capability: Capability
) -> QuerySet[Initiative]:
    """The initiatives of the capability's discipline that the reader may see."""
    return (
        Initiative.objects.restrict(user)
        .filter(discipline=capability.discipline)
        .order_by("sort_key")
    )
