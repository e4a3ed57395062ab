"""The register's vocabulary as queryset methods, combined with the permission layer."""

from datetime import date, timedelta

from portal.models import Organisation
from risks.models import Risk, RiskStatus, TreatmentAction
from tests.conftest import Personas
from tests.factories import RiskFactory, TreatmentActionFactory

TODAY = date(2026, 6, 1)


def test_it_keeps_every_risk_but_the_closed_ones_as_open(personas: Personas):
    kept = [
        RiskFactory(organisation=personas.region_a, status=status)
        for status in (RiskStatus.IDENTIFIED, RiskStatus.ASSESSED, RiskStatus.ACCEPTED)
    ]
    RiskFactory(organisation=personas.region_a, status=RiskStatus.CLOSED)
    assert set(Risk.objects.open()) == set(kept)


def test_it_combines_open_risks_with_restrict(personas: Personas):
    own = RiskFactory(organisation=personas.region_a)
    RiskFactory(organisation=personas.region_a, status=RiskStatus.CLOSED)
    RiskFactory(organisation=personas.region_b)
    assert list(Risk.objects.restrict(personas.ciso_a).open()) == [own]
    assert list(Risk.objects.open().restrict(personas.ciso_a)) == [own]


def test_it_finds_open_and_overdue_treatment_actions(personas: Personas):
    risk = RiskFactory(organisation=personas.region_a)
    late_open = TreatmentActionFactory(risk=risk, due=TODAY - timedelta(days=1))
    late_started = TreatmentActionFactory(
        risk=risk, due=TODAY - timedelta(days=1), status=TreatmentAction.Status.IN_PROGRESS
    )
    on_time = TreatmentActionFactory(risk=risk, due=TODAY)
    done = TreatmentActionFactory(
        risk=risk,
        due=TODAY - timedelta(days=1),
        status=TreatmentAction.Status.DONE,
        done_on=TODAY,
    )
    assert set(TreatmentAction.objects.open()) == {late_open, late_started, on_time}
    assert set(TreatmentAction.objects.overdue(TODAY)) == {late_open, late_started}
    assert set(TreatmentAction.objects.not_overdue(TODAY)) == {on_time, done}
    assert all(action.is_overdue(TODAY) for action in TreatmentAction.objects.overdue(TODAY))


def test_it_combines_overdue_actions_with_restrict(personas: Personas):
    due = TODAY - timedelta(days=1)
    own = TreatmentActionFactory(risk=RiskFactory(organisation=personas.region_a), due=due)
    TreatmentActionFactory(risk=RiskFactory(organisation=personas.region_b), due=due)
    assert list(TreatmentAction.objects.restrict(personas.viewer_a).overdue(TODAY)) == [own]


def test_it_lists_only_regions_as_regions(personas: Personas):
    assert set(Organisation.objects.regions()) == {personas.region_a, personas.region_b}
    assert list(Organisation.objects.restrict(personas.viewer_a).regions().order_by("slug")) == [
        personas.region_a,
        personas.region_b,
    ]
