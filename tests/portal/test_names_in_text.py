"""A region's English name inside a sentence takes the article English gives it ("Status of
the Capital Region of Denmark"); Danish, headings and tables keep the name itself."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.models import Organisation
from tests.conftest import make_personas
from tests.factories import RiskSnapshotFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_reference_names_the_regions_in_english_sentences(db):
    call_command("load_reference", verbosity=0)
    names = dict(Organisation.objects.regions().values_list("slug", "name_en_in_text"))
    assert names["hovedstaden"] == "the Capital Region of Denmark"
    assert names["sjaelland"] == ""  # "Region Zealand" takes no article
    capital = Organisation.objects.get(slug="hovedstaden")
    zealand = Organisation.objects.get(slug="sjaelland")
    with translation.override("en"):
        assert capital.name_in_text == "the Capital Region of Denmark"
        assert capital.name == "Capital Region of Denmark"
        assert zealand.name_in_text == "Region Zealand"
    with translation.override("da"):
        assert capital.name_in_text == capital.name == "Region Hovedstaden"


def test_the_regions_pages_use_the_name_in_running_text(client):
    personas = make_personas()
    region = personas.region_a
    region.name_en, region.name_en_in_text = "Test Region", "the Test Region"
    region.save()
    RiskSnapshotFactory(organisation=region, period="2025-Q4")  # the register's trend
    client.force_login(personas.ciso_a)
    pages = {
        reverse("dashboard_region", kwargs={"slug": region.slug}): "Dashboard for the Test Region",
        reverse("risks:criteria_region", kwargs={"slug": region.slug}): (
            "Risk acceptance criteria of the Test Region"
        ),
        reverse(
            "risks:attack_surface", kwargs={"slug": region.slug}
        ): "Attack surface of the Test Region",
        reverse("risks:risk_list") + f"?organisation={region.slug}": "Trend for the Test Region",
    }
    for url, sentence in pages.items():
        response = client.get(url, **EN)
        assert response.status_code == 200, url
        assert sentence in response.content.decode(), url
    danish = client.get(reverse("dashboard_region", kwargs={"slug": region.slug}))
    with translation.override("da"):
        heading = gettext("Dashboard for %(region)s") % {"region": region.name_da}
    assert heading in danish.content.decode()
