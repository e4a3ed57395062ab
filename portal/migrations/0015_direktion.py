"""The region's management, "direktion", becomes a region role (``portal.access.roles``).

On PostgreSQL the row-level security function that gives a policy the principal's
organisations is installed again (``portal.rls.FUNCTIONS_REGION_ROLES``): the policies
written before this role existed name the region's roles as ``{ciso,risk_owner,viewer}``, and
that list now includes the direktion's organisations, as ``REGION_ROLES`` does in Python."""

from django.db import migrations, models

from portal.rls import FUNCTIONS_FAST, FUNCTIONS_REGION_ROLES, PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("portal", "0014_audit_trail_organisation_column")]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[
                    ("sector_admin", "Sector administrator"),
                    ("secretariat", "TSI secretariat"),
                    ("ciso", "CISO"),
                    ("risk_owner", "Risk owner"),
                    ("viewer", "Viewer"),
                    ("direktion", "Direktion"),
                ],
                max_length=20,
                verbose_name="role",
            ),
        ),
        PostgreSQLOnly(FUNCTIONS_REGION_ROLES, FUNCTIONS_FAST),
    ]
