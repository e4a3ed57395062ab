from celery import shared_task

from initiatives.services import status_reminders_send


@shared_task(
    name="initiatives.send_status_reminders",
    ignore_result=True,
    system_reason="remind working groups of missing status updates",
)
def send_status_reminders() -> int:
    """Daily: remind working groups of status updates missing for the current period."""
    return status_reminders_send()
