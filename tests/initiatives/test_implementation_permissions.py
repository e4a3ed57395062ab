"""The permission matrix for regional implementation status.

``RegionalImplementation.access_policy`` is ``public_read`` (every signed-in user reads the
whole matrix: the strategy asks for uniform implementation) with ``sector_edit_roles`` (the
TSI secretariat edits every region's row); the expectations come from the policy."""

from initiatives.models import RegionalImplementation
from tests.factories import InitiativeFactory, RegionalImplementationFactory, StrategyFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestRegionalImplementationPermissions(OrganisationOwnedMatrix):
    model = RegionalImplementation
    list_url_name = "initiatives:implementation_matrix"
    edit_url_name = "initiatives:implementation_edit"
    api_list_url_name = "api:regionalimplementation-list"
    api_detail_url_name = "api:regionalimplementation-detail"
    api_methods = ("change",)
    not_offered = {
        "detail": "a row is a cell of the implementation matrix (the list here)",
        "delete": "every region has a row for every initiative; none is deleted",
    }
    watched_field = "status"

    def make_object(self, region):
        strategy = StrategyFactory(start_year=2023, end_year=2099)  # the one in force
        initiative = InitiativeFactory(strategy=strategy)
        return RegionalImplementationFactory(initiative=initiative, organisation=region)

    def listed(self, response):
        return [cell for _initiative, cells in response.context["rows"] for cell in cells if cell]

    def form_data(self, obj):
        return {"status": "implemented", "note": "Færdig", "version": obj.version}

    def api_change(self, obj):
        return {"status": "implemented"}
