"""Maturity campaigns: atomic, conflict-safe, frozen once approved, shared when approved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from capabilities.maturity import EntryInput, assessment_save_entries, assessment_start
from capabilities.models import Capability, Discipline, MaturityAssessment
from tests.capabilities.conftest import approved_campaign


def form_data(assessment, discipline, level=3, target=4, **override):
    capabilities = list(discipline.capabilities.order_by("order"))
    data = {
        "entries-TOTAL_FORMS": len(capabilities),
        "entries-INITIAL_FORMS": len(capabilities),
        "version": assessment.version,
    }
    for index, capability in enumerate(capabilities):
        data[f"entries-{index}-capability"] = capability.pk
        data[f"entries-{index}-current_level"] = level
        data[f"entries-{index}-target_level"] = target
    data.update(override)
    return data


def test_a_new_campaign_starts_from_the_previous_ones_values(personas, catalogue):
    approved_campaign(personas.region_a, personas.ciso_a, level=3, target=5)
    new = assessment_start(organisation=personas.region_a, period="2026-H1", user=personas.ciso_a)
    assert set(new.entries.values_list("current_level", "target_level")) == {(3, 5)}
    assert new.entries.count() == Capability.objects.count()


def test_the_form_saves_a_whole_discipline_or_nothing(personas, catalogue, client_as):
    assessment = assessment_start(
        organisation=personas.region_a, period="2026-H1", user=personas.ciso_a
    )
    discipline = Discipline.objects.get(code="detect")
    url = reverse(
        "capabilities:assessment_discipline", kwargs={"pk": assessment.pk, "code": "detect"}
    )
    client = client_as(personas.ciso_a)
    assert client.get(url).status_code == 200
    bad = form_data(assessment, discipline, **{"entries-1-current_level": 7})
    response = client.post(url, bad)
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["current_level"]
    assert set(
        assessment.entries.filter(capability__discipline=discipline).values_list(
            "current_level", flat=True
        )
    ) == {0}
    assert client.post(url, form_data(assessment, discipline)).status_code == 302
    assert set(
        assessment.entries.filter(capability__discipline=discipline).values_list(
            "current_level", flat=True
        )
    ) == {3}


def test_a_capability_of_another_discipline_in_the_form_is_refused(personas, catalogue, client_as):
    assessment = assessment_start(
        organisation=personas.region_a, period="2026-H1", user=personas.ciso_a
    )
    detect = Discipline.objects.get(code="detect")
    foreign = Capability.objects.filter(discipline__code="respond").first()
    data = form_data(assessment, detect, **{"entries-0-capability": foreign.pk})
    response = client_as(personas.ciso_a).post(
        reverse(
            "capabilities:assessment_discipline", kwargs={"pk": assessment.pk, "code": "detect"}
        ),
        data,
    )
    assert response.status_code == 200
    assert response.context["errors"]
    assert assessment.entries.get(capability=foreign).current_level == 0


def test_negative_target_is_a_field_error(personas, catalogue):
    assessment = assessment_start(
        organisation=personas.region_a, period="2026-H1", user=personas.ciso_a
    )
    capability = Capability.objects.first()
    with pytest.raises(ValidationError) as error:
        assessment_save_entries(
            assessment=assessment,
            entries=[EntryInput(capability_id=capability.pk, current_level=1, target_level=-1)],
            user=personas.ciso_a,
            expected_version=assessment.version,
        )
    assert "target_level" in error.value.message_dict


def test_a_stale_form_is_a_conflict(personas, catalogue, client_as):
    assessment = assessment_start(
        organisation=personas.region_a, period="2026-H1", user=personas.ciso_a
    )
    discipline = Discipline.objects.get(code="prevent")
    url = reverse(
        "capabilities:assessment_discipline", kwargs={"pk": assessment.pk, "code": "prevent"}
    )
    client = client_as(personas.ciso_a)
    first = form_data(assessment, discipline, level=2)
    assert client.post(url, first).status_code == 302
    response = client.post(
        url, form_data(assessment, discipline, level=4, version=first["version"])
    )
    assert response.status_code == 409
    assert set(
        assessment.entries.filter(capability__discipline=discipline).values_list(
            "current_level", flat=True
        )
    ) == {2}


def test_an_approved_campaign_cannot_be_changed(personas, catalogue, client_as, api_as):
    assessment = approved_campaign(personas.region_a, personas.ciso_a)
    url = reverse(
        "capabilities:assessment_discipline", kwargs={"pk": assessment.pk, "code": "detect"}
    )
    assert client_as(personas.ciso_a).get(url).status_code == 403
    capability = Capability.objects.filter(discipline__code="detect").first()
    api = api_as(personas.ciso_a)
    response = api.patch(
        reverse("api:maturityassessment-detail", kwargs={"pk": assessment.pk}),
        {"entries": [{"capability": capability.slug, "current_level": 5, "target_level": 5}]},
        format="json",
    )
    assert response.status_code == 403
    assert assessment.entries.get(capability=capability).current_level == 2


def test_the_api_saves_entries_atomically_while_open(personas, catalogue, api_as):
    assessment = assessment_start(
        organisation=personas.region_a, period="2026-H1", user=personas.ciso_a
    )
    first, second = Capability.objects.all()[:2]
    url = reverse("api:maturityassessment-detail", kwargs={"pk": assessment.pk})
    api = api_as(personas.ciso_a)
    bad = api.patch(
        url,
        {
            "entries": [
                {"capability": first.slug, "current_level": 3, "target_level": 4},
                {"capability": second.slug, "current_level": 7, "target_level": 4},
            ]
        },
        format="json",
    )
    assert bad.status_code == 400
    assert assessment.entries.get(capability=first).current_level == 0
    good = api.patch(
        url,
        {"entries": [{"capability": first.slug, "current_level": 3, "target_level": 4}]},
        format="json",
    )
    assert good.status_code == 200, good.content
    body = api.get(url).json()
    assert {"id", "organisation", "period", "status", "entries"} <= set(body)
    entry = next(e for e in body["entries"] if e["capability"] == first.slug)
    assert (entry["current_level"], entry["target_level"]) == (3, 4)


def test_another_region_cannot_touch_a_campaign_but_sees_approved_values(
    personas, catalogue, client_as, api_as
):
    open_b = assessment_start(
        organisation=personas.region_b, period="2026-H1", user=personas.ciso_b
    )
    approved_b = approved_campaign(personas.region_b, personas.ciso_b, period="2025-H2", level=4)
    client = client_as(personas.ciso_a)
    assert (
        client.get(reverse("capabilities:assessment_detail", kwargs={"pk": open_b.pk})).status_code
        == 404
    )
    assert (
        client.get(
            reverse(
                "capabilities:assessment_discipline", kwargs={"pk": open_b.pk, "code": "detect"}
            )
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse(
                "capabilities:assessment_transition",
                kwargs={"pk": open_b.pk, "transition": "submit"},
            )
        ).status_code
        == 404
    )
    # The approved one is visible (shared in TSI) but not changeable: 403.
    assert (
        client.get(
            reverse("capabilities:assessment_detail", kwargs={"pk": approved_b.pk})
        ).status_code
        == 200
    )
    assert (
        client.post(
            reverse(
                "capabilities:assessment_transition",
                kwargs={"pk": approved_b.pk, "transition": "approve"},
            )
        ).status_code
        == 403
    )
    api = api_as(personas.ciso_a)
    assert (
        api.patch(
            reverse("api:maturityassessment-detail", kwargs={"pk": approved_b.pk}),
            {"entries": []},
            format="json",
        ).status_code
        == 403
    )
    # Starting region B's campaign is refused.
    response = client.post(
        reverse("capabilities:assessment_list"),
        {"organisation": personas.region_b.pk, "period": "2026-H2"},
    )
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    sector = client.get(reverse("capabilities:sector"))
    assert personas.region_b.pk in sector.context["comparison"].assessments
    capability = Capability.objects.first()
    assert (
        sector.context["comparison"].cells[(personas.region_b.pk, capability.pk)].current_level == 4
    )
    # A viewer of region A sees only their own region's campaigns.
    assert (
        api_as(personas.viewer_a)
        .get(reverse("api:maturityassessment-detail", kwargs={"pk": approved_b.pk}))
        .status_code
        == 404
    )


def test_submit_and_approve_through_the_pages(personas, catalogue, client_as):
    assessment = assessment_start(
        organisation=personas.region_a, period="2026-H1", user=personas.ciso_a
    )
    client = client_as(personas.ciso_a)
    client.post(
        reverse(
            "capabilities:assessment_transition",
            kwargs={"pk": assessment.pk, "transition": "submit"},
        ),
        {"version": assessment.version, "confirm": "on"},
    )
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert (
        client_as(personas.viewer_a)
        .post(
            reverse(
                "capabilities:assessment_transition",
                kwargs={"pk": assessment.pk, "transition": "approve"},
            )
        )
        .status_code
        == 403
    )
    client = client_as(personas.ciso_a)  # the test client is shared: sign the CISO in again
    client.post(
        reverse(
            "capabilities:assessment_transition",
            kwargs={"pk": assessment.pk, "transition": "approve"},
        ),
        {"version": assessment.version, "confirm": "on"},
    )
    assessment.refresh_from_db()
    assert (assessment.status, assessment.approved_by) == ("approved", personas.ciso_a)
    assert MaturityAssessment.objects.restrict(personas.ciso_b).filter(pk=assessment.pk).exists()


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"current_level": 7, "target_level": 4}, "current_level"),
        ({"current_level": 2, "target_level": -1}, "target_level"),
    ],
)
def test_out_of_range_levels_are_field_errors_in_the_api(personas, catalogue, api_as, entry, field):
    assessment = assessment_start(
        organisation=personas.region_a, period="2026-H1", user=personas.ciso_a
    )
    capability = Capability.objects.first()
    response = api_as(personas.ciso_a).patch(
        reverse("api:maturityassessment-detail", kwargs={"pk": assessment.pk}),
        {"entries": [{"capability": capability.slug, **entry}]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["entries"]
    first = errors["0"] if isinstance(errors, dict) else errors[0]  # DRF keys list errors by index
    assert field in first
    assert assessment.entries.get(capability=capability).current_level == 0
