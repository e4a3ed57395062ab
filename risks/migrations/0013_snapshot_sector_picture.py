"""The sector's risk picture (issue 16, item 3): what the quarterly snapshots also count — the
open risks per threat and per attack surface, the accepted risks above medium, the region's
shared systems and critical functions at risk (null in the snapshots taken before) — and the
TSI secretariat's right to read every region's snapshots, in the database as in
``RiskSnapshot.access_policy`` (``sector_read_roles``)."""

from django.db import migrations, models

from portal.rls import PostgreSQLOnly, drop_policies_sql, organisation_policies

REGION_ROLES = ("ciso", "risk_owner", "viewer")
TABLE = "risks_risksnapshot"


def replace(table: str, before: PostgreSQLOnly, after: PostgreSQLOnly) -> PostgreSQLOnly:
    drop = drop_policies_sql(table)
    return PostgreSQLOnly(drop + str(after.sql), drop + str(before.sql))


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0012_attack_surface_lower_bounds"),
        ("portal", "0012_row_level_security_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="risksnapshot",
            name="accepted_above_medium",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="risksnapshot",
            name="critical_functions_at_risk",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="risksnapshot",
            name="shared_systems_at_risk",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="risksnapshot",
            name="surface_counts",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="risksnapshot",
            name="threat_counts",
            field=models.JSONField(blank=True, null=True),
        ),
        replace(
            TABLE,
            organisation_policies(TABLE, read_roles=REGION_ROLES),
            organisation_policies(
                TABLE, read_roles=REGION_ROLES, sector_read_roles=("secretariat",)
            ),
        ),
    ]
