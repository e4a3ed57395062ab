"""Row-level security on report runs and narrative drafts: a region's are read by its people,
the sector edition's (no organisation) by every role; the secretariat writes the sector's
(``portal.rls``)."""

from django.db import migrations

from portal.rls import organisation_policies

REGION_ROLES = ("ciso", "risk_owner", "viewer")
SECTOR = {
    "read_roles": REGION_ROLES,
    "sector_read_roles": ("secretariat", "ciso", "viewer", "risk_owner"),
    "sector_read_filter": "organisation_id IS NULL",
    "sector_edit_roles": ("secretariat",),
}


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_scheduled_runs"),
        ("portal", "0010_row_level_security"),
    ]

    operations = [
        organisation_policies("reports_reportrun", **SECTOR),
        organisation_policies("reports_narrativedraft", **SECTOR),
    ]
