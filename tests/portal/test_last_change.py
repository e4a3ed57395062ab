"""``last_change``: who saved the version an edit lost to, and when — only as the reader may
know it."""

import pytest
from auditlog.context import set_actor
from django.urls import reverse

from initiatives.models import Initiative, RegionalImplementation, WorkingGroupMember
from initiatives.services import initiative_record_status
from portal.audit.last_change import last_change
from tests.factories import RiskFactory, UserFactory
from tests.initiatives.conftest import make_portfolio

GOOD = {
    "period": "2025-H2",
    "status": "in_progress",
    "rag": "amber",
    "progress": 40,
    "narrative": "Forsinket",
    "next_steps": "Ny plan",
}


@pytest.fixture
def portfolio(personas):
    return make_portfolio(personas)


def cell_of(portfolio, region):
    return RegionalImplementation.objects.get(initiative=portfolio.initiative, organisation=region)


def test_it_names_the_newest_change_from_the_audit_trail(portfolio):
    personas = portfolio.personas
    cell = cell_of(portfolio, personas.region_a)
    ciso = personas.ciso_a
    ciso.first_name, ciso.last_name = "Anne", "Hansen"
    ciso.save()
    cell.note, cell.updated_by = "Pilot", ciso
    cell.save()
    change = last_change(cell, personas.viewer_a)
    assert (change.actor, change.username) == ("Anne Hansen", "ciso.a")
    cell.refresh_from_db()
    assert change.timestamp == cell.updated_at


def test_it_reads_the_object_as_stored_now_not_the_stale_copy(portfolio):
    personas = portfolio.personas
    stale = cell_of(portfolio, personas.region_a)
    fresh = cell_of(portfolio, personas.region_a)
    fresh.note, fresh.updated_by = "Newer", personas.ciso_a
    fresh.save()
    change = last_change(stale, personas.viewer_a)
    fresh.refresh_from_db()
    assert (change.username, change.timestamp) == ("ciso.a", fresh.updated_at)


def test_it_says_nothing_to_a_reader_who_may_not_see_the_object(portfolio):
    personas = portfolio.personas
    with set_actor(personas.ciso_b):
        risk = RiskFactory(organisation=personas.region_b)  # another region's risk
    assert last_change(risk, personas.ciso_b).username == "ciso.b"
    assert last_change(risk, personas.ciso_a) is None
    assert last_change(risk, None) is None


def test_it_counts_the_parts_that_change_with_the_object(portfolio):
    initiative = Initiative.objects.get(pk=portfolio.initiative.pk)
    author = UserFactory(username="wg.alpha.2", first_name="Bo", last_name="Berg")
    WorkingGroupMember.objects.create(group=portfolio.alpha, user=author)
    with set_actor(author):
        initiative_record_status(
            initiative=initiative, author=author, expected_version=None, **GOOD
        )
    reader = portfolio.member_alpha
    assert last_change(initiative, reader).actor != "Bo Berg"  # the initiative alone
    parts = [initiative.status_updates.all()]
    assert last_change(initiative, reader, parts=parts).actor == "Bo Berg"


def test_the_htmx_conflict_answer_names_the_author(portfolio, client_as):
    second = UserFactory(username="wg.alpha.2", first_name="Bo", last_name="Berg")
    WorkingGroupMember.objects.create(group=portfolio.alpha, user=second)
    url = reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk})
    version = portfolio.initiative.version
    assert client_as(second).post(url, {**GOOD, "initiative_version": version}).status_code == 302
    answer = client_as(portfolio.member_alpha).post(
        url, {**GOOD, "rag": "red", "initiative_version": version}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 409
    body = answer.content.decode()
    assert not body.lstrip().lower().startswith("<!doctype")  # a fragment htmx swaps in
    assert "Bo Berg" in body
    assert answer.context["conflict_change"].username == "wg.alpha.2"


def test_the_generic_edit_page_names_who_saved_the_newer_version(portfolio, client_as):
    personas = portfolio.personas
    cell = cell_of(portfolio, personas.region_a)
    url = reverse("initiatives:implementation_edit", kwargs={"pk": cell.pk})
    client = client_as(personas.ciso_a)
    stale = {"status": "in_progress", "note": "Mine", "version": cell.version}
    assert client.post(url, {**stale, "note": "First"}).status_code == 302
    answer = client.post(url, stale)
    assert answer.status_code == 409
    assert answer.context["conflict_change"].username == "ciso.a"
    assert "ciso.a" in answer.content.decode().split('class="alert-text conflict-change"')[1]
