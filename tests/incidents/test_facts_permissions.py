"""The permission matrix for the incidents' facts: no page or endpoint of their own; the
sector view, the sector incidents and the council appendix read them through the permission
layer, which must answer as the policy does — the region's roles read their region's, the TSI
secretariat every region's (they hold no text), and nobody writes one but the services."""

from incidents.models import IncidentFacts
from tests.factories import IncidentFactsFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestIncidentFactsPermissions(OrganisationOwnedMatrix):
    model = IncidentFacts
    not_offered = {
        "list": "counted on the sector view (incidents.sector), never listed",
        "detail": "as list",
        "edit": "written by the incidents' services only (incidents.facts)",
        "delete": "deleted with its incident",
        "api": "the API gives their counts (sector-incidents/figures/), not the rows",
    }
    watched_field = "status"

    def make_object(self, region):
        return IncidentFactsFactory(incident__organisation=region)
