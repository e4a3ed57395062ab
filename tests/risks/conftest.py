import pytest
from django.core.management import call_command

from risks.models import Risk, Threat
from tests.factories import AssetFactory


@pytest.fixture
def threats(db):
    call_command("load_reference", verbosity=0)
    return {threat.slug: threat for threat in Threat.objects.all()}


def make_risk(region, threats, **fields) -> Risk:
    values = {
        "organisation": region,
        "title": "Ransomware rammer laboratoriesystemet",
        "threat": threats["ransomware"],
        "attack_surface": "digital",
        "inherent_likelihood": 4,
        "inherent_consequence": 5,
        "residual_likelihood": 2,
        "residual_consequence": 4,
    }
    values.update(fields)
    risk = Risk(**values)
    risk.full_clean()
    risk.save()
    return risk


@pytest.fixture
def shared_system(personas):
    system = AssetFactory(organisation=personas.region_a, name="Fælles laboratoriesystem")
    system.shared_with.add(personas.region_b)
    return system
