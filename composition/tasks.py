from datetime import date

from celery import shared_task
from django.contrib.auth.models import User

from composition.digest import digest_recipients, digest_send


def _person(user_id: int, *args, **kwargs) -> User | None:
    """The person a digest is computed for (None once they are no longer active)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


@shared_task(name="composition.send_digest", ignore_result=True, acting_for=_person)
def send_digest(user_id: int, today: str | None = None) -> bool:
    """One person's daily digest, computed as that person: the database shows the task only
    what they may see."""
    return digest_send(user_id=user_id, today=date.fromisoformat(today) if today else None)


@shared_task(name="composition.send_daily_digests", ignore_result=True)
def send_daily_digests(today: str | None = None) -> int:
    """Daily (06:30 Copenhagen time): a digest task for each person who chose the digest.
    It reads only accounts and their preferences, so it needs no database context of its
    own; each person's task acts for that person. Returns how many were queued."""
    recipients = digest_recipients()
    for user_id in recipients:
        send_digest.delay(user_id, today)
    return len(recipients)
