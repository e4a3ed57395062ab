from celery import shared_task

from incidents.reminders import reminders_send


@shared_task(
    name="incidents.send_reminders",
    ignore_result=True,
    system_reason="remind incident owners and CISOs of reporting clocks running out",
)
def send_reminders() -> int:
    """Every five minutes: mail the reminders of reporting clocks with 6 hours left or run
    out, once per clock and stage (``incidents.reminders``)."""
    return reminders_send()
