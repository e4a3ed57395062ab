"""The sector's risk picture as a report kind (issue 16, item 3), for TSI alone: on
PostgreSQL the report runs' and narrative drafts' read policies stop giving the region roles
the sector's editions of that kind — the TSI secretariat reads them, as it reads the picture
itself (``risks.view_sector_picture``), in the database as in the models' access policies
(``named_reads``). The sector's other editions stay readable by every region role."""

from django.db import migrations, models

from portal.rls import PostgreSQLOnly, drop_policies_sql, organisation_policies

#: The region roles as ``reports.0003`` named them (the database's functions read the three
#: as every region role, the direktion too) and as a policy names them since.
REGION_ROLES_BEFORE = ("ciso", "risk_owner", "viewer")
REGION_ROLES = ("ciso", "risk_owner", "viewer", "direktion")
TSI_ONLY = "kind IN ('sector_risk_picture')"

BEFORE = {
    "read_roles": REGION_ROLES_BEFORE,
    "sector_read_roles": ("secretariat", "ciso", "viewer", "risk_owner"),
    "sector_read_filter": "organisation_id IS NULL",
    "sector_edit_roles": ("secretariat",),
}
AFTER = {
    "read_roles": REGION_ROLES,
    "sector_read_roles": ("secretariat", *REGION_ROLES),
    "sector_read_filter": f"organisation_id IS NULL AND NOT ({TSI_ONLY})",
    # ``risks.view_sector_picture``: the sector administrators (every row already) and the
    # TSI secretariat.
    "role_reads": ((("secretariat",), f"organisation_id IS NULL AND {TSI_ONLY}"),),
    "sector_edit_roles": ("secretariat",),
}
KINDS = [
    ("council_appendix", "Status appendix to the regional councils"),
    ("ciso_quarterly", "CISO's quarterly risk report"),
    ("tsi_portfolio", "TSI portfolio report"),
    ("sector_risk_picture", "Sector risk picture"),
]


def replace(table: str) -> PostgreSQLOnly:
    drop = drop_policies_sql(table)
    before = organisation_policies(table, **BEFORE)  # type: ignore[arg-type]
    after = organisation_policies(table, **AFTER)  # type: ignore[arg-type]
    return PostgreSQLOnly(drop + str(after.sql), drop + str(before.sql))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_narrative_focus_sections"),
        ("portal", "0015_direktion"),
    ]

    operations = [
        migrations.AlterField(
            model_name="narrativedraft",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="reportrun",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=20, verbose_name="kind"),
        ),
        replace("reports_reportrun"),
        replace("reports_narrativedraft"),
    ]
