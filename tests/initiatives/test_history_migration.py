"""``initiatives`` migration 0007 starts the history the reports of past periods read: one
record of each implementation row's status and note and of each group's topics as they are
today, dated from the row's last change. Run on the test database itself: back to 0006, rows
written as the old schema has them, forward again (on PostgreSQL under the records' forced
row-level security, which the migration's system context must pass)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("initiatives", "0006_objectives_confirmed")
AFTER = ("initiatives", "0007_period_true_history")
CHANGED = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
UNTOUCHED = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)


def _migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def _latest() -> tuple[str, str]:
    (leaf,) = MigrationExecutor(connection).loader.graph.leaf_nodes("initiatives")
    return leaf


def test_the_migration_records_todays_state_dated_from_each_rows_last_change():
    region = OrganisationFactory(kind="region")
    latest = _latest()
    try:
        old = _migrate(BEFORE)
        strategy = old.get_model("initiatives", "Strategy").objects.create(
            slug="2023-2025", title_da="Strategi", start_year=2023, end_year=2025
        )
        discipline = old.get_model("capabilities", "Discipline").objects.first()
        if discipline is None:
            discipline = old.get_model("capabilities", "Discipline").objects.create(
                code="forudse", name_da="Forudse", name_en="Anticipate", order=1
            )
        initiative = old.get_model("initiatives", "Initiative").objects.create(
            strategy=strategy, number="2.7", title_da="Logning", discipline=discipline
        )
        implementation_model = old.get_model("initiatives", "RegionalImplementation")
        row = implementation_model.objects.create(
            initiative=initiative, organisation_id=region.pk, status="in_progress", note="Pilot"
        )
        implementation_model.objects.filter(pk=row.pk).update(updated_at=CHANGED)
        group_model = old.get_model("initiatives", "WorkingGroup")
        group = group_model.objects.create(slug="jura", name_da="Jura", topics="GDPR\nNIS2")
        quiet = group_model.objects.create(slug="tom", name_da="Tom")
        group_model.objects.filter(pk=group.pk).update(updated_at=CHANGED)
        group_model.objects.filter(pk=quiet.pk).update(updated_at=UNTOUCHED)

        new = _migrate(AFTER)
        records = new.get_model("initiatives", "ImplementationRecord").objects.values_list(
            "implementation_id", "status", "note", "recorded_at"
        )
        assert list(records) == [(row.pk, "in_progress", "Pilot", CHANGED)]
        topics = new.get_model("initiatives", "WorkingGroupTopics").objects.order_by("group_id")
        assert list(topics.values_list("group_id", "topics", "recorded_at")) == [
            (group.pk, "GDPR\nNIS2", CHANGED),
            (quiet.pk, "", UNTOUCHED),
        ]
    finally:
        _migrate(latest)
