"""The capability and maturity-campaign API lists filter through FilterSets, as the pages do:
named filters, a free-text ``q``, field-level errors for bad values."""

from django.urls import reverse

from capabilities.models import Capability
from tests.capabilities.conftest import approved_campaign


def _slugs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


def test_capabilities_filter_by_discipline_and_words(personas, catalogue, api_as):
    api = api_as(personas.ciso_a)
    url = reverse("api:capability-list")
    detect = set(
        Capability.objects.filter(discipline__code="detect").values_list("slug", flat=True)
    )
    assert detect
    assert _slugs(api.get(url, {"discipline": "detect", "page_size": 200})) == detect
    # The name clients used before ``discipline`` still answers the same.
    assert _slugs(api.get(url, {"discipline__code": "detect", "page_size": 200})) == detect
    one = Capability.objects.order_by("pk").first()
    assert one.slug in _slugs(api.get(url, {"q": one.name_da[:12]}))
    assert _slugs(api.get(url, {"q": "no-such-capability-words"})) == set()


def test_a_bad_discipline_is_a_field_error(personas, catalogue, api_as):
    response = api_as(personas.ciso_a).get(reverse("api:capability-list"), {"discipline": "x"})
    assert response.status_code == 400
    assert "discipline" in response.json()


def test_campaigns_filter_by_region_period_and_status(personas, catalogue, api_as):
    approved_campaign(personas.region_a, personas.ciso_a, period="2025-H1")
    approved_campaign(personas.region_a, personas.ciso_a, period="2025-H2")
    approved_campaign(personas.region_b, personas.ciso_b, period="2025-H2")
    api = api_as(personas.ciso_a)
    url = reverse("api:maturityassessment-list")

    def periods(**query) -> list[tuple[str, str]]:
        response = api.get(url, query)
        assert response.status_code == 200, response.content
        return sorted((row["organisation"], row["period"]) for row in response.json()["results"])

    a, b = personas.region_a.slug, personas.region_b.slug
    assert periods(organisation=a) == [(a, "2025-H1"), (a, "2025-H2")]
    assert periods(organisation__slug=a) == [(a, "2025-H1"), (a, "2025-H2")]
    assert periods(period="2025-H2") == [(a, "2025-H2"), (b, "2025-H2")]
    assert periods(status="approved", q="2025-H1") == [(a, "2025-H1")]
    assert periods(status="open") == []
    refused = api.get(url, {"status": "frozen"})
    assert refused.status_code == 400
    assert "status" in refused.json()
