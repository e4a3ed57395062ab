"""The audit trail is kept five years; only ``audit_prune`` deletes older entries, and it
records itself. On PostgreSQL the trigger refuses every other UPDATE, DELETE and TRUNCATE:
only a member of the pruning role deletes, and nothing the application's role can set
changes that."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal import rls
from portal.audit.retention import (
    PRUNE_DATABASE,
    PRUNING_ROLE,
    NotAPruningRole,
    Retention,
    RetentionTooShort,
    audit_prune,
    prune_database,
    pruning_role_sql,
)
from portal.models import AuditPrune, Organisation
from tests.portal.test_settings import ROOT, load_settings

FIVE_YEARS = 5 * 365 + 2

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger and database roles exist on PostgreSQL only",
)
TABLE = LogEntry._meta.db_table
#: The application's role in a deployment: reads and writes its tables, owns none, is no
#: superuser. (The tests connect as the superuser postgres, which passes every trigger.)
APP_ROLE = "portal_test_app"


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


def test_it_prunes_through_its_own_database_connection_when_configured(settings):
    assert prune_database() == "default"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "from portal.audit.retention import prune_database; "
            "print(prune_database(), settings.DATABASES['audit_prune']['USER'])",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "AUDIT_PRUNE_DATABASE_URL": "postgres://pruner:secret@db:5432/portal",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [PRUNE_DATABASE, "pruner"]


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    """The rest of the block as ``role``, as if the connection had signed in as it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def create_app_role() -> str:
    """A non-superuser role with every right on the trail's table a grant can give, TRUNCATE
    included — so that it is the trigger, not a missing grant, that refuses. Created in the
    test's transaction, so it goes with it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON {TABLE} TO {APP_ROLE}")
        cursor.execute(f"GRANT SELECT, INSERT ON {AuditPrune._meta.db_table} TO {APP_ROLE}")
        # A TRUNCATE in a transaction with deferred foreign-key checks still pending is
        # refused for that reason alone; check them now, as a fresh transaction would have.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return APP_ROLE


@pytest.fixture
def app_role(aged) -> str:
    return create_app_role()


def refused(statement: str, *, setting: bool = False) -> None:
    # In the system context row-level security lets every entry through: the trigger decides.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        rls.system_context("test: past row-level security, to the trigger"),
        connection.cursor() as cursor,
    ):
        if setting:  # what the application's role could do before: set the flag itself
            cursor.execute("SET LOCAL portal.audit_prune = 'on'")
        cursor.execute(statement)


@on_postgresql
def test_the_app_role_can_neither_delete_nor_truncate_nor_change_entries(aged, app_role):
    with acting_as(app_role):
        for statement in (
            f"DELETE FROM {TABLE}",  # noqa: S608
            f"UPDATE {TABLE} SET object_repr = 'x'",  # noqa: S608
            f"TRUNCATE {TABLE}",
        ):
            refused(statement)
            refused(statement, setting=True)  # the session setting no longer opens anything
        with pytest.raises(NotAPruningRole, match=APP_ROLE):
            audit_prune(performed_by="test")
    assert LogEntry.objects.filter(pk__in=[entry.pk for entry in aged.values()]).count() == 4
    assert not AuditPrune.objects.exists()


@on_postgresql
def test_a_member_of_the_pruning_role_prunes_old_entries_and_nothing_else(aged):
    with connection.cursor() as cursor:
        for statement in pruning_role_sql():  # what manage.py audit_pruner_role prints
            cursor.execute(statement)
        cursor.execute(f"CREATE ROLE portal_test_pruner NOLOGIN IN ROLE {PRUNING_ROLE}")
    with acting_as("portal_test_pruner"):
        prune = audit_prune(performed_by="test")
        for statement in (f"UPDATE {TABLE} SET object_repr = 'x'", f"TRUNCATE {TABLE}"):  # noqa: S608
            with (
                pytest.raises(DatabaseError),
                transaction.atomic(),
                rls.system_context("test: past row-level security, to the trigger"),
            ):
                connection.cursor().execute(statement)
    assert prune.deleted == 2
    remaining = set(LogEntry.objects.values_list("pk", flat=True))
    assert {aged[10].pk, aged[FIVE_YEARS - 1].pk} <= remaining
    assert not {aged[FIVE_YEARS + 1].pk, aged[4000].pk} & remaining


def test_the_pruning_role_command_prints_its_statements():
    out = StringIO()
    call_command("audit_pruner_role", stdout=out)
    printed = out.getvalue()
    assert f"CREATE ROLE {PRUNING_ROLE} NOLOGIN" in printed.replace('"', "")
    assert f"DELETE ON {TABLE}".replace('"', "") in printed.replace('"', "")
    assert "TRUNCATE" not in printed and "UPDATE" not in printed
