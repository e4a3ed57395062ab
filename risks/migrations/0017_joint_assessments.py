"""Joint assessments of shared systems ("fælles vurdering", issue 16, item 4).

* ``Risk.joint``: a risk on a shared system that every region sharing the system edits; its
  own organisation leads. On PostgreSQL the risks' update policy takes, besides writes inside
  the principal's organisations, a joint risk on a system shared with one of them — before and
  after the change (``portal.rls.joint_update_policy``); adding and deleting are unchanged, and
  a risk that is not joint stays read-only to the sharing regions.
* ``JointRiskOwner``: the risk owners a sharing region names on a joint risk — the naming
  region's own rows (``organisation_policies``), in the audit trail, whose policy learns the
  table.
* The audit trail takes the entry of a joint risk's change made for a sharing region, which
  records that region (``portal.rls.audit_acting_insert_policy``).
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from portal.rls import (
    PostgreSQLOnly,
    _object_readable_function,
    audit_acting_insert_policy,
    joint_update_policy,
    organisation_policies,
)

REGION_ROLES = ("ciso", "risk_owner", "viewer")
OWNERS = "risks_jointriskowner"

#: A joint risk on a system shared with one of the principal's organisations.
RISK_JOINT = (
    "risks_risk.joint AND EXISTS (SELECT 1 FROM risks_risk_assets affected"
    " JOIN risks_asset_shared_with shared ON shared.asset_id = affected.asset_id"
    " WHERE affected.risk_id = risks_risk.id AND shared.organisation_id = ANY ({members}))"
)

_BEFORE = importlib.import_module("risks.migrations.0015_acceptance_criteria")
AUDITED = {**_BEFORE.AUDITED, ("risks", "jointriskowner"): OWNERS}
NOT_SECTOR_DATA = _BEFORE._FIRST.NOT_SECTOR_DATA


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0014_audit_trail_organisation_column"),
        ("risks", "0016_consequence_dimensions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="risk",
            name="joint",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Every region that shares the system edits the risk: its CISO and the risk owners it names. The risk's own region leads.",
                verbose_name="joint assessment",
            ),
        ),
        migrations.CreateModel(
            name="JointRiskOwner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.organisation",
                        verbose_name="region",
                    ),
                ),
                (
                    "risk",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="joint_owners",
                        to="risks.risk",
                        verbose_name="risk",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="risk owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "named risk owner of a joint risk",
                "verbose_name_plural": "named risk owners of joint risks",
                "ordering": ["risk", "organisation", "user"],
                "indexes": [
                    models.Index(
                        fields=["user", "organisation"], name="risks_joint_user_id_ece1ec_idx"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("risk", "organisation", "user"), name="joint_risk_owner_unique"
                    )
                ],
            },
        ),
        organisation_policies(OWNERS, read_roles=REGION_ROLES),
        joint_update_policy("risks_risk", joint=RISK_JOINT),
        PostgreSQLOnly(
            _object_readable_function(AUDITED, NOT_SECTOR_DATA),
            _object_readable_function(_BEFORE.AUDITED, NOT_SECTOR_DATA),
        ),
        audit_acting_insert_policy("auditlog_logentry"),
    ]
