"""The audit trail's changes of the sector's data (no organisation recorded) are read through
the object they name when its table has policies of its own: a sector edition only TSI reads
(the sector's risk picture) no longer shows its run's history — kind, period, requester — to
every signed-in user (``portal.rls._audit_read``)."""

from django.db import migrations

from portal.rls import audit_trail_read_policy


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0016_organisation_name_in_text"),
        ("reports", "0007_sector_risk_picture"),
    ]

    operations = [audit_trail_read_policy("auditlog_logentry")]
