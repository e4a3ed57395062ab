"""Row-level security on the registers, cheaper to plan and to run, with the same rows.

* Treatment actions read their own organisation first. The database keeps each action's
  organisation its risk's (a foreign key on both, following a risk that moves), so the policy
  shows the actions of the principal's regions without a look at each risk, and for the others
  asks the risk policy's own rule for shared systems of the action's risk, without the risk's
  row (``portal.rls.child_policies``). The write rule is unchanged.
* What a region sees of another region's shared systems (assets, the risks on them, those
  regions' matrices) is asked only when a system is shared with the principal's regions at
  all (``portal_risks_shares``, once per query).
"""

import django.db.models.deletion
from django.db import migrations, models

from portal.rls import (
    PostgreSQLOnly,
    child_policies,
    drop_policies_sql,
    organisation_policies,
    parent_organisation_sql,
)

REGION_ROLES = ("ciso", "risk_owner", "viewer")
ACTIONS = "risks_treatmentaction"
PARENT = {"column": "risk_id", "parent_table": "risks_risk"}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION portal_risks_shares(readable bigint[]) RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER AS $$
    SELECT EXISTS (SELECT 1 FROM risks_asset_shared_with shared
                    WHERE shared.organisation_id = ANY (readable))
$$;
CREATE OR REPLACE FUNCTION portal_risks_matrix_shared(organisation bigint, readable bigint[])
RETURNS boolean LANGUAGE sql STABLE SECURITY INVOKER AS $$
    SELECT EXISTS (SELECT 1 FROM risks_risk risk
                     JOIN risks_risk_assets affected ON affected.risk_id = risk.id
                     JOIN risks_asset_shared_with shared ON shared.asset_id = affected.asset_id
                    WHERE risk.organisation_id = organisation
                      AND shared.organisation_id = ANY (readable))
$$;
"""
FUNCTIONS_REVERSE = """
DROP FUNCTION IF EXISTS portal_risks_shares(bigint[]);
DROP FUNCTION IF EXISTS portal_risks_matrix_shared(bigint, bigint[]);
"""

#: ``0007``'s rules for what a region sees of another region's shared systems.
ASSET_SHARED_BEFORE = (
    "EXISTS (SELECT 1 FROM risks_asset_shared_with shared"
    " WHERE shared.asset_id = risks_asset.id AND shared.organisation_id = ANY ({readable}))"
)
RISK_SHARED_BEFORE = (
    "EXISTS (SELECT 1 FROM risks_risk_assets affected"
    " JOIN risks_asset_shared_with shared ON shared.asset_id = affected.asset_id"
    " WHERE affected.risk_id = risks_risk.id AND shared.organisation_id = ANY ({readable}))"
)
MATRIX_SHARED_BEFORE = (
    "EXISTS (SELECT 1 FROM risks_risk risk"
    " JOIN risks_risk_assets affected ON affected.risk_id = risk.id"
    " JOIN risks_asset_shared_with shared ON shared.asset_id = affected.asset_id"
    " WHERE risk.organisation_id = risks_riskmatrix.organisation_id"
    " AND shared.organisation_id = ANY ({readable}))"
)
#: ``RISK_SHARED_BEFORE`` said of an action's risk: the risk policy's rule for another
#: region's risk, without the risk's row (and its policy) in every query on the actions.
ACTION_RISK_SHARED = (
    "EXISTS (SELECT 1 FROM risks_risk_assets affected"
    " JOIN risks_asset_shared_with shared ON shared.asset_id = affected.asset_id"
    " WHERE affected.risk_id = risks_treatmentaction.risk_id"
    " AND shared.organisation_id = ANY ({readable}))"
)
#: A system is shared with one of the principal's regions: without one, none of those rules
#: can hold (each names such a row), and none is asked. The assets' and risks' stay
#: subqueries in the policy (where they are asked of many rows, PostgreSQL hashes them once);
#: the matrices' — a join of three tables, asked of a handful of rows — is a function, which
#: the planner does not plan into every query on the matrices.
SHARES = "(SELECT portal_risks_shares({readable}))"
ASSET_SHARED = f"({SHARES} AND {ASSET_SHARED_BEFORE})"
RISK_SHARED = f"({SHARES} AND {RISK_SHARED_BEFORE})"
MATRIX_SHARED = (
    f"({SHARES} AND portal_risks_matrix_shared(risks_riskmatrix.organisation_id, {{readable}}))"
)


def replace(table: str, before: PostgreSQLOnly, after: PostgreSQLOnly) -> PostgreSQLOnly:
    drop = drop_policies_sql(table)
    return PostgreSQLOnly(drop + str(after.sql), drop + str(before.sql))


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0010_treatment_action_organisation"),
        ("portal", "0012_row_level_security_settings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="treatmentaction",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.organisation",
                verbose_name="organisation",
            ),
        ),
        parent_organisation_sql(ACTIONS, **PARENT),
        PostgreSQLOnly(FUNCTIONS, FUNCTIONS_REVERSE),
        replace(
            "risks_asset",
            organisation_policies(
                "risks_asset", read_roles=REGION_ROLES, shared=ASSET_SHARED_BEFORE
            ),
            organisation_policies("risks_asset", read_roles=REGION_ROLES, shared=ASSET_SHARED),
        ),
        replace(
            "risks_risk",
            organisation_policies("risks_risk", read_roles=REGION_ROLES, shared=RISK_SHARED_BEFORE),
            organisation_policies("risks_risk", read_roles=REGION_ROLES, shared=RISK_SHARED),
        ),
        replace(
            "risks_riskmatrix",
            organisation_policies(
                "risks_riskmatrix", read_roles=REGION_ROLES, shared=MATRIX_SHARED_BEFORE
            ),
            organisation_policies(
                "risks_riskmatrix", read_roles=REGION_ROLES, shared=MATRIX_SHARED
            ),
        ),
        replace(
            ACTIONS,
            child_policies(ACTIONS, **PARENT),
            child_policies(
                ACTIONS,
                **PARENT,
                own_column="organisation_id",
                elsewhere=SHARES,
                parent_shown=ACTION_RISK_SHARED,
            ),
        ),
    ]
