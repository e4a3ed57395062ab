"""The register: derived scores and levels, the matrix, pages, trend and query counts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from risks.models import Risk, RiskSnapshot, TreatmentAction, risk_matrix_for
from risks.services import risk_snapshots_take
from risks.tasks import take_risk_snapshots
from tests.factories import AssetFactory
from tests.risks.conftest import make_risk


def test_score_and_level_are_derived_and_cannot_be_set_through_the_api(personas, threats, api_as):
    risk = make_risk(personas.region_a, threats)
    assert (risk.inherent_level, risk.residual_level) == ("critical", "medium")
    url = reverse("api:risk-detail", kwargs={"pk": risk.pk})
    response = api_as(personas.ciso_a).patch(
        url, {"residual_score": 1, "residual_level": "low", "inherent_level": "low"}, format="json"
    )
    assert response.status_code == 200
    body = api_as(personas.ciso_a).get(url).json()
    assert (body["residual_score"], body["residual_level"], body["inherent_level"]) == (
        8,
        "medium",
        "critical",
    )
    response = api_as(personas.ciso_a).patch(url, {"residual_likelihood": 1}, format="json")
    assert (response.json()["residual_score"], response.json()["residual_level"]) == (4, "low")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"inherent_likelihood": 6}, "inherent_likelihood"),  # beyond the 5 x 5 matrix
        ({"inherent_consequence": 0}, "inherent_consequence"),
        ({"residual_likelihood": "high"}, "residual_likelihood"),
        ({"threat": "meteor"}, "threat"),
        ({"attack_surface": "cosmic"}, "attack_surface"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_a_field_error(personas, threats, api_as, changes, field):
    body = {
        "organisation": "region-a",
        "title": "X",
        "threat": "ddos",
        "attack_surface": "digital",
        "inherent_likelihood": 3,
        "inherent_consequence": 3,
        "residual_likelihood": 1,
        "residual_consequence": 1,
    }
    response = api_as(personas.ciso_a).post(
        reverse("api:risk-list"), {**body, **changes}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Risk.objects.exists()


def test_changing_a_threshold_relevels_existing_risks(personas, threats, api_as, client_as):
    medium = make_risk(
        personas.region_a, threats, residual_likelihood=3, residual_consequence=3
    )  # 9
    other_region = make_risk(
        personas.region_b, threats, residual_likelihood=3, residual_consequence=3
    )
    assert medium.residual_level == "medium"
    matrix = risk_matrix_for(personas.region_a)
    url = reverse("api:riskmatrix-detail", kwargs={"pk": matrix.pk})
    api = api_as(personas.ciso_a)
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"medium_max": 8}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    medium.refresh_from_db()
    other_region.refresh_from_db()
    assert medium.residual_level == "high"
    assert other_region.residual_level == "medium"  # another region's matrix is untouched
    # Bad thresholds are refused with a field error and nothing changes.
    bad = api.patch(url, {"medium_max": 20, "high_max": 10}, format="json")
    assert bad.status_code == 400
    assert "high_max" in bad.json()
    # Region B's CISO sees 404 for region A's matrix.
    assert api_as(personas.ciso_b).patch(url, {"medium_max": 5}, format="json").status_code == 404
    # The form does the same.
    client = client_as(personas.ciso_a)
    matrix.refresh_from_db()
    data = {
        "likelihood_labels_da": "\n".join(matrix.likelihood_labels_da),
        "likelihood_labels_en": "\n".join(matrix.likelihood_labels_en),
        "consequence_labels_da": "\n".join(matrix.consequence_labels_da),
        "consequence_labels_en": "\n".join(matrix.consequence_labels_en),
        "low_max": 4,
        "medium_max": 10,
        "high_max": 16,
        "colour_low": "#2e7d32",
        "colour_medium": "#f9a825",
        "colour_high": "#ef6c00",
        "colour_critical": "#b71c1c",
        "version": matrix.version,
    }
    assert (
        client.post(reverse("risks:matrix_edit", kwargs={"pk": matrix.pk}), data).status_code == 302
    )
    medium.refresh_from_db()
    assert medium.residual_level == "medium"


def test_the_register_filters_by_heatmap_cell_and_overdue_review(personas, threats, client_as):
    make_risk(
        personas.region_a,
        threats,
        title="A",
        residual_likelihood=2,
        residual_consequence=4,
        next_review=date.today() - timedelta(days=3),
    )
    make_risk(personas.region_a, threats, title="B", residual_likelihood=1, residual_consequence=1)
    client = client_as(personas.viewer_a)
    page = client.get(
        reverse("risks:risk_list"), {"residual_likelihood": 2, "residual_consequence": 4}
    )
    assert [r.title for r in page.context["object_list"]] == ["A"]
    page = client.get(reverse("risks:risk_list"), {"review_overdue": "true"})
    assert [r.title for r in page.context["object_list"]] == ["A"]
    page = client.get(reverse("risks:risk_list"), {"level": "low"})
    assert [r.title for r in page.context["object_list"]] == ["B"]
    page = client.get(reverse("risks:risk_list"), {"sort": "title"})
    assert [r.title for r in page.context["object_list"]] == ["A", "B"]
    heatmap = client.get(reverse("risks:heatmap"), {"organisation": "region-a"})
    cell = next(
        c for c in heatmap.context["residual"].cells if (c.likelihood, c.consequence) == (2, 4)
    )
    assert cell.count == 1
    assert "residual_likelihood=2" in cell.url and "residual_consequence=4" in cell.url
    assert cell.url in heatmap.content.decode().replace("&amp;", "&")


def test_the_treatment_plan_lists_open_actions_overdue_first(personas, threats, client_as):
    risk = make_risk(personas.region_a, threats)
    later = TreatmentAction.objects.create(
        risk=risk, title="Senere", due=date.today() + timedelta(days=30)
    )
    overdue = TreatmentAction.objects.create(
        risk=risk, title="Forsinket", due=date.today() - timedelta(days=2)
    )
    TreatmentAction.objects.create(
        risk=risk,
        title="Færdig",
        due=date.today() - timedelta(days=9),
        status="done",
        done_on=date.today(),
    )
    other = make_risk(personas.region_b, threats)
    TreatmentAction.objects.create(risk=other, title="Region B", due=date.today())
    page = client_as(personas.riskowner_a).get(reverse("risks:treatment_plan"))
    assert list(page.context["object_list"]) == [overdue, later]


def test_snapshots_record_counts_per_level_once_per_quarter(personas, threats):
    make_risk(personas.region_a, threats)  # residual medium
    make_risk(personas.region_a, threats, residual_likelihood=5, residual_consequence=5)
    make_risk(personas.region_a, threats, status="closed")
    from portal.models import Organisation

    regions = Organisation.objects.filter(kind="region").count()
    assert risk_snapshots_take(today=date(2026, 11, 22)) == regions
    assert take_risk_snapshots.delay().get() == regions
    snapshot = RiskSnapshot.objects.get(organisation=personas.region_a, period="2026-Q4")
    assert (snapshot.residual_medium, snapshot.residual_critical) == (1, 1)
    assert RiskSnapshot.objects.filter(organisation=personas.region_a).count() == 1


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["ciso_a", "riskowner_a", "viewer_a"])
def test_register_heatmap_and_api_list_cost_constant_queries(
    personas, threats, client_as, api_as, persona
):
    user = personas.by_name(persona)
    system = AssetFactory(organisation=personas.region_b)
    system.shared_with.add(personas.region_a)

    def grow(count: int) -> None:
        for n in range(count):
            risk = make_risk(personas.region_a, threats, title=f"R{n}", owner=personas.riskowner_a)
            risk.assets.add(AssetFactory(organisation=personas.region_a))
            TreatmentAction.objects.create(risk=risk, title="T", due=date.today())
        shared = make_risk(personas.region_b, threats, title="Shared")
        shared.assets.add(system)

    client, api = client_as(user), api_as(user)
    api.get(reverse("api:risk-list"))
    urls = [
        (reverse("risks:risk_list"), None),
        (reverse("risks:heatmap"), {"organisation": "region-a"}),
        (reverse("risks:treatment_plan"), None),
        (reverse("api:risk-list"), {"page_size": 100}),
    ]
    grow(3)
    small = [_queries(api if "/api/" in url else client, url, params) for url, params in urls]
    grow(40)
    large = [_queries(api if "/api/" in url else client, url, params) for url, params in urls]
    assert large == small


def test_every_risk_page_renders(personas, threats, client_as):
    risk = make_risk(personas.region_a, threats)
    action = TreatmentAction.objects.create(risk=risk, title="T", due=date.today())
    system = AssetFactory(organisation=personas.region_a)
    client = client_as(personas.ciso_a)
    from risks.models import CriticalFunction

    function = CriticalFunction.objects.create(
        organisation=personas.region_a, name="Akutmodtagelse"
    )
    function.systems.add(system)
    risk.assets.add(system)
    matrix = risk_matrix_for(personas.region_a)
    pages = [
        reverse("risks:risk_list"),
        reverse("risks:risk_add"),
        reverse("risks:heatmap"),
        reverse("risks:treatment_plan"),
        reverse("risks:risk_detail", kwargs={"pk": risk.pk}),
        reverse("risks:risk_edit", kwargs={"pk": risk.pk}),
        reverse("risks:risk_delete", kwargs={"pk": risk.pk}),
        reverse("risks:treatment_add", kwargs={"risk": risk.pk}),
        reverse("risks:treatment_edit", kwargs={"pk": action.pk}),
        reverse("risks:treatment_delete", kwargs={"pk": action.pk}),
        reverse("risks:asset_detail", kwargs={"pk": system.pk}),
        reverse("risks:critical_function_list"),
        reverse("risks:critical_function_add"),
        reverse("risks:critical_function_detail", kwargs={"pk": function.pk}),
        reverse("risks:critical_function_edit", kwargs={"pk": function.pk}),
        reverse("risks:attack_surface", kwargs={"slug": "region-a"}),
        reverse("risks:attack_surface_add", kwargs={"slug": "region-a"}),
        reverse("risks:matrix_edit", kwargs={"pk": matrix.pk}),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    function_page = client.get(
        reverse("risks:critical_function_detail", kwargs={"pk": function.pk})
    )
    assert risk.title in function_page.content.decode()
    # Region B's CISO cannot open region A's attack surface or critical function.
    other = client_as(personas.ciso_b)
    assert (
        other.get(reverse("risks:attack_surface", kwargs={"slug": "region-a"})).status_code == 404
    )
    assert (
        other.get(reverse("risks:critical_function_detail", kwargs={"pk": function.pk})).status_code
        == 404
    )


def test_an_attack_surface_profile_takes_counts_from_the_inventory(personas, client_as):
    from risks.models import Asset, AttackSurfaceProfile

    AssetFactory.create_batch(3, organisation=personas.region_a)
    AssetFactory(
        organisation=personas.region_a, kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY, quantity=1500
    )
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:attack_surface_add", kwargs={"slug": "region-a"}),
        {"period": "2026-H1", "employees": 45000, "locations": 90, "systems": 1},
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    profile = AttackSurfaceProfile.objects.get()
    assert (profile.systems, profile.medical_devices, profile.employees) == (3, 1500, 45000)
    assert (
        client_as(personas.viewer_a)
        .post(
            reverse("risks:attack_surface_add", kwargs={"slug": "region-a"}), {"period": "2026-H2"}
        )
        .status_code
        == 403
    )


def test_the_api_list_shows_the_same_links_as_the_detail(personas, threats, api_as):
    """The list reads a page's links per relation (risks_links_attach); the detail through
    the ORM: both must say the same."""
    from capabilities.models import Capability
    from initiatives.models import Initiative

    system = AssetFactory(organisation=personas.region_a)
    system.shared_with.add(personas.region_b)
    other = AssetFactory(organisation=personas.region_a)
    risk = make_risk(personas.region_a, threats)
    risk.assets.add(system, other)
    risk.initiatives.add(*Initiative.objects.order_by("pk")[:2])
    risk.capabilities.add(*Capability.objects.order_by("pk")[:3])
    make_risk(personas.region_a, threats)  # one without links

    api = api_as(personas.ciso_a)
    listed = {row["id"]: row for row in api.get("/api/v1/risks/").json()["results"]}
    detail = api.get(f"/api/v1/risks/{risk.pk}/").json()
    assert listed[risk.pk] == detail
    assert detail["assets"] == sorted([system.pk, other.pk])
    assert len(detail["initiatives"]) == 2 and len(detail["capabilities"]) == 3
    assert detail["shared_with"] == ["region-b"]
