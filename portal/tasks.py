from celery import shared_task
from django.utils import timezone

from portal.models import WorkerHeartbeat


@shared_task(bind=True, name="portal.heartbeat", ignore_result=True)
def heartbeat(self) -> None:
    """Run by beat every minute; the admin overview shows the last one per worker."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=self.request.hostname or "in-process", defaults={"seen_at": timezone.now()}
    )
