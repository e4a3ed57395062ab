"""One way to name a person (issue 14, item 12): wherever a page shows who owns, did or read
something, it shows the full name with the user name on hover (``{{ user|person }}``), never
the bare user name."""

import re

import pytest
from django.urls import reverse

from tests.factories import AssetFactory, RiskFactory, TreatmentActionFactory

pytestmark = pytest.mark.django_db


def _named(personas):
    """ciso.a and riskowner.a with full names."""
    for user, first, last in (
        (personas.ciso_a, "Anne", "Hansen"),
        (personas.riskowner_a, "Bo", "Jensen"),
    ):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])


def _person(user) -> str:
    return f'<span class="person" title="{user.username}">{user.get_full_name()}</span>'


def _bare(user) -> re.Pattern[str]:
    """The user name alone as a cell's or an element's whole text."""
    return re.compile(rf">\s*{re.escape(user.username)}\s*<")


def _assert_named(body: str, user) -> None:
    assert _person(user) in body
    assert not _bare(user).search(body), f"{user.username} shown without the full name"


def test_the_register_and_the_treatment_plan_name_owners(personas, client_as):
    _named(personas)
    risk = RiskFactory(organisation=personas.region_a, owner=personas.riskowner_a)
    TreatmentActionFactory(risk=risk, owner=personas.ciso_a, title="Segmentér netværket")
    client = client_as(personas.ciso_a)

    register = client.get(reverse("risks:risk_list"))
    assert register.status_code == 200
    _assert_named(register.content.decode(), personas.riskowner_a)

    plan = client.get(reverse("risks:treatment_plan"))
    assert plan.status_code == 200
    assert "Segmentér netværket" in plan.content.decode()
    _assert_named(plan.content.decode(), personas.ciso_a)


def test_history_and_the_audit_trail_name_who_changed(personas, client_as):
    _named(personas)
    asset = AssetFactory(organisation=personas.region_a, name="Laboratoriesystem", supplier="A")
    client = client_as(personas.ciso_a)
    form = {
        "organisation": personas.region_a.pk,
        "name": asset.name,
        "kind": asset.kind,
        "supplier": "B",
        "quantity": 1,
        "version": asset.version,
    }
    response = client.post(reverse("risks:asset_edit", kwargs={"pk": asset.pk}), form)
    assert response.status_code == 302, response.context["form"].errors

    detail = client.get(reverse("risks:asset_detail", kwargs={"pk": asset.pk}))
    history = detail.content.decode().split('id="history-heading"', 1)[1]
    _assert_named(history, personas.ciso_a)

    trail = client_as(personas.admin).get(reverse("audit_export"), {"show": "1"})
    assert trail.status_code == 200
    body = trail.content.decode()
    assert "Laboratoriesystem" in body
    _assert_named(body, personas.ciso_a)


def test_the_list_of_reads_names_the_reader(personas, client_as):
    _named(personas)
    RiskFactory(organisation=personas.region_a)
    export = client_as(personas.ciso_a).get(
        reverse("risks:export", kwargs={"kind": "risks"}), {"format": "csv"}
    )
    assert export.status_code == 200
    page = client_as(personas.viewer_a).get(reverse("audit_reads"))
    assert page.status_code == 200
    _assert_named(page.content.decode(), personas.ciso_a)


def test_a_persons_history_names_who_changed_the_account(personas, client_as):
    _named(personas)
    person = personas.viewer_a
    client = client_as(personas.ciso_a)
    client.post(
        reverse("person_detail", kwargs={"pk": person.pk}),
        {"organisation": personas.region_a.pk, "role": "risk_owner"},
    )
    detail = client_as(personas.admin).get(reverse("person_detail", kwargs={"pk": person.pk}))
    history = detail.content.decode().split('id="history-heading"', 1)[1]
    _assert_named(history, personas.ciso_a)
    # The API keeps the user name: it is what scripts match on.
    by_ciso = [entry for entry in detail.context["history_entries"] if entry.person is not None]
    assert by_ciso
    assert {(entry.person, entry.actor) for entry in by_ciso} == {
        (personas.ciso_a, personas.ciso_a.username)
    }


def test_a_person_without_a_name_is_shown_by_user_name(personas, client_as):
    risk = RiskFactory(organisation=personas.region_a, owner=personas.riskowner_a)
    body = client_as(personas.ciso_a).get(reverse("risks:risk_list")).content.decode()
    assert risk.title in body
    assert f'<span class="person">{personas.riskowner_a.username}</span>' in body
