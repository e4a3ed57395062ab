"""Row-level security on the audit trail: its entries are read as the portal reads them and
written only into the principal's own organisations (``portal.rls.audit_trail_policies``).

Entries record the organisation of the object they name from now on (``portal.audit``);
entries written before are read through their object. The append-only triggers stay: the
policies add that nothing updates an entry and only the system context deletes (pruning).
"""

from django.db import migrations

from portal.rls import audit_trail_policies

#: The organisation-owned tables whose objects the trail names, by content type: an entry is
#: read by whoever may read its object (the table's own policies decide).
OBJECTS = {
    ("risks", "asset"): "risks_asset",
    ("risks", "risk"): "risks_risk",
    ("risks", "treatmentaction"): "risks_treatmentaction",
    ("risks", "criticalfunction"): "risks_criticalfunction",
    ("risks", "riskmatrix"): "risks_riskmatrix",
    ("risks", "attacksurfaceprofile"): "risks_attacksurfaceprofile",
    ("capabilities", "maturityassessment"): "capabilities_maturityassessment",
    ("capabilities", "maturityentry"): "capabilities_maturityentry",
    ("initiatives", "regionalimplementation"): "initiatives_regionalimplementation",
    ("reports", "reportrun"): "reports_reportrun",
    ("reports", "narrativedraft"): "reports_narrativedraft",
}
#: Audited objects that belong to an organisation without a policy of their own (memberships:
#: who a region's people are): their entries written before organisations were recorded are
#: the sector administrators' alone.
NOT_SECTOR_DATA = [("portal", "membership")]


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0010_row_level_security"),
        ("auditlog", "0017_add_actor_email"),
        ("risks", "0007_row_level_security"),
        ("capabilities", "0004_row_level_security"),
        ("initiatives", "0004_row_level_security"),
        ("reports", "0003_row_level_security"),
    ]

    operations = [
        audit_trail_policies("auditlog_logentry", objects=OBJECTS, not_sector_data=NOT_SECTOR_DATA),
    ]
