"""Row-level security on the incident register (``portal.rls``): an incident is read by its
region's readers and written only inside the principal's organisations; a submission is seen
with its incident. The audit trail's policy reads the entries of both through their objects,
so its function learns their tables (``portal`` migration 0011 listed the others)."""

from django.db import migrations

from portal.rls import (
    PostgreSQLOnly,
    _object_readable_function,
    child_policies,
    organisation_policies,
)

REGION_ROLES = ("ciso", "risk_owner", "viewer")

#: ``portal`` migration 0011's organisation-owned tables whose objects the trail names.
AUDITED_BEFORE = {
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
AUDITED = {
    **AUDITED_BEFORE,
    ("incidents", "incident"): "incidents_incident",
    ("incidents", "incidentsubmission"): "incidents_incidentsubmission",
}
NOT_SECTOR_DATA = [("portal", "membership")]


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("portal", "0012_row_level_security_settings"),
    ]

    operations = [
        organisation_policies("incidents_incident", read_roles=REGION_ROLES),
        child_policies(
            "incidents_incidentsubmission", column="incident_id", parent_table="incidents_incident"
        ),
        PostgreSQLOnly(
            _object_readable_function(AUDITED, NOT_SECTOR_DATA),
            _object_readable_function(AUDITED_BEFORE, NOT_SECTOR_DATA),
        ),
    ]
