"""Joint assessments of shared systems (issue 16, item 4): a risk on a shared system that the
lead region's CISO makes joint is edited by every region sharing the system — its CISO and
the risk owners it names — through the page and the API; each change records the region it
was made for; a third region sees nothing (404); a risk that is not joint stays read-only to
the sharing regions; the register and the heatmap of a sharing region show it marked."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.access import Action, can
from portal.access.roles import Role
from risks.models import JointRiskOwner, Risk, TreatmentAction
from tests.factories import AssetFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.risks.conftest import make_risk

PRIVATE = "Privat journalserver QX71"


@pytest.fixture
def region_c(db):
    region = OrganisationFactory(slug="region-c", name_da="Region C")
    people = {}
    for role in (Role.CISO, Role.RISK_OWNER, Role.VIEWER):
        user = UserFactory(username=f"{role}.c")
        MembershipFactory(user=user, organisation=region, role=role)
        people[role] = user
    region.people = people
    return region


@pytest.fixture
def shared_risk(personas, threats, shared_system):
    private = AssetFactory(organisation=personas.region_a, name=PRIVATE)
    risk = make_risk(personas.region_a, threats, title="Fælles risiko på laboratoriesystemet")
    risk.assets.add(shared_system, private)
    return risk


@pytest.fixture
def joint_risk(shared_risk):
    Risk.objects.filter(pk=shared_risk.pk).update(joint=True)
    shared_risk.refresh_from_db()
    return shared_risk


def _edit_values(risk: Risk, **changes) -> dict:
    values = {
        "version": risk.version,
        "title": risk.title,
        "description": risk.description,
        "threat": risk.threat_id,
        "attack_surface": risk.attack_surface,
        "vulnerability": risk.vulnerability,
        "inherent_likelihood": risk.inherent_likelihood,
        "inherent_consequence": risk.inherent_consequence,
        "residual_likelihood": risk.residual_likelihood,
        "residual_consequence": risk.residual_consequence,
        "status": risk.status,
        "treatment": risk.treatment,
        "acceptance_reason": risk.acceptance_reason,
        "next_review": "",
    }
    values.update(changes)
    return values


def _lead_values(risk: Risk, **changes) -> dict:
    """The lead region's form also holds the systems and the owner."""
    return _edit_values(
        risk, owner="", assets=list(risk.assets.values_list("pk", flat=True)), **changes
    )


def _detail(risk: Risk) -> str:
    return reverse("api:risk-detail", kwargs={"pk": risk.pk})


def test_the_lead_ciso_makes_a_shared_risk_joint_on_the_page(personas, shared_risk, client_as):
    client = client_as(personas.ciso_a)
    page = client.get(shared_risk.get_absolute_url()).content.decode()
    assert "Gør den til en fælles vurdering" in page
    response = client.post(
        reverse("risks:risk_joint", kwargs={"pk": shared_risk.pk}),
        {"joint": "on", "version": shared_risk.version},
    )
    assert response.status_code == 302
    shared_risk.refresh_from_db()
    assert shared_risk.joint
    entry = LogEntry.objects.get_for_object(shared_risk).order_by("-pk").first()
    assert entry.changes_dict["joint"] == ["False", "True"]
    assert entry.additional_data["acting_organisation"] == personas.region_a.pk


def test_a_stale_copy_does_not_make_a_risk_joint(personas, shared_risk, client_as):
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("risks:risk_joint", kwargs={"pk": shared_risk.pk}),
        {"joint": "on", "version": shared_risk.version + 5},
        follow=True,
    )
    assert "ændret risikoen" in response.content.decode()
    shared_risk.refresh_from_db()
    assert not shared_risk.joint


@pytest.mark.parametrize("persona", ["ciso_b", "riskowner_a", "viewer_a"])
def test_only_the_lead_ciso_makes_a_risk_joint(personas, shared_risk, client_as, persona):
    response = client_as(personas.by_name(persona)).post(
        reverse("risks:risk_joint", kwargs={"pk": shared_risk.pk}),
        {"joint": "on", "version": shared_risk.version},
    )
    assert response.status_code == 403
    shared_risk.refresh_from_db()
    assert not shared_risk.joint


def test_a_risk_on_no_shared_system_cannot_be_joint(personas, threats, client_as, api_as):
    risk = make_risk(personas.region_a, threats, title="Kun region A")
    risk.assets.add(AssetFactory(organisation=personas.region_a, name="Eget system"))
    response = client_as(personas.ciso_a).post(
        reverse("risks:risk_joint", kwargs={"pk": risk.pk}),
        {"joint": "on", "version": risk.version},
        follow=True,
    )
    assert "Kun en risiko på et fælles system kan vurderes i fællesskab." in (
        response.content.decode()
    )
    api = api_as(personas.ciso_a).post(
        reverse("api:risk-joint", kwargs={"pk": risk.pk}), {"joint": True}, format="json"
    )
    assert api.status_code == 400
    assert "joint" in api.json()
    risk.refresh_from_db()
    assert not risk.joint


def test_two_regions_edit_a_joint_risk_on_the_page_and_each_edit_records_its_region(
    personas, joint_risk, client_as
):
    url = reverse("risks:risk_edit", kwargs={"pk": joint_risk.pk})
    lead = client_as(personas.ciso_a)
    assert lead.post(url, _lead_values(joint_risk, description="A's view")).status_code == 302
    joint_risk.refresh_from_db()
    assert joint_risk.description == "A's view"

    sharing = client_as(personas.ciso_b)
    form = sharing.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    # The sharing region edits the assessment, not which systems it is on nor its owner.
    assert 'name="assets"' not in body and 'name="owner"' not in body
    assert PRIVATE not in body
    response = sharing.post(url, _edit_values(joint_risk, description="B's view"))
    assert response.status_code == 302, response.content.decode()[:2000]
    joint_risk.refresh_from_db()
    assert joint_risk.description == "B's view"
    assert set(joint_risk.assets.values_list("name", flat=True)) == {
        PRIVATE,
        "Fælles laboratoriesystem",
    }

    entries = LogEntry.objects.get_for_object(joint_risk).order_by("pk")
    regions = [entry.additional_data.get("acting_organisation") for entry in entries]
    assert regions[-2:] == [personas.region_a.pk, personas.region_b.pk]
    # The page's history names each region beside the person.
    page = client_as(personas.viewer_a).get(joint_risk.get_absolute_url()).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "Region A" in history and "Region B" in history
    assert "fælles" in page


def test_a_stale_edit_of_a_joint_risk_is_a_conflict(personas, joint_risk, client_as):
    url = reverse("risks:risk_edit", kwargs={"pk": joint_risk.pk})
    stale = _edit_values(joint_risk, description="B's late view")
    client_as(personas.ciso_a).post(url, _lead_values(joint_risk, description="A"))
    response = client_as(personas.ciso_b).post(url, stale)
    assert response.status_code == 409
    joint_risk.refresh_from_db()
    assert joint_risk.description == "A"


def test_two_regions_edit_a_joint_risk_through_the_api(personas, joint_risk, api_as):
    lead = api_as(personas.ciso_a)
    etag = lead.get(_detail(joint_risk))["ETag"]
    answer = lead.patch(
        _detail(joint_risk), {"description": "A"}, format="json", HTTP_IF_MATCH=etag
    )
    assert answer.status_code == 200
    assert answer.json()["joint"] is True

    sharing = api_as(personas.ciso_b)
    stale = sharing.patch(
        _detail(joint_risk), {"description": "B"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    etag = sharing.get(_detail(joint_risk))["ETag"]
    answer = sharing.patch(
        _detail(joint_risk), {"description": "B"}, format="json", HTTP_IF_MATCH=etag
    )
    assert answer.status_code == 200, answer.content
    # Which systems the risk is on is the lead region's to change.
    refused = sharing.patch(
        _detail(joint_risk),
        {"assets": [joint_risk.assets.get(name__startswith="Fælles").pk]},
        format="json",
    )
    assert refused.status_code == 400
    assert "assets" in refused.json()

    history = sharing.get(reverse("api:risk-history", kwargs={"pk": joint_risk.pk})).json()
    rows = history["results"] if isinstance(history, dict) else history
    assert [row["region"] for row in rows[:2]] == ["Region B", "Region A"]
    assert PRIVATE not in str(rows)


def test_a_sharing_region_cannot_edit_a_risk_that_is_not_joint(
    personas, shared_risk, client_as, api_as
):
    assert not can(personas.ciso_b, Action.CHANGE, shared_risk)
    client = client_as(personas.ciso_b)
    assert client.get(shared_risk.get_absolute_url()).status_code == 200  # read-only
    url = reverse("risks:risk_edit", kwargs={"pk": shared_risk.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, _edit_values(shared_risk, description="B")).status_code == 403
    answer = api_as(personas.ciso_b).patch(
        _detail(shared_risk), {"description": "B"}, format="json"
    )
    assert answer.status_code == 403
    shared_risk.refresh_from_db()
    assert shared_risk.description == ""


def test_a_third_region_gets_404_everywhere(personas, joint_risk, region_c, client_as, api_as):
    ciso_c = region_c.people[Role.CISO]
    client = client_as(ciso_c)
    for url in (
        joint_risk.get_absolute_url(),
        reverse("risks:risk_edit", kwargs={"pk": joint_risk.pk}),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("risks:risk_joint", kwargs={"pk": joint_risk.pk}),
            {"version": joint_risk.version},
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse(
                "risks:risk_joint_owners",
                kwargs={"pk": joint_risk.pk, "slug": region_c.slug},
            ),
            {},
        ).status_code
        == 404
    )
    api = api_as(ciso_c)
    assert api.get(_detail(joint_risk)).status_code == 404
    assert api.patch(_detail(joint_risk), {"title": "C"}, format="json").status_code == 404
    assert api.get(reverse("api:risk-history", kwargs={"pk": joint_risk.pk})).status_code == 404
    exported = client.get(reverse("risks:export", kwargs={"kind": "risks"}), {"format": "csv"})
    body = (
        b"".join(exported.streaming_content).decode()
        if exported.streaming
        else exported.content.decode()
    )
    assert joint_risk.title not in body
    assert joint_risk.title not in client.get(reverse("risks:risk_list")).content.decode()


def test_named_risk_owners_of_a_sharing_region_edit_it_and_others_do_not(
    personas, joint_risk, client_as, api_as
):
    url = reverse(
        "risks:risk_joint_owners", kwargs={"pk": joint_risk.pk, "slug": personas.region_b.slug}
    )
    assert not can(personas.riskowner_b, Action.CHANGE, joint_risk)
    # Only region B's CISO names region B's people; to others the region is not one to name for.
    assert (
        client_as(personas.ciso_a).post(url, {"owners": [personas.riskowner_b.pk]}).status_code
        == 404
    )
    response = client_as(personas.ciso_b).post(url, {"owners": [personas.riskowner_b.pk]})
    assert response.status_code == 302
    assert JointRiskOwner.objects.filter(
        risk=joint_risk, organisation=personas.region_b, user=personas.riskowner_b
    ).exists()
    assert can(personas.riskowner_b, Action.CHANGE, joint_risk)
    assert not can(personas.viewer_b, Action.CHANGE, joint_risk)
    answer = api_as(personas.riskowner_b).patch(
        _detail(joint_risk), {"residual_likelihood": 1}, format="json"
    )
    assert answer.status_code == 200, answer.content
    entry = LogEntry.objects.get_for_object(joint_risk).order_by("-pk").first()
    assert entry.additional_data["acting_organisation"] == personas.region_b.pk

    # A person of another region is answered as one who does not exist.
    refused = api_as(personas.ciso_b).put(
        reverse("api:risk-joint-owners", kwargs={"pk": joint_risk.pk}),
        {"organisation": personas.region_b.slug, "owners": [personas.riskowner_a.username]},
        format="json",
    )
    assert refused.status_code == 400
    # Naming nobody takes the right away.
    cleared = api_as(personas.ciso_b).put(
        reverse("api:risk-joint-owners", kwargs={"pk": joint_risk.pk}),
        {"organisation": personas.region_b.slug, "owners": []},
        format="json",
    )
    assert cleared.status_code == 200
    assert not can(personas.riskowner_b, Action.CHANGE, joint_risk)


def test_ending_the_joint_assessment_makes_it_read_only_again(personas, joint_risk, api_as):
    etag = api_as(personas.ciso_a).get(_detail(joint_risk))["ETag"]
    stale = api_as(personas.ciso_a).post(
        reverse("api:risk-joint", kwargs={"pk": joint_risk.pk}),
        {"joint": False},
        format="json",
        HTTP_IF_MATCH='"999"',
    )
    assert stale.status_code == 412
    ended = api_as(personas.ciso_a).post(
        reverse("api:risk-joint", kwargs={"pk": joint_risk.pk}),
        {"joint": False},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert ended.status_code == 200
    assert ended.json()["joint"] is False
    assert not can(personas.ciso_b, Action.CHANGE, joint_risk)
    refused = api_as(personas.ciso_b).post(
        reverse("api:risk-joint", kwargs={"pk": joint_risk.pk}), {"joint": True}, format="json"
    )
    assert refused.status_code == 403


def test_unsharing_a_system_with_joint_risks_is_refused(
    personas, joint_risk, shared_system, client_as, api_as
):
    answer = api_as(personas.ciso_a).patch(
        reverse("api:asset-detail", kwargs={"pk": shared_system.pk}),
        {"shared_with": []},
        format="json",
    )
    assert answer.status_code == 400
    assert "shared_with" in answer.json()
    form = client_as(personas.ciso_a).post(
        reverse("risks:asset_edit", kwargs={"pk": shared_system.pk}),
        {
            "version": shared_system.version,
            "organisation": personas.region_a.pk,
            "name": shared_system.name,
            "kind": shared_system.kind,
            "quantity": 1,
        },
    )
    assert form.status_code == 200
    assert "vurderer 1 risici på dette system i fællesskab" in form.content.decode()
    assert list(shared_system.shared_with.all()) == [personas.region_b]
    # Nor may the lead move the joint risk off the shared system.
    private = joint_risk.assets.get(name=PRIVATE)
    moved = api_as(personas.ciso_a).patch(
        _detail(joint_risk), {"assets": [private.pk]}, format="json"
    )
    assert moved.status_code == 400
    # Once the joint assessment has ended, the system may be shared with fewer regions.
    Risk.objects.filter(pk=joint_risk.pk).update(joint=False)
    answer = api_as(personas.ciso_a).patch(
        reverse("api:asset-detail", kwargs={"pk": shared_system.pk}),
        {"shared_with": []},
        format="json",
    )
    assert answer.status_code == 200


def test_treatment_actions_of_a_joint_risk_stay_with_the_lead_region(
    personas, joint_risk, client_as, api_as
):
    action = TreatmentAction.objects.create(
        risk=joint_risk, title="Fælles nødprocedure", due="2099-01-01"
    )
    assert can(personas.ciso_b, Action.VIEW, action)
    assert not can(personas.ciso_b, Action.CHANGE, action)
    client = client_as(personas.ciso_b)
    assert (
        client.get(reverse("risks:treatment_add", kwargs={"risk": joint_risk.pk})).status_code
        == 403
    )
    page = client.get(joint_risk.get_absolute_url()).content.decode()
    assert "Fælles nødprocedure" in page
    assert reverse("risks:treatment_add", kwargs={"risk": joint_risk.pk}) not in page
    answer = api_as(personas.ciso_b).post(
        reverse("api:treatmentaction-list"),
        {"risk": joint_risk.pk, "title": "B's", "due": "2099-01-01"},
        format="json",
    )
    assert answer.status_code == 403  # a risk they read, but add no actions to


def test_a_joint_risk_is_in_the_sharing_region_s_register_and_heatmap_marked(
    personas, joint_risk, shared_risk, threats, client_as, django_assert_max_num_queries
):
    client = client_as(personas.ciso_b)
    register = client.get(
        reverse("risks:risk_list"), {"organisation": personas.region_b.slug}
    ).content.decode()
    assert joint_risk.title in register
    assert "fælles" in register
    heatmap = client.get(reverse("risks:heatmap"), {"organisation": personas.region_b.slug})
    assert sum(count for _level, count, _url in heatmap.context["level_counts"]) == 1
    assert heatmap.context["joint_count"] == 1
    assert "fælles vurdering" in heatmap.content.decode()
    # A risk on the shared system that is not joint is not in region B's register.
    other = make_risk(personas.region_a, threats, title="Ikke fælles")
    other.assets.add(joint_risk.assets.get(name__startswith="Fælles"))
    register = client.get(
        reverse("risks:risk_list"), {"organisation": personas.region_b.slug}
    ).content.decode()
    assert "Ikke fælles" not in register

    # The number of queries does not grow with the joint risks.
    for n in range(5):
        extra = make_risk(personas.region_a, threats, title=f"Fælles {n}", joint=True)
        extra.assets.add(joint_risk.assets.get(name__startswith="Fælles"))
    with django_assert_max_num_queries(20):
        client.get(reverse("risks:risk_list"), {"organisation": personas.region_b.slug})
    with django_assert_max_num_queries(20):
        response = client.get(reverse("risks:heatmap"), {"organisation": personas.region_b.slug})
    assert response.context["joint_count"] == 6


def test_the_demo_sector_has_joint_risks_on_its_shared_systems(db, settings):
    from io import StringIO

    from django.core.management import call_command

    from risks.models import Asset

    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", verbosity=0, stdout=StringIO())
    shared = Asset.objects.filter(shared_with__isnull=False).distinct()
    assert shared.count() == 3
    for system in shared:
        joint = Risk.objects.filter(joint=True, assets=system, organisation=system.organisation)
        assert joint.count() == 2, system.name
        for partner in system.shared_with.all():
            owner = JointRiskOwner.objects.get(risk=joint.first(), organisation=partner).user
            assert can(owner, Action.CHANGE, joint.first())
    platform = Risk.objects.filter(joint=True, assets__name="Sundhedsplatformen").first()
    ciso_sjaelland = get_user_model().objects.get(username="ciso.sjaelland")
    assert can(ciso_sjaelland, Action.CHANGE, platform)
    assert not can(get_user_model().objects.get(username="ciso.nordjylland"), Action.VIEW, platform)
    # Seeding again keeps them.
    call_command("seed_demo", "--scale", "0.05", verbosity=0, stdout=StringIO())
    assert Risk.objects.filter(joint=True).count() == 6


def test_each_sharing_region_s_quarterly_report_lists_the_joint_risk_marked(
    personas, joint_risk, region_c, tmp_path
):
    """The lead's figures count the joint risk; every region taking part finds it in its
    quarterly report, marked and with the lead named — live, and kept with the quarter's
    snapshot for the past; a region it is not shared with does not."""
    from django.utils import translation
    from django.utils.timezone import localdate

    from portal.periods import Period
    from reports.models import ReportRun
    from reports.rendering import render_pdf, report_context
    from risks.models import RiskSnapshotListing
    from risks.selectors import QuarterListing
    from risks.services import risk_snapshots_take
    from tests.reports.conftest import pdf_text

    quarter = Period.containing(localdate(), "Q").label

    def joint_rows(region) -> list[tuple[str, str]]:
        run = ReportRun(kind="ciso_quarterly", organisation=region, period=quarter, language="en")
        return [
            (row.title, lead) for row, _status, lead in report_context(run).get("joint_rows", [])
        ]

    assert joint_rows(personas.region_b) == [(joint_risk.title, "Region A")]
    assert joint_rows(personas.region_a) == [(joint_risk.title, "Region A")]
    assert joint_rows(region_c) == []
    run = ReportRun(
        kind="ciso_quarterly", organisation=personas.region_b, period=quarter, language="en"
    )
    with translation.override("en"):
        text = " ".join(pdf_text(render_pdf(run), tmp_path, layout=False).split())
    assert "Joint assessments of shared systems" in text
    assert f"{joint_risk.title} (joint)" in text
    assert PRIVATE not in text  # the lead's own system is not the sharing region's to read

    risk_snapshots_take(today=localdate())
    kept = QuarterListing.from_json(
        RiskSnapshotListing.objects.get(
            snapshot__organisation=personas.region_b, snapshot__period=quarter
        ).listing
    )
    assert [(row.title, row.lead_id, row.led_here) for row in kept.joint] == [
        (joint_risk.title, personas.region_a.pk, False)
    ]
    # Ending the joint assessment takes it out of the sharing region's list.
    Risk.objects.filter(pk=joint_risk.pk).update(joint=False)
    assert joint_rows(personas.region_b) == []
