"""The permission matrix for attack-surface profiles (a region's page, no API)."""

from risks.models import AttackSurfaceProfile
from tests.factories import AttackSurfaceProfileFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestAttackSurfaceProfilePermissions(OrganisationOwnedMatrix):
    model = AttackSurfaceProfile
    detail_url_name = "risks:attack_surface"
    edit_url_name = "risks:attack_surface_edit"
    not_offered = {
        "list": "each region's profiles are listed on its attack-surface page (the detail here)",
        "delete": "profiles are kept as the region's history; no page deletes one",
        "api": "the API has no attack-surface endpoint",
    }
    detail_has_edit_link = False  # the page offers "may_edit", not an edit_url
    watched_field = "note"

    def make_object(self, region):
        return AttackSurfaceProfileFactory(organisation=region, note="Gammel note")

    def url_kwargs(self, action, obj):
        if action == "detail":
            return {"slug": obj.organisation.slug}
        return {"pk": obj.pk}

    def form_data(self, obj):
        return {"period": obj.period, "employees": 1200, "note": "Ny note", "version": obj.version}
