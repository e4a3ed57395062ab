"""The benchmark's scenarios of one object: the object is looked up on the seeded database
(``Scenario.pick``), never named by an id that depends on the order of seeding."""

import importlib
import random
import sys
from pathlib import Path

import pytest
from django.db import connection

from incidents.demo import seed_demo_incidents
from incidents.models import Incident
from tests.factories import OrganisationFactory

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench():
    """``bench/scenarios.py`` and the harness's ``scale``, imported as ``bench/run.py`` does."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        yield (
            importlib.import_module("scenarios"),
            importlib.import_module("harness.scale"),
        )
    finally:
        sys.path.remove(str(BENCH_DIR))


def test_it_puts_the_picked_object_into_the_path_and_leaves_out_a_missing_one(bench):
    scenarios, scale = bench
    page = scenarios.Scenario("page", "someone", "/things/{id}/", pick="SELECT 7")
    gone = scenarios.Scenario("gone", "someone", "/gone/{id}/", pick="SELECT nothing")
    plain = scenarios.Scenario("list", "someone", "/things/")
    answers = {"SELECT 7": 7, "SELECT nothing": None}
    resolved = scale.with_objects(
        [plain, page, gone], "postgres://db", lookup=lambda url, query: answers[query]
    )
    assert [(s.name, s.path, s.pick) for s in resolved] == [
        ("list", "/things/", None),
        ("page", "/things/7/", None),
    ]


@pytest.mark.django_db
def test_the_incident_page_is_hovedstadens_ransomware_wherever_it_was_seeded(bench):
    scenarios, _scale = bench
    # Regions seeded before Hovedstaden: its incidents do not start at id 1.
    OrganisationFactory(slug="bornholm", name_da="Region Bornholm")
    OrganisationFactory(slug="fyn", name_da="Region Fyn")
    OrganisationFactory(slug="hovedstaden", name_da="Region Hovedstaden")
    seed_demo_incidents(rng=random.Random(1), log=lambda message: None)
    (scenario,) = [s for s in scenarios.SCENARIOS if s.name == "incident page"]
    with connection.cursor() as cursor:
        cursor.execute(scenario.pick)
        (picked,) = cursor.fetchone()
    incident = Incident.objects.get(pk=picked)
    assert (incident.organisation.slug, incident.category) == ("hovedstaden", "ransomware")
    assert picked > 2 * Incident.objects.filter(organisation__slug="bornholm").count()
    assert scenario.picked(picked).path == f"/incidents/{picked}/"
