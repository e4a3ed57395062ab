"""Region isolation of the risk register, and what a risk owner may do."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from risks.models import Risk
from tests.factories import RiskFactory, ThreatFactory
from tests.permission_matrix import OrganisationOwnedMatrix
from tests.risks.conftest import make_risk


class TestRiskPermissions(OrganisationOwnedMatrix):
    model = Risk
    list_url_name = "risks:risk_list"
    detail_url_name = "risks:risk_detail"
    edit_url_name = "risks:risk_edit"
    delete_url_name = "risks:risk_delete"
    api_list_url_name = "api:risk-list"
    api_detail_url_name = "api:risk-detail"
    watched_field = "title"

    def make_object(self, region):
        # Factories rather than the reference data: the matrix runs many times.
        return RiskFactory(organisation=region, title="Ransomware rammer laboratoriesystemet")

    def form_data(self, obj):
        return {
            "organisation": obj.organisation.pk,
            "title": "Ny titel",
            "threat": obj.threat.pk,
            "attack_surface": "digital",
            "inherent_likelihood": 4,
            "inherent_consequence": 5,
            "residual_likelihood": 2,
            "residual_consequence": 4,
            "status": "identified",
            "version": obj.version,
        }

    def api_change(self, obj):
        return {"title": "Ny titel"}

    def api_create(self, region):
        return {
            "organisation": region.slug,
            "title": "Ny risiko",
            "threat": ThreatFactory(slug="phishing", attack_surface="human").slug,
            "attack_surface": "human",
            "inherent_likelihood": 3,
            "inherent_consequence": 3,
            "residual_likelihood": 2,
            "residual_consequence": 2,
        }


class TestOwnedRiskPermissions(TestRiskPermissions):
    """A risk with an owner: the policy's ``owner_field`` lets region A's risk owner change
    it (not delete it); the matrix reads that from ``Risk.access_policy``."""

    def make_object(self, region):
        owner = get_user_model().objects.get(username="riskowner.a")
        return RiskFactory(organisation=region, title="Ejet risiko", owner=owner)


def test_a_risk_owner_edits_their_own_risks_and_not_others(personas, threats, api_as):
    own = make_risk(personas.region_a, threats, owner=personas.riskowner_a)
    other = make_risk(personas.region_a, threats, title="En andens risiko", owner=personas.ciso_a)
    api = api_as(personas.riskowner_a)
    assert (
        api.patch(
            reverse("api:risk-detail", kwargs={"pk": own.pk}),
            {"residual_likelihood": 1},
            format="json",
        ).status_code
        == 200
    )
    response = api.patch(
        reverse("api:risk-detail", kwargs={"pk": other.pk}),
        {"residual_likelihood": 1},
        format="json",
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.residual_likelihood == 2
    # They read the whole register of their region.
    assert api.get(reverse("api:risk-detail", kwargs={"pk": other.pk})).status_code == 200


def test_a_risk_on_a_shared_system_is_visible_to_the_region_it_is_shared_with(
    personas, threats, shared_system, api_as, client_as
):
    shared = make_risk(personas.region_a, threats, title="Delt risiko")
    shared.assets.add(shared_system)
    private = make_risk(personas.region_a, threats, title="Privat risiko")
    for persona in ("ciso_b", "riskowner_b", "viewer_b"):
        api = api_as(personas.by_name(persona))
        titles = [row["title"] for row in api.get(reverse("api:risk-list")).json()["results"]]
        assert titles == ["Delt risiko"], persona
        assert api.get(reverse("api:risk-detail", kwargs={"pk": private.pk})).status_code == 404
        assert api.get(reverse("api:risk-detail", kwargs={"pk": shared.pk})).json()[
            "shared_with"
        ] == ["region-b"]
    # Seeing is not editing: region B's CISO gets 403 on the shared risk.
    assert (
        api_as(personas.ciso_b)
        .patch(reverse("api:risk-detail", kwargs={"pk": shared.pk}), {"title": "X"}, format="json")
        .status_code
        == 403
    )
    page = client_as(personas.viewer_b).get(reverse("risks:risk_list"), {"q": "risiko"})
    assert [risk.title for risk in page.context["object_list"]] == ["Delt risiko"]


def test_region_b_sees_none_of_region_as_risks_in_search_and_heatmap(personas, threats, client_as):
    for n in range(3):
        make_risk(personas.region_a, threats, title=f"Hemmelig {n}")
    client = client_as(personas.ciso_b)
    assert not client.get(reverse("risks:risk_list"), {"q": "Hemmelig"}).context["object_list"]
    heatmap = client.get(reverse("risks:heatmap"))
    assert heatmap.context["residual"].total == 0
    assert heatmap.context["inherent"].total == 0
    assert (
        client.get(reverse("risks:heatmap"), {"organisation": "region-a"}).context["organisation"]
        is None
    )
    page = client_as(personas.ciso_a).get(reverse("risks:heatmap"))
    assert page.context["residual"].total == 3


def test_accepting_a_high_residual_risk_needs_the_ciso(personas, threats, api_as, client_as):
    high = make_risk(
        personas.region_a,
        threats,
        owner=personas.riskowner_a,
        residual_likelihood=4,
        residual_consequence=4,
    )
    assert high.residual_level == "high"
    url = reverse("api:risk-detail", kwargs={"pk": high.pk})
    accept = {
        "status": "accepted",
        "treatment": "accept",
        "acceptance_reason": "Kompenserende kontroller",
    }
    response = api_as(personas.riskowner_a).patch(url, accept, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    high.refresh_from_db()
    assert high.status == "identified" and high.accepted_by is None
    # Without a reason even the CISO is refused…
    no_reason = api_as(personas.ciso_a).patch(
        url, {**accept, "acceptance_reason": ""}, format="json"
    )
    assert no_reason.status_code == 400 and "acceptance_reason" in no_reason.json()
    # …with one the acceptance is recorded: who and why.
    assert api_as(personas.ciso_a).patch(url, accept, format="json").status_code == 200
    high.refresh_from_db()
    assert (high.status, high.accepted_by, high.acceptance_reason) == (
        "accepted",
        personas.ciso_a,
        "Kompenserende kontroller",
    )
    assert high.accepted_at is not None


def test_a_risk_owner_may_accept_a_low_risk(personas, threats, api_as):
    low = make_risk(
        personas.region_a,
        threats,
        owner=personas.riskowner_a,
        residual_likelihood=1,
        residual_consequence=2,
    )
    response = api_as(personas.riskowner_a).patch(
        reverse("api:risk-detail", kwargs={"pk": low.pk}),
        {"status": "accepted", "acceptance_reason": "Lav risiko"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Risk.objects.get(pk=low.pk).accepted_by == personas.riskowner_a
