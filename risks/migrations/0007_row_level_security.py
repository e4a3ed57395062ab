"""Row-level security on the registers: each table shows the principal what its model's
access policy does, and takes writes only into the principal's organisations (``portal.rls``).
"""

from django.db import migrations

from portal.rls import child_policies, organisation_policies

REGION_ROLES = ("ciso", "risk_owner", "viewer")

#: A shared system is read by the regions it is shared with …
ASSET_SHARED = (
    "EXISTS (SELECT 1 FROM risks_asset_shared_with shared"
    " WHERE shared.asset_id = risks_asset.id AND shared.organisation_id = ANY ({readable}))"
)
#: … and so are the risks on it (``Risk.access_policy``: ``assets__shared_with``).
RISK_SHARED = (
    "EXISTS (SELECT 1 FROM risks_risk_assets affected"
    " JOIN risks_asset_shared_with shared ON shared.asset_id = affected.asset_id"
    " WHERE affected.risk_id = risks_risk.id AND shared.organisation_id = ANY ({readable}))"
)

#: … and the matrices of the regions whose risks they see that way (the risks' levels).
MATRIX_SHARED = (
    "EXISTS (SELECT 1 FROM risks_risk risk"
    " JOIN risks_risk_assets affected ON affected.risk_id = risk.id"
    " JOIN risks_asset_shared_with shared ON shared.asset_id = affected.asset_id"
    " WHERE risk.organisation_id = risks_riskmatrix.organisation_id"
    " AND shared.organisation_id = ANY ({readable}))"
)


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0006_import_job"),
        ("portal", "0010_row_level_security"),
    ]

    operations = [
        organisation_policies("risks_asset", read_roles=REGION_ROLES, shared=ASSET_SHARED),
        organisation_policies("risks_risk", read_roles=REGION_ROLES, shared=RISK_SHARED),
        child_policies("risks_treatmentaction", column="risk_id", parent_table="risks_risk"),
        organisation_policies("risks_criticalfunction", read_roles=REGION_ROLES),
        organisation_policies("risks_riskmatrix", read_roles=REGION_ROLES, shared=MATRIX_SHARED),
        organisation_policies("risks_attacksurfaceprofile", read_roles=REGION_ROLES),
        organisation_policies("risks_risksnapshot", read_roles=REGION_ROLES),
        organisation_policies("risks_importjob", read_roles=REGION_ROLES),
    ]
