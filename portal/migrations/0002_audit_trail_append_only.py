"""The audit trail is append-only in the database itself, not only in the application.

On PostgreSQL (production) a trigger refuses UPDATE and DELETE on auditlog's entries. The
embedded SQLite demo relies on the application's guards alone: Django empties SQLite tables
with DELETE between tests, which such a trigger would refuse. The trigger also means a user who appears in the trail cannot be deleted (the actor reference would have
to be cleared): such accounts are deactivated instead.
"""

from django.db import migrations

TABLE = "auditlog_logentry"

POSTGRESQL_FORWARD = f"""
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_audit_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION portal_audit_append_only();
"""
POSTGRESQL_REVERSE = f"""
DROP TRIGGER IF EXISTS portal_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS portal_audit_append_only();
"""


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        if isinstance(statements, str):
            statements = [statements]
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD}),
            _run({"postgresql": POSTGRESQL_REVERSE}),
        )
    ]
