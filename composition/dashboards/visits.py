"""Remembering the user's visits to a dashboard."""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from portal.models import DashboardVisit, Organisation

#: Views of a dashboard this close to the previous one are the same visit.
SITTING = timedelta(hours=1)


def visit_record(*, user: User, organisation: Organisation) -> datetime | None:
    """Record a view of ``organisation``'s dashboard and return when the user's previous
    visit began (None on the first). Two queries."""
    now = timezone.now()
    visit = DashboardVisit.objects.filter(user=user, organisation=organisation).first()
    if visit is None:
        DashboardVisit.objects.create(user=user, organisation=organisation, seen_at=now)
        return None
    if now - visit.seen_at > SITTING:
        visit.previous_seen_at, visit.seen_at = visit.seen_at, now
    else:
        visit.seen_at = now
    DashboardVisit.objects.filter(pk=visit.pk).update(
        seen_at=visit.seen_at, previous_seen_at=visit.previous_seen_at
    )
    return visit.previous_seen_at
