"""The risk form's asset picker: a search endpoint through the permission layer, and a form
that renders the chosen assets only (portal.widgets.SearchSelectMultiple)."""

import pytest
from django.urls import reverse

from portal.widgets import SEARCH_LIMIT
from risks.models import Risk
from tests.factories import AssetFactory
from tests.risks.conftest import make_risk

SEARCH = reverse("risks:asset_search")


def _search(client, organisation, q="", **params):
    return client.get(SEARCH, {"organisation": organisation.pk, "q": q, **params})


def _labels(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["label"] for row in response.json()["results"]]


def _risk_data(threats, region, **values):
    return {
        "organisation": region.pk,
        "title": "Ransomware rammer journalen",
        "threat": threats["ransomware"].pk,
        "attack_surface": "digital",
        "inherent_likelihood": 4,
        "inherent_consequence": 5,
        "residual_likelihood": 2,
        "residual_consequence": 4,
        "status": "identified",
        **values,
    }


def test_it_finds_the_organisations_assets_by_part_of_the_name(personas, client_as):
    AssetFactory(organisation=personas.region_a, name="Laboratoriesystem")
    AssetFactory(organisation=personas.region_a, name="Røntgen-PACS", supplier="Acme A/S")
    AssetFactory(organisation=personas.region_b, name="Region B's laboratorium")
    response = _search(client_as(personas.ciso_a), personas.region_a, "LABOR")
    assert _labels(response) == ["Laboratoriesystem"]
    everything = _search(client_as(personas.ciso_a), personas.region_a)
    assert _labels(everything) == ["Laboratoriesystem", "Røntgen-PACS"]
    assert "Acme A/S" in everything.json()["results"][1]["detail"]


def test_it_never_answers_with_another_regions_assets(personas, client_as):
    AssetFactory(organisation=personas.region_b, name="Region B's laboratorium")
    client = client_as(personas.ciso_a)
    # Region B is answered as an organisation that does not exist.
    other, absent = _search(client, personas.region_b), client.get(SEARCH, {"organisation": 970001})
    assert other.status_code == absent.status_code == 400
    assert "organisation" in other.json()["errors"]
    assert other.json() == absent.json()
    assert "Region B" not in other.content.decode()
    # A reader writes no risks: no organisation to search in.
    assert _search(client_as(personas.viewer_a), personas.region_a).status_code == 400


def test_a_shared_asset_is_offered_only_to_its_own_regions_risks(personas, client_as):
    """A risk names the assets of its own organisation (risk_validate): a system region B
    shares with region A is seen by region A but not picked for its risks."""
    shared = AssetFactory(organisation=personas.region_b, name="Fælles journal")
    shared.shared_with.add(personas.region_a)
    AssetFactory(organisation=personas.region_a, name="Egen journal")
    assert _labels(_search(client_as(personas.ciso_a), personas.region_a, "journal")) == [
        "Egen journal"
    ]
    assert _labels(_search(client_as(personas.ciso_b), personas.region_b, "journal")) == [
        "Fælles journal"
    ]


def test_a_risk_owner_searches_the_region_of_the_risks_they_own(personas, threats, client_as):
    AssetFactory(organisation=personas.region_a, name="Laboratoriesystem")
    client = client_as(personas.riskowner_a)
    # Before owning a risk (a risk owner adds none) there is nowhere to search.
    assert _search(client, personas.region_a).status_code == 400
    make_risk(personas.region_a, threats, owner=personas.riskowner_a)
    assert _labels(_search(client, personas.region_a)) == ["Laboratoriesystem"]


def test_it_answers_at_most_the_limit_and_says_there_are_more(personas, client_as):
    for number in range(SEARCH_LIMIT + 5):
        AssetFactory(organisation=personas.region_a, name=f"System {number:03d}")
    answer = _search(client_as(personas.ciso_a), personas.region_a, "system").json()
    assert len(answer["results"]) == SEARCH_LIMIT
    assert answer["more"] is True
    narrow = _search(client_as(personas.ciso_a), personas.region_a, "system 02").json()
    assert [row["label"] for row in narrow["results"]] == [
        f"System {number:03d}" for number in range(20, 25)
    ]
    assert narrow["more"] is False


def test_it_filters_by_kind(personas, client_as):
    AssetFactory(
        organisation=personas.region_a, name="Infusionspumper", kind="medical_device_category"
    )
    AssetFactory(organisation=personas.region_a, name="Patientjournal", kind="system")
    answer = _search(client_as(personas.ciso_a), personas.region_a, kind="system")
    assert _labels(answer) == ["Patientjournal"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"organisation": "abc"},
        {"organisation": "99999999999999999999999"},
        {"organisation": "-1"},
        {"organisation": "{region}", "q": "x" * 101},
        {"organisation": "{region}", "kind": "spaceship"},
        {"organisation": "{region}", "q": "\x00"},
    ],
)
def test_bad_parameters_are_a_400(personas, client_as, params):
    params = {
        key: (str(personas.region_a.pk) if value == "{region}" else value)
        for key, value in params.items()
    }
    response = client_as(personas.ciso_a).get(SEARCH, params)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_it_asks_for_a_sign_in(personas, client):
    response = client.get(SEARCH, {"organisation": personas.region_a.pk})
    assert response.status_code == 302


def test_its_query_count_does_not_grow_with_the_assets(
    personas, threats, client_as, django_assert_max_num_queries
):
    make_risk(personas.region_a, threats, owner=personas.riskowner_a)
    client = client_as(personas.riskowner_a)
    AssetFactory(organisation=personas.region_a, name="System 0")
    _search(client, personas.region_a, "system")  # the session and user are read once
    with django_assert_max_num_queries(8) as small:
        _search(client, personas.region_a, "system")
    for number in range(60):
        AssetFactory(organisation=personas.region_a, name=f"System {number + 1}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(_labels(_search(client, personas.region_a, "system"))) == SEARCH_LIMIT


def test_the_form_renders_the_chosen_assets_only(personas, threats, client_as):
    names = [f"Klinisk system {number:04d}" for number in range(300)]
    assets = [AssetFactory(organisation=personas.region_a, name=name) for name in names]
    risk = make_risk(personas.region_a, threats)
    risk.assets.add(assets[7])
    client = client_as(personas.ciso_a)
    edit = client.get(reverse("risks:risk_edit", kwargs={"pk": risk.pk})).content.decode()
    add = client.get(reverse("risks:risk_add")).content.decode()
    assert names[7] in edit and f'value="{assets[7].pk}"' in edit
    assert names[8] not in edit and names[123] not in add
    assert 'data-search-url="/risks/assets/search/"' in edit
    assert "js/search-select.js" in edit  # the form's media
    # The page does not grow with the region's assets (some 40 bytes an option before).
    for number in range(300, 600):
        AssetFactory(organisation=personas.region_a, name=f"Klinisk system {number:04d}")
    again = client.get(reverse("risks:risk_edit", kwargs={"pk": risk.pk})).content.decode()
    assert abs(len(again) - len(edit)) < 200
    assert len(again) < 60_000


def test_the_form_posts_and_saves_the_chosen_assets(personas, threats, client_as):
    first = AssetFactory(organisation=personas.region_a, name="Laboratoriesystem")
    second = AssetFactory(organisation=personas.region_a, name="Patientjournal")
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:risk_add"),
        _risk_data(threats, personas.region_a, assets=[first.pk, second.pk]),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    risk = Risk.objects.get(title="Ransomware rammer journalen")
    assert set(risk.assets.all()) == {first, second}
    # Unticking (or removing a chip) posts the rest.
    response = client.post(
        reverse("risks:risk_edit", kwargs={"pk": risk.pk}),
        _risk_data(threats, personas.region_a, assets=[second.pk], version=risk.version),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert list(risk.assets.all()) == [second]


def test_the_form_refuses_an_asset_the_user_may_not_pick(personas, threats, client_as):
    shared = AssetFactory(organisation=personas.region_b, name="Fælles journal")
    shared.shared_with.add(personas.region_a)
    secret = AssetFactory(organisation=personas.region_b, name="Region B's system")
    client = client_as(personas.ciso_a)
    for asset in (shared, secret):
        response = client.post(
            reverse("risks:risk_add"), _risk_data(threats, personas.region_a, assets=[asset.pk])
        )
        assert response.status_code != 302
        assert "assets" in response.context["form"].errors
        assert asset.name not in response.content.decode()
    assert not Risk.objects.exists()


def test_without_javascript_find_lists_matches_to_tick_and_saves_nothing(
    personas, threats, client_as
):
    chosen = AssetFactory(organisation=personas.region_a, name="Laboratoriesystem")
    AssetFactory(organisation=personas.region_a, name="Laboratorieanalysator")
    AssetFactory(organisation=personas.region_a, name="Patientjournal")
    AssetFactory(organisation=personas.region_b, name="Region B's laboratorium")
    client = client_as(personas.ciso_a)
    data = _risk_data(
        threats, personas.region_a, assets=[chosen.pk], assets_q="labor", assets_find="1"
    )
    response = client.post(reverse("risks:risk_add"), data)
    page = response.content.decode()
    assert not Risk.objects.exists()
    found = response.context["form"]["assets"]
    assert found.errors
    assert "Laboratorieanalysator" in page and "Patientjournal" not in page
    assert "Region B" not in page
    widget = page[page.find("data-search-select") : page.find("search-select__status")]
    assert widget.count(' name="assets"') == 2  # the chosen one (ticked) and the match
    # An empty search box is a save: Enter in another field posts the first button too.
    data.update(assets_q="")
    assert client.post(reverse("risks:risk_add"), data).status_code == 302
    assert list(Risk.objects.get().assets.all()) == [chosen]


def test_a_critical_functions_systems_use_the_same_picker(personas, client_as):
    from risks.models import CriticalFunction

    systems = [
        AssetFactory(organisation=personas.region_a, name=f"System {number:03d}", kind="system")
        for number in range(120)
    ]
    device = AssetFactory(
        organisation=personas.region_a, name="Infusionspumper", kind="medical_device_category"
    )
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:critical_function_add"),
        {"organisation": personas.region_a.pk, "name": "Akutmodtagelse", "systems": systems[3].pk},
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    function = CriticalFunction.objects.get()
    assert list(function.systems.all()) == [systems[3]]
    page = client.get(
        reverse("risks:critical_function_edit", kwargs={"pk": function.pk})
    ).content.decode()
    assert "System 003" in page and "System 004" not in page
    assert 'data-search-url="/risks/assets/search/?kind=system"' in page
    # A device category is no system: refused as a choice that does not exist.
    response = client.post(
        reverse("risks:critical_function_edit", kwargs={"pk": function.pk}),
        {"name": "Akutmodtagelse", "systems": device.pk, "version": function.version},
    )
    assert "systems" in response.context["form"].errors
