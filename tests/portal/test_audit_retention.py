"""The audit trail is kept five years; only ``audit_prune`` deletes older entries, and it
records itself. On PostgreSQL the trigger still refuses every other UPDATE and DELETE."""

from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal.audit_retention import PRUNE_FLAG, Retention, RetentionTooShort, audit_prune
from portal.models import AuditPrune, Organisation
from tests.portal.test_settings import load_settings

FIVE_YEARS = 5 * 365 + 2

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def entry_aged(days: int, organisation: Organisation) -> LogEntry:
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Organisation),
        object_pk=str(organisation.pk),
        object_id=organisation.pk,
        object_repr=f"{days} days old",
        action=LogEntry.Action.UPDATE,
        changes={"name_da": ["Old", "New"]},
        timestamp=timezone.now() - timedelta(days=days),
    )


@pytest.fixture
def aged(personas):
    return {
        days: entry_aged(days, personas.region_a)
        for days in (10, FIVE_YEARS - 1, FIVE_YEARS + 1, 4000)
    }


def test_it_keeps_five_years_by_default(settings):
    assert settings.AUDIT_RETENTION_DAYS == FIVE_YEARS
    result = load_settings()
    assert result.returncode == 0, result.stderr


def test_it_refuses_to_start_with_a_retention_below_five_years():
    result = load_settings(AUDIT_RETENTION_DAYS="365")
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 1827" in result.stderr
    allowed = load_settings(AUDIT_RETENTION_DAYS="365", AUDIT_RETENTION_BELOW_FIVE_YEARS="true")
    assert allowed.returncode == 0, allowed.stderr


def test_it_prunes_only_entries_older_than_the_retention_and_records_it(aged, personas):
    stdout = StringIO()
    call_command("audit_prune", stdout=stdout)
    remaining = set(LogEntry.objects.values_list("pk", flat=True))
    assert aged[10].pk in remaining and aged[FIVE_YEARS - 1].pk in remaining
    assert aged[FIVE_YEARS + 1].pk not in remaining and aged[4000].pk not in remaining
    prune = AuditPrune.objects.get()
    assert (prune.deleted, prune.retention_days) == (2, FIVE_YEARS)
    assert "manage.py audit_prune" in prune.performed_by
    assert "Deleted 2 audit entries" in stdout.getvalue()
    # The pruning is itself in the trail, with what it did.
    recorded = LogEntry.objects.get_for_object(prune).get()
    assert recorded.action == LogEntry.Action.CREATE
    assert recorded.changes_dict["deleted"] == ["None", "2"]


def test_it_refuses_to_prune_with_a_retention_below_five_years(aged, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    settings.AUDIT_RETENTION_BELOW_FIVE_YEARS = False
    count = LogEntry.objects.count()
    with pytest.raises(CommandError, match="below five years"):
        call_command("audit_prune", stdout=StringIO())
    with pytest.raises(RetentionTooShort):
        audit_prune(performed_by="test", retention=Retention(days=0, below_five_years_allowed=True))
    assert LogEntry.objects.count() == count
    assert not AuditPrune.objects.exists()


def test_a_shorter_retention_needs_the_explicit_decision(aged, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    settings.AUDIT_RETENTION_BELOW_FIVE_YEARS = True
    call_command("audit_prune", stdout=StringIO())
    assert set(LogEntry.objects.filter(pk__in=[e.pk for e in aged.values()])) == {aged[10]}


@on_postgresql
def test_the_database_still_refuses_an_ordinary_delete_or_update(aged):
    table = LogEntry._meta.db_table
    for statement in (f"DELETE FROM {table}", f"UPDATE {table} SET object_repr = 'x'"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(statement)
    # Not even an UPDATE inside a pruning transaction.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_FLAG])
        cursor.execute(f"UPDATE {table} SET object_repr = 'x'")  # noqa: S608
    # The flag ends with the pruning's transaction.
    audit_prune(performed_by="test")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        connection.cursor().execute(f"DELETE FROM {table}")  # noqa: S608
    assert LogEntry.objects.filter(pk=aged[10].pk).exists()
