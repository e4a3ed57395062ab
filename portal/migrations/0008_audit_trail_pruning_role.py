"""Pruning needs its own database role, and TRUNCATE is refused too.

Until now the trigger let a DELETE through when the transaction had set
``portal.audit_prune`` — a setting any role may set, the application's own included. Now a
DELETE passes only when the acting role (``current_user``) is a member of
``portal_audit_pruner``, a role the application's role is not given (docs/operations.md:
``manage.py audit_pruner_role`` prints the statements that create it); ``manage.py
audit_prune`` connects through ``AUDIT_PRUNE_DATABASE_URL`` as a member. UPDATE stays refused
for everyone. A statement trigger refuses TRUNCATE, which row triggers do not see.

Superusers pass both: they could disable the triggers anyway, and Django's test runner
empties tables with TRUNCATE. The application must therefore never connect as a superuser.
"""

from django.db import migrations

TABLE = "auditlog_logentry"
PRUNING_ROLE = "portal_audit_pruner"

_IS_SUPERUSER = "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"

FORWARD = f"""
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND (
        {_IS_SUPERUSER}
        OR (
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PRUNING_ROLE}')
            AND pg_has_role(current_user, '{PRUNING_ROLE}', 'MEMBER')
        )
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION portal_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF {_IS_SUPERUSER} THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS portal_audit_no_truncate ON {TABLE};
CREATE TRIGGER portal_audit_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_no_truncate();
"""  # noqa: S608 (constants only)

#: Back to 0005: DELETE passes with the session setting; TRUNCATE is not covered.
REVERSE = f"""
DROP TRIGGER IF EXISTS portal_audit_no_truncate ON {TABLE};
DROP FUNCTION IF EXISTS portal_audit_no_truncate();
CREATE OR REPLACE FUNCTION portal_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('portal.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
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
    dependencies = [("portal", "0007_audit_read")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(REVERSE))]
