"""Row-level security for the region's management, the direktion (``portal`` migration 0015):
the policies written before the role existed name ``{ciso,risk_owner,viewer}``, which the
database now reads as every region role — so the direktion sees its region's rows, as the
permission layer says, and no other region's; and it writes an acceptance into its own."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from portal import rls
from risks.acceptance import criteria_in_force
from risks.models import AcceptanceCriteria, Risk
from tests.factories import api_token_for
from tests.risks.conftest import make_direktion
from tests.sector import make_sector
from tests.security.test_rls import _policy_models, _refused, app_role, granted  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-level security is PostgreSQL's; the SQLite demo has the ORM's layer only",
    ),
]


def test_the_database_and_restrict_agree_for_the_direktion(personas, granted, settings):  # noqa: F811
    make_sector(personas)
    criteria_in_force(personas.region_a)
    criteria_in_force(personas.region_b)
    direktion = make_direktion(personas.region_a)
    differences, seen = {}, {}
    for model in _policy_models():
        settings.PORTAL_ORM_RESTRICT = True
        orm = set(model._default_manager.restrict(direktion).values_list("pk", flat=True))
        settings.PORTAL_ORM_RESTRICT = False
        with app_role(), rls.principal_context(direktion):
            database = set(model._default_manager.restrict(direktion).values_list("pk", flat=True))
        seen[model._meta.label] = database
        if orm != database:
            differences[model._meta.label] = (sorted(orm - database), sorted(database - orm))
    assert not differences, differences
    region_a_risks = set(
        Risk.objects.filter(organisation=personas.region_a).values_list("pk", flat=True)
    )
    assert region_a_risks and seen["risks.Risk"] == region_a_risks
    assert seen["risks.AcceptanceCriteria"] == set(
        AcceptanceCriteria.objects.filter(organisation=personas.region_a).values_list(
            "pk", flat=True
        )
    )


def test_the_direktion_accepts_a_risk_through_the_database_wall(
    personas,
    granted,  # noqa: F811
    settings,
):
    make_sector(personas)
    direktion = make_direktion(personas.region_a)
    risk = Risk.objects.filter(organisation=personas.region_a).order_by("pk").first()
    other = Risk.objects.filter(organisation=personas.region_b).order_by("pk").first()
    settings.PORTAL_ORM_RESTRICT = False  # the database's wall alone
    token = api_token_for(direktion)
    client = Client()
    with app_role():
        accepted = client.post(
            reverse("api:risk-accept", kwargs={"pk": risk.pk}),
            {"acceptance_reason": "Ok"},
            HTTP_AUTHORIZATION=token,
        )
        refused = client.post(
            reverse("api:risk-accept", kwargs={"pk": other.pk}),
            {"acceptance_reason": "Ok"},
            HTTP_AUTHORIZATION=token,
        )
    assert accepted.status_code == 200, accepted.content
    assert refused.status_code == 404
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_by) == ("accepted", direktion)


def test_an_approved_version_of_the_criteria_never_changes_in_the_database(
    personas,
    granted,  # noqa: F811
):
    """Past the model's rule (a queryset update, raw SQL): the database refuses to change an
    approved version, even in the system context, and deletes one only there."""
    approved = criteria_in_force(personas.region_a)
    assert approved.is_approved
    direktion = make_direktion(personas.region_a)
    frozen = "never changes"
    with app_role(), rls.principal_context(direktion):
        with _refused(frozen), transaction.atomic():
            AcceptanceCriteria.objects.filter(pk=approved.pk).update(note="Ændret bagefter")
        with _refused(frozen), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM risks_acceptancecriteria WHERE id = %s", [approved.pk])
    with (
        rls.system_context("test: a change to an approved version"),
        _refused(frozen),
        transaction.atomic(),
    ):
        AcceptanceCriteria.objects.filter(pk=approved.pk).update(high_max_months=60)
    approved.refresh_from_db()
    assert approved.note != "Ændret bagefter" and approved.high_max_months != 60
    # A draft is the CISO's to change until it is approved.
    draft = AcceptanceCriteria.objects.create(
        organisation=personas.region_a, number=approved.number + 1
    )
    with app_role(), rls.principal_context(personas.ciso_a):
        assert AcceptanceCriteria.objects.filter(pk=draft.pk).update(note="Udkast") == 1
