"""A snapshot's lists (the quarterly risk report's ten highest risks with their owners, the
quarter's acceptances and closures) move out of ``RiskSnapshot`` into their own table,
``RiskSnapshotListing``, which only the region reads — the principals that read the snapshots
before ``0013`` let the TSI secretariat read every region's (for the sector's risk picture,
which shows counts only).

On PostgreSQL the new table is behind row-level security like the snapshots were before
``0013`` (the region's roles; the sector administrator and the system context read
everything), and a foreign key on (snapshot, organisation) keeps each row's organisation its
snapshot's. The lists are copied in the system context (the tables' policies are forced on
their owner too), then the snapshots' column is dropped. Going back copies them back.
"""

import django.db.models.deletion
from django.db import migrations, models

from portal.rls import organisation_policies, parent_organisation_sql, system_context

REGION_ROLES = ("ciso", "risk_owner", "viewer")
TABLE = "risks_risksnapshotlisting"


def copy_listings(apps, schema_editor) -> None:
    """Each snapshot's listing into a ``RiskSnapshotListing`` of the same organisation."""
    snapshot_model = apps.get_model("risks", "RiskSnapshot")
    listing_model = apps.get_model("risks", "RiskSnapshotListing")
    alias = schema_editor.connection.alias
    with system_context("risk snapshots: the lists move to their own table", using=alias):
        rows = (
            snapshot_model.objects.using(alias)
            .exclude(listing__isnull=True)
            .values_list("pk", "organisation_id", "listing")
            .order_by("pk")
        )
        listing_model.objects.using(alias).bulk_create(
            [
                listing_model(snapshot_id=pk, organisation_id=organisation, listing=listing)
                for pk, organisation, listing in rows.iterator()
                if listing is not None  # a JSON null
            ],
            batch_size=500,
        )
    if schema_editor.connection.vendor == "postgresql":
        # The new rows' foreign keys checked now, not at the commit: the snapshots' table is
        # altered next, which PostgreSQL refuses while checks on it are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def copy_listings_back(apps, schema_editor) -> None:
    snapshot_model = apps.get_model("risks", "RiskSnapshot")
    listing_model = apps.get_model("risks", "RiskSnapshotListing")
    alias = schema_editor.connection.alias
    with system_context("risk snapshots: the lists move back to the snapshots", using=alias):
        for pk, listing in listing_model.objects.using(alias).values_list("snapshot_id", "listing"):
            snapshot_model.objects.using(alias).filter(pk=pk).update(listing=listing)


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0013_snapshot_sector_picture"),
        ("portal", "0012_row_level_security_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="RiskSnapshotListing",
            fields=[
                (
                    "snapshot",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="listing_record",
                        serialize=False,
                        to="risks.risksnapshot",
                    ),
                ),
                ("listing", models.JSONField()),
                (
                    "organisation",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portal.organisation",
                    ),
                ),
            ],
        ),
        parent_organisation_sql(TABLE, column="snapshot_id", parent_table="risks_risksnapshot"),
        organisation_policies(TABLE, read_roles=REGION_ROLES),
        migrations.RunPython(copy_listings, copy_listings_back),
        migrations.RemoveField(
            model_name="risksnapshot",
            name="listing",
        ),
    ]
