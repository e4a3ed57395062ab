from celery import shared_task

from risks.services import risk_snapshots_take


@shared_task(name="risks.take_snapshots", ignore_result=True)
def take_risk_snapshots() -> int:
    """Record each region's counts of risks per level for the current quarter."""
    return risk_snapshots_take()
