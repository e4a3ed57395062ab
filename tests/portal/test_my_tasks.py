"""My tasks ("Mine opgaver"): each person sees what waits for them, through the permission
layer, and nothing of another region; working-group members land on it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from capabilities.maturity import assessment_submit
from capabilities.models import MaturityAssessment
from initiatives.models import Initiative, WorkingGroup, WorkingGroupMember
from initiatives.services import initiative_record_status
from portal.access.roles import Role
from portal.periods import current_period
from reports.models import ReportRun
from risks.models import TreatmentAction
from tests.factories import MembershipFactory, UserFactory
from tests.sector import make_sector

pytestmark = pytest.mark.django_db

URL = reverse("my_tasks")


@pytest.fixture
def sector(personas):
    return make_sector(personas)


@pytest.fixture
def member(sector):
    """A working-group member who only reads region A (like the demo's members)."""
    user = UserFactory(username="member.a", first_name="Mette", last_name="Medlem")
    MembershipFactory(user=user, organisation=sector.personas.region_a, role=Role.VIEWER)
    WorkingGroupMember.objects.create(group=WorkingGroup.objects.get(slug="alpha"), user=user)
    return user


def _page(client_as, user) -> str:
    response = client_as(user).get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


# ---------------------------------------------------------------- treatment actions and reviews


def test_a_risk_owner_sees_their_own_overdue_action_and_not_anyone_elses(sector, client_as):
    personas = sector.personas
    risk = sector.risks["a"][1]
    mine = TreatmentAction.objects.create(
        risk=risk, title="Mit forsinkede tiltag", owner=personas.riskowner_a, due=date(2020, 1, 2)
    )
    TreatmentAction.objects.create(
        risk=risk, title="CISO'ens forsinkede tiltag", owner=personas.ciso_a, due=date(2020, 1, 2)
    )
    TreatmentAction.objects.create(
        risk=risk,
        title="Mit tiltag langt ude i fremtiden",
        owner=personas.riskowner_a,
        due=date.today() + timedelta(days=60),
    )
    TreatmentAction.objects.create(
        risk=risk,
        title="Mit afsluttede tiltag",
        owner=personas.riskowner_a,
        due=date(2020, 1, 2),
        status="done",
        done_on=date(2020, 1, 2),
    )
    actions = _section(_page(client_as, personas.riskowner_a), "actions")
    assert "Mit forsinkede tiltag" in actions
    assert mine.get_absolute_url() in actions
    assert "overskredet siden" in actions
    # Region A's three actions of make_sector (due in 14 days) are the risk owner's too.
    assert actions.count("indfør MFA") == 3
    assert "CISO'ens forsinkede tiltag" not in actions
    assert "langt ude i fremtiden" not in actions
    assert "afsluttede" not in actions


def test_the_ciso_does_not_see_the_risk_owners_actions(sector, client_as):
    actions = _section(_page(client_as, sector.personas.ciso_a), "actions")
    assert "indfør MFA" not in actions
    assert 'class="empty-state"' in actions


def test_a_risk_owner_sees_their_risks_due_for_review(sector, client_as):
    personas = sector.personas
    risk = sector.risks["a"][0]  # owned by the risk owner, review due today
    reviews = _section(_page(client_as, personas.riskowner_a), "reviews")
    assert risk.get_absolute_url() in reviews
    risk.next_review = date.today() + timedelta(days=60)
    risk.save()
    reviews = _section(_page(client_as, personas.riskowner_a), "reviews")
    assert risk.get_absolute_url() not in reviews
    assert 'class="empty-state"' in reviews


def test_another_regions_items_never_appear(sector, client_as):
    personas = sector.personas
    # Region B's risk owner has overdue actions and reviews of their own; region B's
    # campaign is open and a report draft waits there.
    TreatmentAction.objects.create(
        risk=sector.risks["b"][0],
        title="B tiltag",
        owner=personas.riskowner_b,
        due=date(2020, 1, 2),
    )
    ReportRun.objects.filter(pk=sector.runs["b"].pk).update(status=ReportRun.Status.DONE)
    campaign_b = MaturityAssessment.objects.get(organisation=personas.region_b)
    for persona in ("riskowner_a", "ciso_a", "viewer_a", "secretariat"):
        html = _page(client_as, personas.by_name(persona))
        for marker in sector.region_b_markers:
            assert marker not in html, (persona, marker)
        assert campaign_b.get_absolute_url() not in html, persona
        assert sector.runs["b"].get_absolute_url() not in html, persona
    # ... while region B's own people see them.
    html = _page(client_as, personas.riskowner_b)
    assert "B tiltag" in _section(html, "actions")
    html = _page(client_as, personas.ciso_b)
    assert campaign_b.get_absolute_url() in _section(html, "campaigns")
    assert sector.runs["b"].get_absolute_url() in _section(html, "reports")


# ---------------------------------------------------------------- working groups


def test_a_working_group_member_sees_their_groups_missing_status_update(sector, member, client_as):
    group = WorkingGroup.objects.get(slug="alpha")
    reported = Initiative.objects.get(working_group=group)  # reported this period
    missing, elsewhere = Initiative.objects.exclude(pk=reported.pk).order_by("sort_key")[:2]
    missing.working_group = group
    missing.save()
    updates = _section(_page(client_as, member), "status-updates")
    assert missing.get_absolute_url() in updates
    assert reverse("initiatives:status_update_add", kwargs={"pk": missing.pk}) in updates
    assert reported.get_absolute_url() not in updates
    assert elsewhere.get_absolute_url() not in updates  # another group's (or none)

    missing.refresh_from_db()
    initiative_record_status(
        initiative=missing,
        author=member,
        expected_version=missing.version,
        period=current_period().label,
        status="in_progress",
        rag="green",
        progress=10,
        narrative="Godt i gang.",
    )
    updates = _section(_page(client_as, member), "status-updates")
    assert missing.get_absolute_url() not in updates
    assert 'class="empty-state"' in updates


def test_someone_in_no_working_group_owes_no_status_update(sector, client_as):
    updates = _section(_page(client_as, sector.personas.riskowner_a), "status-updates")
    assert "/initiatives/" not in updates
    assert 'class="empty-state"' in updates


# ---------------------------------------------------------------- campaigns and reports


def test_the_ciso_sees_the_campaign_to_submit_and_others_do_not(sector, client_as):
    personas = sector.personas
    campaign = MaturityAssessment.objects.get(organisation=personas.region_a)
    assert campaign.status == MaturityAssessment.Status.OPEN
    campaigns = _section(_page(client_as, personas.ciso_a), "campaigns")
    assert campaign.get_absolute_url() in campaigns
    assert "to submit" in campaigns or "til indsendelse" in campaigns
    # The sector administrator may change any campaign, but it is the region's task.
    for persona in ("riskowner_a", "viewer_a", "secretariat", "admin"):
        campaigns = _section(_page(client_as, personas.by_name(persona)), "campaigns")
        assert campaign.get_absolute_url() not in campaigns, persona


def test_four_eyes_another_ciso_approves_what_one_submitted(sector, client_as):
    personas = sector.personas
    second = UserFactory(username="ciso2.a")
    MembershipFactory(user=second, organisation=personas.region_a, role=Role.CISO)
    campaign = MaturityAssessment.objects.get(organisation=personas.region_a)
    assessment_submit(assessment=campaign, user=personas.ciso_a)
    url = campaign.get_absolute_url()
    assert url not in _section(_page(client_as, personas.ciso_a), "campaigns")
    assert url in _section(_page(client_as, second), "campaigns")
    # With one CISO left, the submitter approves it.
    second.memberships.all().delete()
    assert url in _section(_page(client_as, personas.ciso_a), "campaigns")


def test_report_drafts_wait_for_who_may_approve_them(sector, client_as):
    personas = sector.personas
    run = sector.runs["a"]
    assert run.get_absolute_url() not in _section(_page(client_as, personas.ciso_a), "reports")
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE)
    assert run.get_absolute_url() in _section(_page(client_as, personas.ciso_a), "reports")
    assert run.get_absolute_url() not in _section(_page(client_as, personas.riskowner_a), "reports")
    ReportRun.objects.filter(pk=run.pk).update(approved_at=timezone.now())
    assert run.get_absolute_url() not in _section(_page(client_as, personas.ciso_a), "reports")


def test_the_secretariat_approves_the_sectors_drafts(sector, client_as):
    personas = sector.personas
    run = ReportRun.objects.create(
        kind="council_appendix", period="2026", requested_by=personas.secretariat, status="done"
    )
    assert run.get_absolute_url() in _section(_page(client_as, personas.secretariat), "reports")
    assert run.get_absolute_url() not in _section(_page(client_as, personas.ciso_a), "reports")


def test_every_section_has_its_empty_state(personas, client_as):
    html = _page(client_as, personas.outsider)
    sections = ("actions", "reviews", "incident-clocks", "status-updates", "campaigns", "reports")
    for section in sections:
        assert 'class="empty-state"' in _section(html, section), section


# ---------------------------------------------------------------- queries, navigation, landing


def test_the_query_count_does_not_grow_with_the_tasks(
    sector, member, client_as, django_assert_max_num_queries
):
    personas = sector.personas
    client = client_as(personas.riskowner_a)
    with django_assert_max_num_queries(16):
        client.get(URL)
    for n in range(30):
        TreatmentAction.objects.create(
            risk=sector.risks["a"][n % 3],
            title=f"Tiltag {n}",
            owner=personas.riskowner_a,
            due=date(2020, 1, 1) + timedelta(days=n),
        )
    for initiative in Initiative.objects.all()[:8]:
        initiative.working_group = WorkingGroup.objects.get(slug="alpha")
        initiative.save()
    with django_assert_max_num_queries(16):
        response = client.get(URL)
    assert response.context["tasks"].actions.total == 33
    client = client_as(member)
    with django_assert_max_num_queries(16):
        response = client.get(URL)
    assert len(response.context["tasks"].missing_updates) >= 7


def test_the_navigation_and_each_first_page_link_to_it(sector, client_as):
    personas = sector.personas
    for persona in ("ciso_a", "riskowner_a", "viewer_a", "secretariat", "admin", "outsider"):
        response = client_as(personas.by_name(persona)).get(reverse("home"))
        assert response.status_code == 200, persona
        assert response.content.decode().count(f'href="{URL}"') >= 2, persona  # menu + page


def test_a_working_group_member_who_only_reads_lands_on_their_tasks(sector, member, client_as):
    response = client_as(member).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == URL


@pytest.mark.parametrize(
    ("persona", "template"),
    [
        ("riskowner_a", "portal/dashboards/region.html"),
        ("ciso_a", "portal/dashboards/region.html"),
        ("secretariat", "portal/dashboards/sector.html"),  # chair of the group
    ],
)
def test_people_who_work_in_a_register_keep_their_dashboard(sector, client_as, persona, template):
    user = sector.personas.by_name(persona)
    WorkingGroupMember.objects.get_or_create(
        group=WorkingGroup.objects.get(slug="alpha"), user=user
    )
    response = client_as(user).get(reverse("home"))
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------- the API


API_URL = reverse("api:my-tasks")


def test_the_api_lists_the_same_tasks_with_links(sector, api_as):
    personas = sector.personas
    action = TreatmentAction.objects.create(
        risk=sector.risks["a"][1],
        title="Forsinket",
        owner=personas.riskowner_a,
        due=date(2020, 1, 2),
    )
    TreatmentAction.objects.create(
        risk=sector.risks["b"][0],
        title="B tiltag",
        owner=personas.riskowner_b,
        due=date(2020, 1, 2),
    )
    response = api_as(personas.riskowner_a).get(API_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == current_period().label
    actions = body["treatment_actions"]
    assert actions["total"] == 4
    first = actions["results"][0]
    assert (first["id"], first["overdue"], first["organisation"]) == (action.pk, True, "region-a")
    assert first["url"].endswith(action.get_absolute_url())
    assert [review["id"] for review in body["risk_reviews"]["results"]] == [sector.risks["a"][0].pk]
    assert body["campaigns_to_submit"] == body["reports_to_approve"] == []
    text = response.content.decode()
    for marker in sector.region_b_markers:
        assert marker not in text
    assert "B tiltag" not in text


def test_the_api_gives_the_ciso_the_campaign_and_the_draft(sector, api_as):
    personas = sector.personas
    ReportRun.objects.filter(pk=sector.runs["a"].pk).update(status=ReportRun.Status.DONE)
    body = api_as(personas.ciso_a).get(API_URL).json()
    campaign = MaturityAssessment.objects.get(organisation=personas.region_a)
    assert [(c["id"], c["status"]) for c in body["campaigns_to_submit"]] == [(campaign.pk, "open")]
    assert [run["id"] for run in body["reports_to_approve"]] == [sector.runs["a"].pk]
    assert body["reports_to_approve"][0]["organisation"] == "region-a"


def test_the_api_refuses_anonymous_requests(api_as):
    assert api_as(None).get(API_URL).status_code == 401
