"""The permission matrix for critical functions."""

from risks.models import CriticalFunction
from tests.factories import CriticalFunctionFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestCriticalFunctionPermissions(OrganisationOwnedMatrix):
    model = CriticalFunction
    list_url_name = "risks:critical_function_list"
    detail_url_name = "risks:critical_function_detail"
    edit_url_name = "risks:critical_function_edit"
    delete_url_name = "risks:critical_function_delete"
    api_list_url_name = "api:criticalfunction-list"
    api_detail_url_name = "api:criticalfunction-detail"
    watched_field = "description"

    def make_object(self, region):
        return CriticalFunctionFactory(organisation=region, description="Gammel beskrivelse")

    def form_data(self, obj):
        return {
            "organisation": obj.organisation.pk,
            "name": obj.name,
            "description": "Ny beskrivelse",
            "version": obj.version,
        }

    def api_change(self, obj):
        return {"description": "Ny beskrivelse"}

    def api_create(self, region):
        return {"organisation": region.slug, "name": "Akutmodtagelse", "systems": []}
