"""How long the audit trail is kept, and the one way entries ever leave it.

The trail is kept ``AUDIT_RETENTION_DAYS`` (at least five years; shorter only with the
explicit ``AUDIT_RETENTION_BELOW_FIVE_YEARS``). Nothing prunes it on its own: an operator runs
``manage.py audit_prune``, which deletes only the entries older than the retention and
records itself (an ``AuditPrune`` row, which is audited in turn).

On PostgreSQL a trigger refuses every UPDATE, DELETE and TRUNCATE on the trail (migrations
``portal.0002`` and ``0008``), except a DELETE by a member of the database role
``PRUNING_ROLE``. The application's own role is not a member, so nothing it can set lets it
delete: the prune connects through ``AUDIT_PRUNE_DATABASE_URL`` (the ``audit_prune``
database alias) as a member, and ``pruning_role_sql`` gives the statements that create the
role. The ORM's guards (``portal.audit.protect_entries``) are bypassed by deleting with one
SQL statement.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from portal.models import AuditPrune
from portal.rls import system_context

#: The database role whose members alone may delete audit entries (migration portal.0008).
PRUNING_ROLE = "portal_audit_pruner"
#: The database alias ``AUDIT_PRUNE_DATABASE_URL`` configures (portal/settings.py).
PRUNE_DATABASE = "audit_prune"


class RetentionTooShort(Exception):
    pass


class NotAPruningRole(Exception):
    """The connection's role may not delete audit entries (PostgreSQL)."""


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


def prune_database() -> str:
    """The database alias pruning connects through: ``audit_prune`` when configured."""
    return PRUNE_DATABASE if PRUNE_DATABASE in settings.DATABASES else DEFAULT_DB_ALIAS


def pruning_role_sql() -> list[str]:
    """The statements (for a PostgreSQL superuser, or the tables' owner with CREATEROLE) that
    create the pruning role and give it what ``audit_prune`` does and nothing more: read and
    delete audit entries, record the pruning (an ``AuditPrune`` row and its own entry)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    role = quote(PRUNING_ROLE)
    create = (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PRUNING_ROLE}') "  # noqa: S608
        f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
    )
    return [
        create,
        f"GRANT SELECT, INSERT, DELETE ON {quote(LogEntry._meta.db_table)} TO {role}",
        f"GRANT SELECT, INSERT ON {quote(AuditPrune._meta.db_table)} TO {role}",
        f"GRANT SELECT ON {quote(ContentType._meta.db_table)} TO {role}",
    ]


def _check_pruning_role(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, COALESCE((SELECT rolsuper FROM pg_roles "
            "WHERE rolname = current_user), false) OR (EXISTS (SELECT 1 FROM pg_roles "
            "WHERE rolname = %s) AND pg_has_role(current_user, %s, 'MEMBER'))",
            [PRUNING_ROLE, PRUNING_ROLE],
        )
        user, allowed = cursor.fetchone()
    if not allowed:
        raise NotAPruningRole(
            f"the database role {user!r} is not a member of {PRUNING_ROLE!r}: set "
            "AUDIT_PRUNE_DATABASE_URL to a role that is (docs/operations.md)"
        )


def audit_prune(
    *, performed_by: str, retention: Retention | None = None, using: str | None = None
) -> AuditPrune:
    """Delete the audit entries older than the retention, and record that it happened.

    Refuses (``RetentionTooShort``) a retention below five years unless that was explicitly
    allowed, and (``NotAPruningRole``) on PostgreSQL a connection whose role the trigger would
    refuse. Entries younger than the cutoff are never touched. ``using`` is the database
    alias, by default ``prune_database()``.
    """
    retention = retention or retention_configured()
    if retention.days < 1 or (
        retention.is_below_five_years and not retention.below_five_years_allowed
    ):
        raise RetentionTooShort(
            f"retention of {retention.days} days is below five years "
            f"({settings.AUDIT_RETENTION_MINIMUM_DAYS} days)"
        )
    using = using or prune_database()
    connection = connections[using]
    cutoff = retention.cutoff()
    table = connection.ops.quote_name(LogEntry._meta.db_table)
    column = connection.ops.quote_name(LogEntry._meta.get_field("timestamp").column)
    with transaction.atomic(using=using), system_context("audit_prune", using=using):
        _check_pruning_role(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} < %s", [cutoff])  # noqa: S608
            deleted = cursor.rowcount
        return AuditPrune.objects.using(using).create(
            performed_by=performed_by,
            retention_days=retention.days,
            cutoff=cutoff,
            deleted=deleted,
        )
