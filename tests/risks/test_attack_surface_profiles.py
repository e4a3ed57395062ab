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


# --- the seed's figures as reference data -------------------------------------------------


def test_load_reference_gives_hovedstaden_the_seeds_figures_with_their_lower_bounds(db, client):
    from django.core.management import call_command
    from django.utils import translation

    from portal.models import Organisation
    from tests.factories import MembershipFactory, UserFactory

    call_command("load_reference", verbosity=0)
    hovedstaden = Organisation.objects.get(slug="hovedstaden")
    profile = AttackSurfaceProfile.objects.get(organisation=hovedstaden, period="2024-H1")
    assert (profile.employees, profile.medical_devices, profile.data_centres) == (45000, 150000, 2)
    assert "employees" in profile.lower_bounds and "data_centres" not in profile.lower_bounds
    assert profile.students is None  # the seed names students without a number

    # A region's correction stays when the reference data is loaded again.
    AttackSurfaceProfile.objects.filter(pk=profile.pk).update(employees=46000)
    call_command("load_reference", verbosity=0)
    profile.refresh_from_db()
    assert profile.employees == 46000

    with translation.override("da"):
        assert profile.figure_display("employees") == "46.000+"
        assert profile.figure_display("data_centres") == "2"
    with translation.override("en"):
        assert profile.figure_display("medical_devices") == "150,000+"

    ciso = UserFactory(username="ciso.hovedstaden.test")
    MembershipFactory(user=ciso, organisation=hovedstaden, role="ciso")
    client.force_login(ciso)
    page = client.get(reverse("risks:attack_surface", kwargs={"slug": "hovedstaden"}))
    html = page.content.decode()
    assert ">150.000+<" in html and ">2<" in html
    assert "Udateret; 1. halvår" in html  # where the figures come from


def test_the_form_keeps_the_lower_bounds_and_refuses_a_figure_it_does_not_have(personas, client_as):
    profile = AttackSurfaceProfile.objects.create(organisation=personas.region_a, period="2026-H1")
    url = reverse("risks:attack_surface_edit", kwargs={"pk": profile.pk})
    client = client_as(personas.ciso_a)
    form = {**profile_form("2026-H1"), "version": profile.version, "lower_bounds": ["employees"]}
    assert client.post(url, form).status_code == 302
    profile.refresh_from_db()
    assert profile.lower_bounds == ["employees"]
    bad = {**form, "version": profile.version, "lower_bounds": ["salaries"]}
    response = client.post(url, bad)
    assert response.status_code == 200 and "lower_bounds" in response.context["form"].errors
