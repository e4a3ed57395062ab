from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.factories import AssetFactory, CriticalFunctionFactory


def make_incident(region, **fields) -> Incident:
    now = timezone.now()
    values = {
        "organisation": region,
        "title": "Ransomware på laboratoriesystemet",
        "category": "ransomware",
        "severity": "critical",
        "detected_at": now - timedelta(hours=6),
        "aware_at": now - timedelta(hours=5),
        "nis2_significant": True,
        "nis2_reason": "Laboratoriet kører på nødprocedurer.",
    }
    values.update(fields)
    incident = Incident(**values)
    incident.full_clean()
    incident.save()
    return incident


@pytest.fixture
def incidents(personas):
    """One incident in each region, each naming a system and a critical function of its own."""
    made = {}
    for suffix, region in (("a", personas.region_a), ("b", personas.region_b)):
        incident = make_incident(region, title=f"Hændelse {suffix.upper()}")
        incident.affected_systems.add(AssetFactory(organisation=region))
        incident.critical_functions.add(CriticalFunctionFactory(organisation=region))
        made[suffix] = incident
    return made
