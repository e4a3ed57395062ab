"""``page_region``: the region a page is about."""

from django.test import RequestFactory

from portal.models import Organisation
from portal.views.regions import page_region
from tests.conftest import Personas


def _request(**query):
    return RequestFactory().get("/", query)


def test_it_takes_the_region_named_in_the_query(personas: Personas):
    regions = Organisation.objects.regions()
    assert page_region(_request(organisation="region-b"), regions) == personas.region_b


def test_it_refuses_a_region_outside_the_choices(personas: Personas):
    regions = Organisation.objects.regions().filter(pk=personas.region_a.pk)
    assert page_region(_request(organisation="region-b"), regions) is None
    assert page_region(_request(organisation="sector-body"), Organisation.objects.regions()) is None


def test_it_takes_the_only_region_or_none_of_several(personas: Personas):
    only = Organisation.objects.regions().filter(pk=personas.region_b.pk)
    assert page_region(_request(), only) == personas.region_b
    assert page_region(_request(), Organisation.objects.regions()) is None


def test_it_takes_the_first_region_when_asked_to(personas: Personas):
    regions = Organisation.objects.regions().order_by("name_da")
    assert page_region(_request(), regions, default="first") == personas.region_a
