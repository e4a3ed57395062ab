"""The reports the portal writes by itself: each region's quarterly risk report, requested by
django-celery-beat entries at the start of every quarter and mailed to the region's CISOs."""

import json
import logging
from datetime import date

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from portal.access import cisos_of
from portal.models import Organisation
from portal.periods import Period
from reports.models import ReportKind, ReportRun
from reports.services import run_queue

log = logging.getLogger(__name__)

#: The Celery task the entries run (``reports.tasks.request_scheduled_ciso_report``).
TASK = "reports.scheduled_ciso_quarterly"
#: 06:00 on the first day of each quarter, in the portal's time zone.
QUARTERLY = {
    "minute": "0",
    "hour": "6",
    "day_of_week": "*",
    "day_of_month": "1",
    "month_of_year": "1,4,7,10",
}


def entry_name(region: Organisation) -> str:
    return f"ciso-quarterly:{region.slug}"


@transaction.atomic
def schedules_ensure() -> int:
    """Create the quarterly entry of every region that has none; returns how many were
    created. Existing entries are left as they are, so a time or an ``enabled`` flag changed
    in the admin survives."""
    crontab, _ = CrontabSchedule.objects.get_or_create(**QUARTERLY, timezone=settings.TIME_ZONE)
    created = 0
    for region in Organisation.objects.regions().order_by("slug"):
        _entry, was_created = PeriodicTask.objects.get_or_create(
            name=entry_name(region),
            defaults={
                "task": TASK,
                "crontab": crontab,
                "kwargs": json.dumps({"organisation": region.slug}),
                "description": f"The CISO's quarterly risk report for {region.name_da}.",
            },
        )
        created += was_created
    return created


def scheduled_run_request(*, organisation: str, today: date | None = None) -> ReportRun | None:
    """Queue the region's quarterly risk report for the quarter that has just ended, to be
    mailed to its CISOs. Does nothing if the region is unknown or the quarter's scheduled
    run already exists (beat firing twice), unless that one failed."""
    region = Organisation.objects.regions().filter(slug=organisation).first()
    if region is None:
        log.warning("scheduled report for unknown region %r skipped", organisation)
        return None
    quarter = Period.containing(today or date.today(), "Q").previous()
    scheduled = ReportRun.objects.filter(
        kind=ReportKind.CISO_QUARTERLY,
        organisation=region,
        period=quarter.label,
        parameters__scheduled=True,
    ).exclude(status=ReportRun.Status.FAILED)
    if scheduled.exists():
        return None
    cisos = list(cisos_of(region).order_by("pk").values_list("pk", flat=True))
    return run_queue(
        kind=ReportKind.CISO_QUARTERLY,
        organisation=region,
        period=quarter.label,
        language="da",
        requested_by=None,
        parameters={"scheduled": True, "notify": cisos},
    )
