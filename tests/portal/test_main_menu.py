"""The main menu: a few groups, each a submenu of the pages the persona may use — every page it
offers opens (no 403), and a group with nothing for the persona is left out."""

import pytest
from django.urls import reverse

from portal.context_processors import NavGroup
from tests.sector import make_sector

pytestmark = pytest.mark.django_db

PERSONAS = ("ciso_a", "riskowner_a", "viewer_a", "secretariat", "admin", "outsider")


def _groups(client) -> list[NavGroup]:
    response = client.get(reverse("my_tasks"))
    assert response.status_code == 200
    return response.context["nav_groups"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_the_menu_offers_opens(personas, client_as, persona):
    make_sector(personas)  # a strategy, campaigns, risks: every page has something to show
    client = client_as(personas.by_name(persona))
    groups = _groups(client)
    assert 4 <= len(groups) <= 7
    for group in groups:
        assert group.items, group.key
        for item in group.items:
            status = client.get(item.url).status_code
            assert status in (200, 302), (persona, item.url, status)


def test_each_group_holds_only_what_the_persona_may_use(personas, client_as):
    keys = {
        persona: [group.key for group in _groups(client_as(personas.by_name(persona)))]
        for persona in PERSONAS
    }
    assert keys["ciso_a"] == [
        "overview",
        "strategy",
        "capabilities",
        "risks",
        "incidents",
        "reports",
        "administration",
    ]
    assert "administration" not in keys["riskowner_a"]
    # The secretariat reads no region's registers, no incidents: of the risks only the
    # sector's picture (counts from the regions' snapshots), of the incidents only the sector
    # incidents (statuses and counts from the incidents' facts).
    secretariat = {group.key: group for group in _groups(client_as(personas.secretariat))}
    assert [item.url for item in secretariat["risks"].items] == [reverse("risks:sector_picture")]
    assert [item.url for item in secretariat["incidents"].items] == [reverse("incidents:sector")]
    for persona in ("ciso_a", "riskowner_a", "viewer_a"):
        incidents = {group.key: group for group in _groups(client_as(personas.by_name(persona)))}
        assert [item.url for item in incidents["incidents"].items] == [
            reverse("incidents:incident_list")
        ], persona
    for persona in ("ciso_a", "riskowner_a", "viewer_a", "outsider"):
        urls = {
            item.url
            for group in _groups(client_as(personas.by_name(persona)))
            for item in group.items
        }
        assert reverse("risks:sector_picture") not in urls, persona
    assert "risks" not in keys["outsider"]
    admin = {group.key: group for group in _groups(client_as(personas.admin))}
    assert {item.url for item in admin["administration"].items} >= {
        reverse("people"),
        reverse("audit_export"),
    }


def test_the_page_and_its_group_are_marked_current(personas, client_as):
    client = client_as(personas.ciso_a)
    response = client.get(reverse("risks:heatmap"))
    groups = response.context["nav_groups"]
    active = [group for group in groups if group.active]
    assert [group.key for group in active] == ["risks"]
    assert [item.url for item in active[0].items if item.active] == [reverse("risks:heatmap")]
    body = response.content.decode()
    assert (
        body.count(f'href="{reverse("risks:heatmap")}" class="nav-link" aria-current="page"') == 2
    )
    # A group of one page is a plain link, not a submenu.
    incidents = next(group for group in groups if group.key == "incidents")
    assert incidents.link is not None
    assert 'data-js-target="menu-incidents"' not in body
    assert 'data-js-target="menu-risks"' in body
    assert 'data-js-target="mobile-menu-risks"' in body
