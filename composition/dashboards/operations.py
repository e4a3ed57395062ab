"""The sector administrator's overview: organisations, people and roles, background jobs."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from composition.dashboards.region import panel
from portal.access import member_counts_by_role
from portal.access.roles import Role
from portal.models import Membership, Organisation, WorkerHeartbeat
from reports.models import ReportRun

log = logging.getLogger(__name__)

#: Beat sends a heartbeat every minute; older than this, the workers are reported silent.
HEARTBEAT_STALE = timedelta(minutes=3)
FAILED_RUNS_WINDOW = timedelta(days=30)


@dataclass
class QueueState:
    """What the broker says: ``length`` is None when it cannot be asked."""

    in_process: bool
    length: int | None
    error: str = ""


def queue_state() -> QueueState:
    """The number of tasks waiting in the portal's queue (a Redis list)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return QueueState(in_process=True, length=None)
    from portal.celery import app

    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1)
            client = connection.default_channel.client
            return QueueState(
                in_process=False, length=int(client.llen(settings.CELERY_TASK_DEFAULT_QUEUE))
            )
    except Exception as error:  # any broker failure is shown, never raised
        log.warning("queue length unavailable: %s", error)
        return QueueState(in_process=False, length=None, error=type(error).__name__)


def operations_overview(*, now: datetime | None = None) -> dict[str, Any]:
    """For sector administrators only (the view checks)."""
    now = now or timezone.now()
    role_counts = member_counts_by_role()
    organisations = list(
        Organisation.objects.annotate(
            members=Count("memberships__user", distinct=True), **role_counts
        ).order_by("kind", "name_da")
    )
    for organisation in organisations:
        organisation.role_counts = [getattr(organisation, role) for role in Role.values]
    users = get_user_model().objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(is_active=True)),
        without_role=Count("pk", filter=Q(memberships__isnull=True, is_superuser=False)),
        signed_in_30_days=Count("pk", filter=Q(last_login__gte=now - timedelta(days=30))),
    )
    heartbeats = list(WorkerHeartbeat.objects.order_by("-seen_at")[:5])
    last_heartbeat = heartbeats[0].seen_at if heartbeats else None
    runs = ReportRun.objects.aggregate(
        queued=Count("pk", filter=Q(status=ReportRun.Status.QUEUED)),
        running=Count("pk", filter=Q(status=ReportRun.Status.RUNNING)),
        failed_recently=Count(
            "pk",
            filter=Q(status=ReportRun.Status.FAILED, requested_at__gte=now - FAILED_RUNS_WINDOW),
        ),
    )
    failed = (
        ReportRun.objects.filter(
            status=ReportRun.Status.FAILED, requested_at__gte=now - FAILED_RUNS_WINDOW
        )
        .select_related("organisation", "requested_by")
        .order_by("-requested_at", "-pk")
    )
    return {
        "organisations": organisations,
        "roles": [(role, Role(role).label) for role in Role.values],
        "users": users,
        "memberships": Membership.objects.count(),
        "queue": queue_state(),
        "heartbeats": heartbeats,
        "last_heartbeat": last_heartbeat,
        "heartbeat_stale": last_heartbeat is None or now - last_heartbeat > HEARTBEAT_STALE,
        "runs": runs,
        "failed_runs": panel(failed, f"{reverse('reports:run_list')}?status=failed"),
    }
