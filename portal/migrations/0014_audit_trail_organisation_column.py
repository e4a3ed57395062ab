"""The organisation an audit entry records, as a stored column of the trail on PostgreSQL.

``portal_audit_organisation(additional_data)`` reads it from the entry's JSON, which the
database may not test before the trail's row-level security policy (a JSON operator is not
leakproof), so a query for one region's entries ran the policy on every other region's entry
in its window too. A test of this generated column (an integer comparison, leakproof) runs
first and may use its index: ``portal.audit.trail.recording``. Nothing writes it; the SQLite
demo has no such column and tests the JSON instead.
"""

from django.db import migrations

from portal.rls import PostgreSQLOnly

FORWARDS = """
ALTER TABLE auditlog_logentry ADD COLUMN portal_organisation_id bigint
    GENERATED ALWAYS AS (portal_audit_organisation(additional_data)) STORED;
CREATE INDEX auditlog_logentry_portal_organisation
    ON auditlog_logentry (portal_organisation_id, timestamp);
"""
BACKWARDS = """
DROP INDEX IF EXISTS auditlog_logentry_portal_organisation;
ALTER TABLE auditlog_logentry DROP COLUMN IF EXISTS portal_organisation_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0013_preferences"),
        ("portal", "0011_audit_trail_row_level_security"),
    ]

    operations = [PostgreSQLOnly(FORWARDS, BACKWARDS)]
