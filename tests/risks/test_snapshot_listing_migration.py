"""``risks`` migration 0014 moves each snapshot's lists (``RiskSnapshot.listing``) into their
own table, ``RiskSnapshotListing``, with the snapshot's organisation — and going back puts
them back. Run on the test database itself: back to 0013, rows written as the old schema
has them, forward again (on PostgreSQL under the tables' forced row-level security, which
the migration's system context must pass)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("risks", "0013_snapshot_sector_picture")
AFTER = ("risks", "0014_snapshot_listing")
LISTING = {
    "quarter": "2026-Q1",
    "top": [{"id": 7, "title": "Ransomware i laboratoriet", "owner": "Mette Ejer"}],
    "accepted": [],
    "closed": [],
    "overdue_reviews": 2,
}


def _migrate(target: tuple[str, str]):
    """Migrate the risks app to ``target``; the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def _latest() -> tuple[str, str]:
    (leaf,) = MigrationExecutor(connection).loader.graph.leaf_nodes("risks")
    return leaf


def test_the_migration_moves_each_listing_into_its_own_table_and_back():
    region_a, region_b = OrganisationFactory(), OrganisationFactory()
    latest = _latest()
    try:
        old = _migrate(BEFORE).get_model("risks", "RiskSnapshot")
        listed = old.objects.create(organisation_id=region_b.pk, period="2026-Q1", listing=LISTING)
        old.objects.create(organisation_id=region_a.pk, period="2026-Q1", listing=None)
        old.objects.create(organisation_id=region_b.pk, period="2025-Q4", residual_high=3)

        new = _migrate(AFTER)
        listing_model = new.get_model("risks", "RiskSnapshotListing")
        rows = list(listing_model.objects.values("snapshot_id", "organisation_id", "listing"))
        assert rows == [
            {"snapshot_id": listed.pk, "organisation_id": region_b.pk, "listing": LISTING}
        ]
        snapshot_fields = {f.name for f in new.get_model("risks", "RiskSnapshot")._meta.fields}
        assert "listing" not in snapshot_fields
        assert new.get_model("risks", "RiskSnapshot").objects.count() == 3

        # Going back copies the lists back into the snapshots.
        old = _migrate(BEFORE).get_model("risks", "RiskSnapshot")
        back = dict(old.objects.values_list("pk", "listing"))
        assert back[listed.pk] == LISTING
        assert sum(1 for listing in back.values() if listing is not None) == 1
    finally:
        _migrate(latest)
