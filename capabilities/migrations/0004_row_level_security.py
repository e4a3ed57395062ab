"""Row-level security on maturity campaigns: a region's own, and approved ones within TSI
(its CISOs and the secretariat), as ``MaturityAssessment.access_policy`` (``portal.rls``)."""

from django.db import migrations

from portal.rls import child_policies, organisation_policies


class Migration(migrations.Migration):
    dependencies = [
        ("capabilities", "0003_maturity"),
        ("portal", "0010_row_level_security"),
    ]

    operations = [
        organisation_policies(
            "capabilities_maturityassessment",
            read_roles=("ciso", "risk_owner", "viewer"),
            sector_read_roles=("ciso", "secretariat"),
            sector_read_filter="status = 'approved'",
        ),
        child_policies(
            "capabilities_maturityentry",
            column="assessment_id",
            parent_table="capabilities_maturityassessment",
        ),
    ]
