"""How long the audit trail is kept, and the one way entries ever leave it.

The trail is kept ``AUDIT_RETENTION_DAYS`` (at least five years; shorter only with the
explicit ``AUDIT_RETENTION_BELOW_FIVE_YEARS``). Nothing prunes it on its own: an operator runs
``manage.py audit_prune``, which deletes only the entries older than the retention and
records itself (an ``AuditPrune`` row, which is audited in turn).

On PostgreSQL a trigger refuses every UPDATE and DELETE on the trail (migrations
``portal.0002`` and ``0003``). The prune sets ``portal.audit_prune = on`` for its own
transaction only (``SET LOCAL``), which is the one DELETE the trigger lets through; the ORM's
guards (``portal.audit.protect_entries``) are bypassed by deleting with one SQL statement.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from portal.models import AuditPrune

#: The session variable the trigger reads (migration portal.0003).
PRUNE_FLAG = "portal.audit_prune"


class RetentionTooShort(Exception):
    pass


@dataclass(frozen=True)
class Retention:
    days: int
    below_five_years_allowed: bool

    @property
    def is_below_five_years(self) -> bool:
        return self.days < settings.AUDIT_RETENTION_MINIMUM_DAYS

    def cutoff(self, now: datetime | None = None) -> datetime:
        return (now or timezone.now()) - timedelta(days=self.days)


def retention_configured() -> Retention:
    return Retention(
        days=settings.AUDIT_RETENTION_DAYS,
        below_five_years_allowed=settings.AUDIT_RETENTION_BELOW_FIVE_YEARS,
    )


def audit_prune(*, performed_by: str, retention: Retention | None = None) -> AuditPrune:
    """Delete the audit entries older than the retention, and record that it happened.

    Refuses (``RetentionTooShort``) a retention below five years unless that was explicitly
    allowed. Entries younger than the cutoff are never touched.
    """
    retention = retention or retention_configured()
    if retention.days < 1 or (
        retention.is_below_five_years and not retention.below_five_years_allowed
    ):
        raise RetentionTooShort(
            f"retention of {retention.days} days is below five years "
            f"({settings.AUDIT_RETENTION_MINIMUM_DAYS} days)"
        )
    cutoff = retention.cutoff()
    table = connection.ops.quote_name(LogEntry._meta.db_table)
    column = connection.ops.quote_name(LogEntry._meta.get_field("timestamp").column)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_FLAG])
            cursor.execute(f"DELETE FROM {table} WHERE {column} < %s", [cutoff])  # noqa: S608
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'off', true)", [PRUNE_FLAG])
        return AuditPrune.objects.create(
            performed_by=performed_by,
            retention_days=retention.days,
            cutoff=cutoff,
            deleted=deleted,
        )
