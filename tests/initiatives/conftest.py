from dataclasses import dataclass

import pytest
from django.core.management import call_command

from initiatives.models import Initiative, WorkingGroup, WorkingGroupMember
from tests.conftest import Personas
from tests.factories import UserFactory


@dataclass
class Portfolio:
    personas: Personas
    alpha: WorkingGroup
    beta: WorkingGroup
    member_alpha: object
    member_beta: object
    initiative: Initiative  # 2.7, assigned to alpha
    other_initiative: Initiative  # 3.2, assigned to beta


def make_portfolio(personas: Personas) -> Portfolio:
    call_command("load_reference", verbosity=0)
    alpha = WorkingGroup.objects.create(slug="alpha", name_da="Gruppe Alfa", kind="working")
    beta = WorkingGroup.objects.create(slug="beta", name_da="Gruppe Beta", kind="exchange")
    member_alpha = UserFactory(username="wg.alpha.1")
    member_beta = UserFactory(username="wg.beta.1")
    WorkingGroupMember.objects.create(group=alpha, user=member_alpha, role="chair")
    WorkingGroupMember.objects.create(group=beta, user=member_beta)
    initiative = Initiative.objects.get(number="2.7")
    initiative.working_group = alpha
    initiative.save()
    other = Initiative.objects.get(number="3.2")
    other.working_group = beta
    other.save()
    initiative.refresh_from_db()
    other.refresh_from_db()
    return Portfolio(personas, alpha, beta, member_alpha, member_beta, initiative, other)


@pytest.fixture
def portfolio(personas) -> Portfolio:
    return make_portfolio(personas)
