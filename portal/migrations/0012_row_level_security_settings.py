"""Row-level security: the principal's organisations read without a query of their own
(``portal.rls.FUNCTIONS_FAST``), as every policy does once or twice in every query."""

from django.db import migrations

from portal.rls import FUNCTIONS, FUNCTIONS_FAST, PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("portal", "0011_audit_trail_row_level_security")]

    operations = [PostgreSQLOnly(FUNCTIONS_FAST, FUNCTIONS)]
