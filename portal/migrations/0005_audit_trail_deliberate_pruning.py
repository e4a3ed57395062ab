"""The append-only trigger lets one deliberate operation through: pruning by ``audit_prune``.

UPDATE stays refused. DELETE is refused unless the deleting transaction has set the session
variable ``portal.audit_prune`` to ``on`` (``SET LOCAL``, so it ends with the transaction),
which only ``portal.audit_retention.audit_prune`` does, and only for entries older than the
retention. An ordinary DELETE — from the ORM, a script or psql — is still refused.
"""

from django.db import migrations

TABLE = "auditlog_logentry"

PRUNABLE = """
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('portal.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
STRICT = """
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _on_postgresql(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_membership_source")]

    operations = [migrations.RunPython(_on_postgresql(PRUNABLE), _on_postgresql(STRICT))]
