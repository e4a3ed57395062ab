"""Row-level security of joint assessments (issue 16, item 4): on PostgreSQL the regions
sharing a system write a joint risk on it — and only a joint one; a third region neither sees
nor writes it; each region's named risk owners are its own rows; and the audit trail takes a
sharing region's change, recorded with that region."""

# ruff: noqa: F811 (the fixtures of test_rls, used by name)
import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction

from portal import rls
from portal.access.roles import Role
from risks.models import JointRiskOwner, Risk
from risks.services import risk_update
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.security.test_rls import _refused, app_role, granted, sector  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-level security is PostgreSQL's; the SQLite demo has the ORM's layer only",
    ),
]


@pytest.fixture
def ciso_c(granted):
    region = OrganisationFactory(slug="region-c", name_da="Region C")
    user = UserFactory(username="ciso.c")
    MembershipFactory(user=user, organisation=region, role=Role.CISO)
    return user


def _update(risk: Risk, **values) -> int:
    with transaction.atomic():
        return Risk.objects.filter(pk=risk.pk).update(**values)


def test_a_sharing_region_writes_a_joint_risk_and_only_a_joint_one(sector, personas):
    joint, shared = sector.joint_risk, sector.shared_risk
    with app_role(), rls.principal_context(personas.ciso_a):
        assert _update(joint, description="Region A's view") == 1
        assert _update(shared, description="Region A's view") == 0  # read-only, as before
        # It cannot end the joint assessment (the lead's trigger; the row would leave its
        # reach as well) …
        with _refused("only the leading organisation"), transaction.atomic():
            Risk.objects.filter(pk=joint.pk).update(joint=False)
        # … nor delete the risk, nor add one to the lead region.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM risks_risk WHERE id = %s", [joint.pk])
            assert cursor.rowcount == 0
        with _refused(), transaction.atomic():
            Risk.objects.create(
                organisation=personas.region_b,
                title="Indsmuglet",
                threat=joint.threat,
                attack_surface="digital",
                inherent_likelihood=1,
                inherent_consequence=1,
                residual_likelihood=1,
                residual_consequence=1,
            )
    joint.refresh_from_db()
    shared.refresh_from_db()
    assert joint.description == "Region A's view"
    assert shared.description == ""


@pytest.mark.parametrize(
    "takeover",
    [
        {"organisation_id": "region_a"},
        {"organisation_id": "region_a", "joint": False},
    ],
    ids=["lead moved", "lead moved and joint ended"],
)
def test_a_sharing_region_never_takes_a_joint_risk_over(sector, personas, takeover):
    """The update policy sees only the new row — a risk of the sharing region's own, not
    joint, would pass it; the lead's trigger refuses the change of lead."""
    joint = sector.joint_risk
    values = {
        key: getattr(personas, value).pk if key == "organisation_id" else value
        for key, value in takeover.items()
    }
    with (
        app_role(),
        rls.principal_context(personas.ciso_a),
        _refused("only the leading organisation"),
        transaction.atomic(),
    ):
        Risk.objects.filter(pk=joint.pk).update(**values)
    joint.refresh_from_db()
    assert (joint.organisation_id, joint.joint) == (personas.region_b.pk, True)


def test_the_lead_ends_the_joint_assessment(sector, personas):
    joint = sector.joint_risk
    with app_role(), rls.principal_context(personas.ciso_b):
        assert _update(joint, joint=False) == 1
    joint.refresh_from_db()
    assert joint.joint is False


def test_a_third_region_neither_sees_nor_writes_a_joint_risk(sector, personas, ciso_c):
    joint = sector.joint_risk
    with app_role(), rls.principal_context(ciso_c):
        assert not Risk.objects.filter(pk=joint.pk).exists()
        assert _update(joint, description="Region C") == 0
        assert not JointRiskOwner.objects.exists()
        assert not LogEntry.objects.get_for_object(joint).exists()
    joint.refresh_from_db()
    assert joint.description == ""


def test_a_sharing_region_s_change_is_audited_with_its_region(sector, personas):
    joint = sector.joint_risk
    with app_role(), rls.principal_context(personas.ciso_a):
        risk = Risk.objects.get(pk=joint.pk)
        risk_update(risk=risk, user=personas.ciso_a, values={"description": "Vurderet af A"})
        entry = LogEntry.objects.get_for_object(risk).order_by("-pk").first()
        assert entry.additional_data == {
            "organisation": personas.region_b.pk,
            "acting_organisation": personas.region_a.pk,
        }
        # An entry naming another region as the one acting is refused.
        with _refused(), transaction.atomic():
            LogEntry.objects.create(
                content_type=entry.content_type,
                object_pk=str(joint.pk),
                object_id=joint.pk,
                object_repr="Indsmuglet",
                action=LogEntry.Action.UPDATE,
                changes={},
                additional_data={
                    "organisation": personas.region_b.pk,
                    "acting_organisation": personas.region_b.pk,
                },
            )
    with app_role(), rls.principal_context(personas.viewer_b):  # the lead reads it
        assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_named_risk_owners_are_the_naming_region_s_own_rows(sector, personas, ciso_c):
    joint = sector.joint_risk
    with app_role():
        with rls.principal_context(personas.viewer_a):
            assert JointRiskOwner.objects.filter(risk=joint).count() == 1
        with rls.principal_context(personas.ciso_b):
            assert not JointRiskOwner.objects.filter(risk=joint).exists()
            with _refused(), transaction.atomic():
                JointRiskOwner.objects.create(
                    risk=joint, organisation=personas.region_a, user=personas.ciso_b
                )
        with rls.principal_context(personas.riskowner_a):
            # Named by region A, its risk owner writes the joint risk.
            assert _update(joint, description="Risikoejer i A") == 1
