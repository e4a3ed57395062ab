"""A risk on a shared system shows another region only what is shared: its shared systems,
never the owning region's other assets — on the page, in exports, in the API and in history."""

import pytest
from django.urls import reverse

from tests.factories import AssetFactory
from tests.risks.conftest import make_risk

PRIVATE = "Privat journalserver QX71"


@pytest.fixture
def shared_risk(personas, threats, shared_system):
    private = AssetFactory(organisation=personas.region_a, name=PRIVATE)
    risk = make_risk(personas.region_a, threats, title="Delt risiko")
    risk.assets.add(shared_system)
    risk.assets.add(private)  # a second m2m entry in the audit trail
    return risk


def _export(client, **params) -> str:
    response = client.get(
        reverse("risks:export", kwargs={"kind": "risks"}), {"format": "csv", **params}
    )
    assert response.status_code == 200
    return (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )


@pytest.mark.parametrize("persona", ["ciso_b", "viewer_b"])
def test_it_shows_another_region_only_the_shared_system(
    personas, shared_risk, shared_system, persona, client_as, api_as
):
    user = personas.by_name(persona)
    page = client_as(user).get(shared_risk.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200
    assert shared_system.name in body
    assert PRIVATE not in body  # neither the asset list nor the history names it

    exported = _export(client_as(user))
    assert shared_system.name in exported
    assert PRIVATE not in exported

    api = api_as(user)
    detail = api.get(reverse("api:risk-detail", kwargs={"pk": shared_risk.pk})).json()
    assert detail["assets"] == [shared_system.pk]
    listed = api.get(reverse("api:risk-list")).json()["results"]
    assert [row["assets"] for row in listed] == [[shared_system.pk]]
    history = api.get(reverse("api:risk-history", kwargs={"pk": shared_risk.pk})).content.decode()
    assert shared_system.name in history
    assert PRIVATE not in history


def test_the_owning_region_still_sees_every_asset(personas, shared_risk, client_as, api_as):
    page = client_as(personas.viewer_a).get(shared_risk.get_absolute_url()).content.decode()
    assert page.count(PRIVATE) >= 2  # the asset list and the history
    assert PRIVATE in _export(client_as(personas.viewer_a))
    detail = (
        api_as(personas.viewer_a)
        .get(reverse("api:risk-detail", kwargs={"pk": shared_risk.pk}))
        .json()
    )
    assert len(detail["assets"]) == 2
