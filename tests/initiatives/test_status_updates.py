"""Status updates: append-only, the current status is the latest one's, conflicts, bad input."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from initiatives.models import Initiative, StatusUpdate
from initiatives.models.status_update import StatusUpdateIsAppendOnly
from initiatives.services import initiative_record_status
from portal.models import ConcurrentUpdate

GOOD = {
    "period": "2025-H2",
    "status": "in_progress",
    "rag": "amber",
    "progress": 40,
    "narrative": "Udrulningen er forsinket i to regioner.",
    "next_steps": "Ny plan for udrulningen i januar.",
}


def record(portfolio, **changes):
    initiative = Initiative.objects.get(pk=portfolio.initiative.pk)
    return initiative_record_status(
        initiative=initiative,
        author=portfolio.member_alpha,
        expected_version=initiative.version,
        **{**GOOD, **changes},
    )


def api_url(initiative) -> str:
    return reverse("api:status-update-list", kwargs={"initiative_pk": initiative.pk})


def test_the_current_rag_is_always_that_of_the_latest_update(portfolio, api_as):
    record(portfolio, period="2025-H1", rag="green", progress=20)
    record(portfolio, period="2026-H1", rag="red", progress=35)
    # A late correction of an earlier period does not become the current status.
    record(portfolio, period="2025-H2", rag="green", progress=30)
    detail = (
        api_as(portfolio.member_beta)
        .get(reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk}))
        .json()
    )
    assert (detail["rag"], detail["progress"], detail["period"]) == ("red", 35, "2026-H1")
    listing = (
        api_as(portfolio.member_beta).get(reverse("api:initiative-list"), {"rag": "red"}).json()
    )
    assert [row["number"] for row in listing["results"]] == ["2.7"]
    record(portfolio, period="2026-H1", rag="green", progress=40)
    assert Initiative.objects.get(pk=portfolio.initiative.pk).rag == "green"


def test_an_initiative_without_updates_has_no_rag(portfolio, api_as):
    detail = (
        api_as(portfolio.member_beta)
        .get(reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk}))
        .json()
    )
    assert (detail["status"], detail["rag"], detail["progress"]) == ("not_started", None, None)


def test_updates_cannot_be_changed_or_deleted_through_the_orm(portfolio):
    update = record(portfolio)
    update.progress = 99
    with pytest.raises(StatusUpdateIsAppendOnly):
        update.save()
    with pytest.raises(StatusUpdateIsAppendOnly):
        update.delete()
    assert StatusUpdate.objects.get(pk=update.pk).progress == 40


def test_the_api_answers_405_to_put_patch_and_delete(portfolio, api_as):
    update = record(portfolio)
    api = api_as(portfolio.personas.secretariat)
    url = reverse(
        "api:status-update-detail",
        kwargs={"initiative_pk": portfolio.initiative.pk, "pk": update.pk},
    )
    assert api.get(url).status_code == 200
    assert api.put(url, GOOD, format="json").status_code == 405
    assert api.patch(url, {"progress": 99}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert StatusUpdate.objects.get(pk=update.pk).progress == 40


def test_the_admin_shows_updates_read_only(portfolio, client_as):
    update = record(portfolio)
    admin = portfolio.personas.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_as(admin)
    change_url = reverse("admin:initiatives_statusupdate_change", args=[update.pk])
    assert client.get(change_url).status_code == 200
    assert client.post(change_url, {**GOOD, "progress": 99}).status_code == 403
    delete_url = reverse("admin:initiatives_statusupdate_delete", args=[update.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert StatusUpdate.objects.get(pk=update.pk).progress == 40


def test_a_correction_names_the_update_it_corrects(portfolio, api_as):
    wrong = record(portfolio, progress=80)
    response = api_as(portfolio.member_alpha).post(
        api_url(portfolio.initiative), {**GOOD, "progress": 45, "corrects": wrong.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["corrects"] == wrong.pk
    assert Initiative.objects.get(pk=portfolio.initiative.pk).progress == 45


def test_a_stale_if_match_gets_412_and_the_first_update_stays(portfolio, api_as):
    api = api_as(portfolio.member_alpha)
    etag = api.get(reverse("api:initiative-detail", kwargs={"pk": portfolio.initiative.pk}))["ETag"]
    first = api.post(api_url(portfolio.initiative), GOOD, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 201
    second = api.post(
        api_url(portfolio.initiative), {**GOOD, "rag": "red"}, format="json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412
    assert list(StatusUpdate.objects.values_list("rag", flat=True)) == ["amber"]


def test_two_members_saving_the_same_form_the_second_gets_a_conflict(portfolio, client_as):
    from initiatives.models import WorkingGroupMember
    from tests.factories import UserFactory

    second_member = UserFactory(username="wg.alpha.2")
    WorkingGroupMember.objects.create(group=portfolio.alpha, user=second_member)
    url = reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk})
    version = portfolio.initiative.version
    first = client_as(portfolio.member_alpha).post(url, {**GOOD, "initiative_version": version})
    assert first.status_code == 302
    second = client_as(second_member).post(
        url, {**GOOD, "rag": "red", "initiative_version": version}
    )
    assert second.status_code == 409
    assert second.context["conflict"] is True
    assert "Someone else" in second.content.decode() or "En anden" in second.content.decode()
    assert list(StatusUpdate.objects.values_list("rag", flat=True)) == ["amber"]


def test_concurrent_service_calls_with_the_same_version_conflict(portfolio):
    initiative = Initiative.objects.get(pk=portfolio.initiative.pk)
    version = initiative.version
    initiative_record_status(
        initiative=initiative, author=portfolio.member_alpha, expected_version=version, **GOOD
    )
    with pytest.raises(ConcurrentUpdate):
        initiative_record_status(
            initiative=Initiative.objects.get(pk=initiative.pk),
            author=portfolio.member_alpha,
            expected_version=version,
            **GOOD,
        )
    assert StatusUpdate.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"progress": 150}, "progress"),
        ({"progress": -1}, "progress"),
        ({"rag": None}, "rag"),
        ({"rag": "purple"}, "rag"),
        ({"period": "2022-H2"}, "period"),  # before the strategy
        ({"period": f"{date.today().year + 2}-H1"}, "period"),  # in the future
        ({"period": "2025-Q3"}, "period"),  # quarters when the portal reports half-years
        ({"period": "soon"}, "period"),
        ({"status": "finished"}, "status"),
    ],
)
def test_bad_input_gets_field_errors_in_the_api(portfolio, api_as, changes, field):
    body = {**GOOD, **changes}
    body = {key: value for key, value in body.items() if value is not None}
    response = api_as(portfolio.member_alpha).post(
        api_url(portfolio.initiative), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not StatusUpdate.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"progress": 150}, "progress"), ({"rag": ""}, "rag"), ({"period": "2022-H2"}, "period")],
)
def test_bad_input_gets_field_errors_in_the_form(portfolio, client_as, changes, field):
    url = reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk})
    response = client_as(portfolio.member_alpha).post(
        url, {**GOOD, **changes, "initiative_version": portfolio.initiative.version}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not StatusUpdate.objects.exists()


def test_it_shows_the_latest_update_beside_the_form_without_copying_its_texts(portfolio, client_as):
    portfolio.member_beta.first_name, portfolio.member_beta.last_name = "Bo", "Berg"
    portfolio.member_beta.save()
    portfolio.member_alpha.first_name, portfolio.member_alpha.last_name = "Ida", "Holm"
    portfolio.member_alpha.save()
    record(
        portfolio,
        rag="red",
        progress=55,
        narrative="Forsinket af leverandøren",
        next_steps="Eskalere til styregruppen",
        blockers="Intet testmiljø",
    )
    response = client_as(portfolio.member_alpha).get(
        reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk}),
        HTTP_HX_REQUEST="true",
    )
    form = response.context["form"]
    # The lifecycle status and progress carry on; the judgement and the texts are new.
    assert (form["status"].value(), form["progress"].value()) == ("in_progress", 55)
    assert [form[name].value() for name in ("rag", "narrative", "next_steps", "blockers")] == [
        None,
        None,
        None,
        None,
    ]
    html = response.content.decode()
    assert "<html" not in html  # an htmx fragment, not a page
    form_html = html[html.index("<form") :]
    aside = html[html.index("<aside") : html.index("</aside>")]
    for text in ("Forsinket af leverandøren", "Eskalere til styregruppen", "Intet testmiljø"):
        assert text in aside
        assert text not in form_html
    assert "2. halvår 2025" in aside and "Ida Holm" in aside
    assert "<textarea" not in aside and "<input" not in aside  # read-only


def test_the_form_has_no_latest_update_to_show_before_the_first(portfolio, client_as):
    response = client_as(portfolio.member_alpha).get(
        reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk})
    )
    assert response.context["previous"] is None
    assert "<aside" not in response.content.decode()


def _without(changes: dict) -> dict:
    return {key: value for key, value in {**GOOD, **changes}.items() if value is not None}


@pytest.mark.parametrize("rag", ["amber", "red"])
@pytest.mark.parametrize("missing", ["narrative", "next_steps"])
def test_amber_and_red_need_a_narrative_and_next_steps_in_the_api(portfolio, api_as, rag, missing):
    api = api_as(portfolio.member_alpha)
    for empty in (None, "", "   "):
        response = api.post(
            api_url(portfolio.initiative), _without({"rag": rag, missing: empty}), format="json"
        )
        assert response.status_code == 400, response.content
        assert list(response.json()) == [missing]
    assert not StatusUpdate.objects.exists()
    response = api.post(api_url(portfolio.initiative), _without({"rag": rag}), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("rag", ["amber", "red"])
@pytest.mark.parametrize("missing", ["narrative", "next_steps"])
def test_amber_and_red_need_a_narrative_and_next_steps_in_the_form(
    portfolio, client_as, rag, missing
):
    url = reverse("initiatives:status_update_add", kwargs={"pk": portfolio.initiative.pk})
    client = client_as(portfolio.member_alpha)
    version = portfolio.initiative.version
    response = client.post(
        url,
        {**GOOD, "rag": rag, missing: " ", "initiative_version": version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [missing]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not StatusUpdate.objects.exists()
    response = client.post(url, {**GOOD, "rag": rag, "initiative_version": version})
    assert response.status_code == 302


def test_the_service_refuses_red_without_a_narrative(portfolio):
    with pytest.raises(ValidationError) as refused:
        record(portfolio, rag="red", narrative="", next_steps="")
    assert set(refused.value.message_dict) == {"narrative", "next_steps"}
    assert not StatusUpdate.objects.exists()


def test_green_needs_no_texts(portfolio, api_as, client_as):
    bare = {"period": "2025-H2", "status": "in_progress", "rag": "green", "progress": 40}
    response = api_as(portfolio.member_alpha).post(
        api_url(portfolio.initiative), bare, format="json"
    )
    assert response.status_code == 201, response.content
    initiative = Initiative.objects.get(pk=portfolio.initiative.pk)
    response = client_as(portfolio.member_alpha).post(
        reverse("initiatives:status_update_add", kwargs={"pk": initiative.pk}),
        {**bare, "period": "2026-H1", "initiative_version": initiative.version},
    )
    assert response.status_code == 302
    assert StatusUpdate.objects.count() == 2


def test_a_milestone_due_before_the_initiative_starts_is_a_field_error(
    portfolio, api_as, client_as
):
    before = "2022-12-31"
    response = api_as(portfolio.member_alpha).post(
        reverse("api:milestone-list"),
        {"initiative": portfolio.initiative.pk, "title": "For tidligt", "due": before},
        format="json",
    )
    assert response.status_code == 400
    assert "due" in response.json()
    page = client_as(portfolio.member_alpha).post(
        reverse("initiatives:milestone_add", kwargs={"initiative": portfolio.initiative.pk}),
        {"title": "For tidligt", "due": before},
    )
    assert page.status_code == 200
    assert "due" in page.context["form"].errors
    assert not portfolio.initiative.milestones.exists()


def test_a_member_adds_and_completes_a_milestone(portfolio, client_as):
    today = date.today()
    Initiative.objects.filter(pk=portfolio.initiative.pk).update(  # the work goes on
        end_date=today + timedelta(days=365)
    )
    due = (today + timedelta(days=30)).isoformat()
    client = client_as(portfolio.member_alpha)
    response = client.post(
        reverse("initiatives:milestone_add", kwargs={"initiative": portfolio.initiative.pk}),
        {"title": "Høring", "due": due},
    )
    assert response.status_code == 302
    milestone = portfolio.initiative.milestones.get()
    response = client.post(
        reverse("initiatives:milestone_edit", kwargs={"pk": milestone.pk}),
        {"title": "Høring", "due": due, "done_on": today.isoformat(), "version": milestone.version},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == today
    other = client_as(portfolio.member_beta).post(
        reverse("initiatives:milestone_edit", kwargs={"pk": milestone.pk}),
        {"title": "X", "due": due, "version": milestone.version},
    )
    assert other.status_code == 403
