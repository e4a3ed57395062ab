"""Working-group membership grants change rights: the access policy joins the membership."""

from importlib import import_module

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from initiatives.models import (
    Initiative,
    RegionalImplementation,
    StatusUpdate,
    WorkingGroup,
    WorkingGroupMember,
)
from portal.access import Action, can
from tests.factories import UserFactory

STATUS = {
    "period": "2025-H2",
    "status": "in_progress",
    "rag": "amber",
    "progress": 40,
    "narrative": "Forsinket",
    "next_steps": "Ny plan",
}


def status_url(initiative) -> str:
    return reverse("api:status-update-list", kwargs={"initiative_pk": initiative.pk})


def test_a_member_changes_their_groups_initiative(portfolio, api_as):
    api = api_as(portfolio.member_alpha)
    detail = reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk})
    response = api.patch(detail, {"description_da": "Ny beskrivelse"}, format="json")
    assert response.status_code == 200, response.content
    assert api.post(status_url(portfolio.initiative), STATUS, format="json").status_code == 201
    assert portfolio.initiative.status_updates.count() == 1


def test_a_member_of_another_group_gets_403_and_nothing_changes(portfolio, api_as, client_as):
    api = api_as(portfolio.member_beta)
    detail = reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk})
    assert api.get(detail).status_code == 200  # everyone signed in reads the portfolio
    assert api.patch(detail, {"description_da": "Forfalsket"}, format="json").status_code == 403
    assert api.post(status_url(portfolio.initiative), STATUS, format="json").status_code == 403
    client = client_as(portfolio.member_beta)
    page = client.get(
        reverse("initiatives:initiative_detail", kwargs={"pk": portfolio.initiative.pk})
    )
    assert page.status_code == 200
    assert page.context["may_record_status"] is False
    assert b"/status/" not in page.content
    forged = client.post(
        reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk}),
        {**STATUS, "initiative_version": portfolio.initiative.version},
    )
    assert forged.status_code == 403
    portfolio.initiative.refresh_from_db()
    assert portfolio.initiative.description_da == ""
    assert not StatusUpdate.objects.exists()


def test_leaving_the_group_revokes_the_rights_at_once(portfolio, api_as):
    api = api_as(portfolio.member_alpha)
    assert can(portfolio.member_alpha, Action.CHANGE, portfolio.initiative)
    WorkingGroupMember.objects.get(group=portfolio.alpha, user=portfolio.member_alpha).delete()
    assert not can(portfolio.member_alpha, Action.CHANGE, portfolio.initiative)
    assert api.post(status_url(portfolio.initiative), STATUS, format="json").status_code == 403
    assert not StatusUpdate.objects.exists()


def test_moving_an_initiative_to_another_group_moves_the_rights(portfolio):
    initiative = Initiative.objects.get(pk=portfolio.initiative.pk)
    initiative.working_group = portfolio.beta
    initiative.save()
    assert not can(portfolio.member_alpha, Action.CHANGE, initiative)
    assert can(portfolio.member_beta, Action.CHANGE, initiative)


def test_only_the_secretariat_assigns_working_groups(portfolio, api_as):
    detail = reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk})
    response = api_as(portfolio.member_alpha).patch(
        detail, {"working_group": "beta"}, format="json"
    )
    assert response.status_code == 400
    assert "working_group" in response.json()
    response = api_as(portfolio.personas.secretariat).patch(
        detail, {"working_group": "beta"}, format="json"
    )
    assert response.status_code == 200
    assert can(
        portfolio.member_beta, Action.CHANGE, Initiative.objects.get(pk=portfolio.initiative.pk)
    )


def test_the_secretariat_edits_every_initiative(portfolio, api_as):
    api = api_as(portfolio.personas.secretariat)
    for initiative in (portfolio.initiative, portfolio.other_initiative):
        assert api.post(status_url(initiative), STATUS, format="json").status_code == 201


def test_a_ciso_edits_only_their_regions_implementation_row(portfolio, api_as):
    rows = RegionalImplementation.objects.filter(initiative=portfolio.initiative)
    region_a_row = rows.get(organisation=portfolio.personas.region_a)
    region_b_row = rows.get(organisation=portfolio.personas.region_b)
    api = api_as(portfolio.personas.ciso_a)
    url = lambda row: reverse("api:regionalimplementation-detail", kwargs={"pk": row.pk})  # noqa: E731
    assert api.patch(url(region_a_row), {"status": "in_progress"}, format="json").status_code == 200
    assert api.get(url(region_b_row)).status_code == 200  # visible: the matrix is shared
    assert api.patch(url(region_b_row), {"status": "implemented"}, format="json").status_code == 403
    region_a_row.refresh_from_db()
    region_b_row.refresh_from_db()
    assert (region_a_row.status, region_a_row.updated_by) == (
        "in_progress",
        portfolio.personas.ciso_a,
    )
    assert region_b_row.status == "not_started"
    assert (
        api_as(portfolio.personas.viewer_a)
        .patch(url(region_a_row), {"status": "implemented"}, format="json")
        .status_code
        == 403
    )


def test_the_ciso_edits_their_cell_in_place_with_htmx(portfolio, client_as):
    rows = RegionalImplementation.objects.filter(initiative=portfolio.initiative)
    row = rows.get(organisation=portfolio.personas.region_a)
    other = rows.get(organisation=portfolio.personas.region_b)
    client = client_as(portfolio.personas.ciso_a)
    matrix = client.get(reverse("initiatives:implementation_matrix"))
    assert matrix.status_code == 200
    html = matrix.content.decode()
    assert reverse("initiatives:implementation_edit", kwargs={"pk": row.pk}) in html
    assert reverse("initiatives:implementation_edit", kwargs={"pk": other.pk}) not in html
    form = client.get(
        reverse("initiatives:implementation_edit", kwargs={"pk": row.pk}), HTTP_HX_REQUEST="true"
    )
    assert form.status_code == 200 and "<form" in form.content.decode()
    assert (
        client.get(reverse("initiatives:implementation_edit", kwargs={"pk": row.pk})).status_code
        == 200
    )
    response = client.post(
        reverse("initiatives:implementation_edit", kwargs={"pk": row.pk}),
        {"status": "implemented", "note": "Færdig", "version": row.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="implementation-{row.pk}"' in response.content.decode()
    forged = client.post(
        reverse("initiatives:implementation_edit", kwargs={"pk": other.pk}),
        {"status": "implemented", "version": other.version},
        HTTP_HX_REQUEST="true",
    )
    assert forged.status_code == 403
    other.refresh_from_db()
    assert other.status == "not_started"


# --- rights follow membership in the same transaction ------------------------------------


def _refused_everywhere(portfolio, client_as, api_as, user, initiative) -> None:
    """``user`` can no longer change ``initiative``: not through the API, not on its pages."""
    detail = reverse("api:initiative-detail", kwargs={"pk": initiative.pk})
    api = api_as(user)
    assert api.patch(detail, {"description_da": "Efter"}, format="json").status_code in (403, 404)
    assert api.post(status_url(initiative), STATUS, format="json").status_code in (403, 404)
    client = client_as(user)
    edit = reverse("initiatives:initiative_edit", kwargs={"pk": initiative.pk})
    assert client.get(edit).status_code in (403, 404)
    assert client.post(edit, {"description_da": "Efter", "version": 1}).status_code in (403, 404)
    status = reverse("initiatives:status_update_add", kwargs={"pk": initiative.pk})
    assert client.post(
        status, {**STATUS, "initiative_version": initiative.version}
    ).status_code in (403, 404)
    initiative.refresh_from_db()
    assert initiative.description_da == ""
    assert not StatusUpdate.objects.filter(initiative=initiative).exists()


def test_it_revokes_the_rights_of_a_deleted_groups_members(portfolio, api_as, client_as):
    member, initiative = portfolio.member_alpha, portfolio.initiative
    assert can(member, Action.CHANGE, initiative)
    group_url = reverse("api:workinggroup-detail", kwargs={"slug": "alpha"})
    assert api_as(portfolio.personas.secretariat).delete(group_url).status_code == 204
    initiative.refresh_from_db()
    assert initiative.working_group is None
    assert not can(member, Action.CHANGE, initiative)
    _refused_everywhere(portfolio, client_as, api_as, member, initiative)
    # The other group's rights are untouched.
    assert can(portfolio.member_beta, Action.CHANGE, portfolio.other_initiative)


def test_it_revokes_the_rights_of_a_removed_member_on_page_and_api(portfolio, api_as, client_as):
    WorkingGroupMember.objects.filter(group=portfolio.alpha, user=portfolio.member_alpha).delete()
    _refused_everywhere(portfolio, client_as, api_as, portfolio.member_alpha, portfolio.initiative)


def test_it_moves_the_rights_with_an_initiative_moved_through_the_api(portfolio, api_as, client_as):
    detail = reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk})
    response = api_as(portfolio.personas.secretariat).patch(
        detail, {"working_group": "beta"}, format="json"
    )
    assert response.status_code == 200, response.content
    initiative = Initiative.objects.get(pk=portfolio.initiative.pk)
    _refused_everywhere(portfolio, client_as, api_as, portfolio.member_alpha, initiative)
    assert (
        api_as(portfolio.member_beta)
        .patch(detail, {"description_da": "Ny ejer"}, format="json")
        .status_code
        == 200
    )


def test_it_keeps_no_copy_of_the_membership_in_object_permissions(portfolio):
    newcomer = UserFactory(username="wg.alpha.2")
    WorkingGroupMember.objects.create(group=portfolio.alpha, user=newcomer)
    assert can(newcomer, Action.CHANGE, portfolio.initiative)
    assert can(newcomer, Action.CHANGE, WorkingGroup.objects.get(pk=portfolio.alpha.pk))
    assert list(Initiative.objects.restrict(newcomer, Action.CHANGE)) == [portfolio.initiative]
    # A seat changes, it does not delete.
    assert not can(newcomer, Action.DELETE, portfolio.initiative)
    assert not can(newcomer, Action.DELETE, portfolio.alpha)
    assert not UserObjectPermission.objects.exists()


def test_the_migration_drops_the_copied_object_permissions(portfolio):
    migration = import_module("initiatives.migrations.0005_drop_membership_object_permissions")
    # A copy the signals left behind for someone who is no longer a member.
    former = UserFactory(username="wg.former")
    assign_perm("initiatives.change_initiative", former, portfolio.initiative)
    assign_perm("initiatives.change_workinggroup", former, portfolio.alpha)
    assert can(former, Action.CHANGE, portfolio.initiative)

    migration.drop_copies(apps, None)

    assert not UserObjectPermission.objects.exists()
    assert not can(former, Action.CHANGE, portfolio.initiative)
    assert can(portfolio.member_alpha, Action.CHANGE, portfolio.initiative)  # by membership
    # Going back copies the current membership, as the signals kept it.
    migration.copy_membership(apps, None)
    copied = set(
        UserObjectPermission.objects.values_list(
            "user__username", "permission__codename", "object_pk"
        )
    )
    assert copied == {
        ("wg.alpha.1", "change_workinggroup", str(portfolio.alpha.pk)),
        ("wg.alpha.1", "change_initiative", str(portfolio.initiative.pk)),
        ("wg.beta.1", "change_workinggroup", str(portfolio.beta.pk)),
        ("wg.beta.1", "change_initiative", str(portfolio.other_initiative.pk)),
    }


def test_it_keeps_the_seat_and_the_rights_when_a_removal_is_rolled_back(portfolio):
    with pytest.raises(RuntimeError), transaction.atomic():
        WorkingGroupMember.objects.filter(user=portfolio.member_alpha).delete()
        assert not can(portfolio.member_alpha, Action.CHANGE, portfolio.initiative)
        raise RuntimeError("rolled back")
    assert WorkingGroupMember.objects.filter(user=portfolio.member_alpha).exists()
    assert can(portfolio.member_alpha, Action.CHANGE, portfolio.initiative)


def test_it_moves_the_rights_when_a_seat_is_given_to_someone_else(portfolio, api_as, client_as):
    newcomer = UserFactory(username="wg.alpha.3")
    seat = WorkingGroupMember.objects.get(group=portfolio.alpha, user=portfolio.member_alpha)
    seat.user = newcomer
    seat.save()
    assert can(newcomer, Action.CHANGE, portfolio.initiative)
    _refused_everywhere(portfolio, client_as, api_as, portfolio.member_alpha, portfolio.initiative)
