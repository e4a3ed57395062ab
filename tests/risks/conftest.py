import pytest
from django.core.management import call_command

from portal.access.roles import Role
from risks.models import Risk, Threat
from risks.models.criteria import DEFAULT_RULES
from tests.factories import AssetFactory, MembershipFactory, UserFactory


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


#: Every field of a criteria version as the default first version has them.
DEFAULT_VALUES = {
    f"{level}_{field}": value
    for level, rule in DEFAULT_RULES.items()
    for field, value in zip(("acceptor", "max_months", "review_months"), rule, strict=True)
}


def make_direktion(region, username: str = "direktion.a"):
    """A member of ``region``'s top management (the personas hold none)."""
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=region, role=Role.DIREKTION)
    return user


@pytest.fixture
def direktion_a(personas):
    return make_direktion(personas.region_a)
