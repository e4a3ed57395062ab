"""The report runs' region filter lists the regions the user may see, even before any run."""

from django.urls import reverse

from reports.models import ReportRun


def region_choices(client) -> list[str]:
    response = client.get(reverse("reports:run_list"))
    assert response.status_code == 200
    field = response.context["filter_form"].fields["organisation"]
    return sorted(field.queryset.values_list("slug", flat=True))


def test_a_region_user_is_offered_their_region_before_any_run(client_as, personas):
    assert not ReportRun.objects.exists()
    assert region_choices(client_as(personas.ciso_a)) == ["region-a"]
    assert region_choices(client_as(personas.viewer_b)) == ["region-b"]


def test_the_sector_administrator_is_offered_every_region(client_as, personas):
    assert region_choices(client_as(personas.admin)) == ["region-a", "region-b"]


def test_filtering_by_another_region_is_a_field_error(client_as, personas):
    response = client_as(personas.ciso_a).get(
        reverse("reports:run_list"), {"organisation": "region-b"}
    )
    assert response.status_code == 200
    assert "organisation" in response.context["filter_form"].errors
