"""A region has one attack-surface profile per period: a second one for the same period is a
field error on the form, not a database error."""

from django.urls import reverse

from risks.models import AttackSurfaceProfile
from risks.models.profile import DERIVED_FIGURES, PROFILE_FIGURES
from tests.factories import AssetFactory


def profile_form(period: str) -> dict[str, str]:
    figures = {name: "1" for name, _surface in PROFILE_FIGURES if name not in DERIVED_FIGURES}
    return {"period": period, "note": "", **figures}


def test_a_second_profile_for_a_period_is_a_field_error(personas, client_as):
    AssetFactory(organisation=personas.region_a)
    AttackSurfaceProfile.objects.create(organisation=personas.region_a, period="2026-H1")
    client = client_as(personas.ciso_a)
    url = reverse("risks:attack_surface_add", kwargs={"slug": personas.region_a.slug})
    response = client.post(url, profile_form("2026-H1"))
    assert response.status_code == 200
    assert "period" in response.context["form"].errors
    assert AttackSurfaceProfile.objects.filter(organisation=personas.region_a).count() == 1
    # Another period is fine, and so is the same period in another region.
    assert client.post(url, profile_form("2026-H2")).status_code == 302
    other = reverse("risks:attack_surface_add", kwargs={"slug": personas.region_b.slug})
    assert client_as(personas.ciso_b).post(other, profile_form("2026-H1")).status_code == 302


def test_editing_a_profile_keeps_its_own_period(personas, client_as):
    profile = AttackSurfaceProfile.objects.create(organisation=personas.region_a, period="2026-H1")
    url = reverse("risks:attack_surface_edit", kwargs={"pk": profile.pk})
    form = {**profile_form("2026-H1"), "version": profile.version}
    response = client_as(personas.ciso_a).post(url, form)
    assert response.status_code == 302, response.context["form"].errors
