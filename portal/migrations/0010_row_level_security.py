"""Row-level security, part one: the functions the policies read the acting principal with.

Each app's own migration then protects its organisation-owned tables (``portal.rls``).
Nothing on databases other than PostgreSQL.
"""

from django.db import migrations

from portal.rls import FUNCTIONS, FUNCTIONS_REVERSE, PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_api_tokens_and_external_identities")]

    operations = [PostgreSQLOnly(FUNCTIONS, FUNCTIONS_REVERSE)]
