"""The permission matrix for a region's risk matrix: changed, never added or deleted."""

from risks.models import RiskMatrix
from tests.factories import RiskMatrixFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestRiskMatrixPermissions(OrganisationOwnedMatrix):
    model = RiskMatrix
    edit_url_name = "risks:matrix_edit"
    api_list_url_name = "api:riskmatrix-list"
    api_detail_url_name = "api:riskmatrix-detail"
    api_methods = ("change",)
    not_offered = {
        "list": "a region has one matrix, reached from its heatmap",
        "detail": "the matrix is shown as the heatmap; its own page is the form",
        "delete": "one per organisation, made on first use (risk_matrix_for)",
    }
    watched_field = "low_max"

    def make_object(self, region):
        return RiskMatrixFactory(organisation=region)

    def form_data(self, obj):
        return {
            "likelihood_labels_da": "\n".join(obj.likelihood_labels_da),
            "likelihood_labels_en": "\n".join(obj.likelihood_labels_en),
            "consequence_labels_da": "\n".join(obj.consequence_labels_da),
            "consequence_labels_en": "\n".join(obj.consequence_labels_en),
            "low_max": 3,
            "medium_max": obj.medium_max,
            "high_max": obj.high_max,
            "colour_low": obj.colour_low,
            "colour_medium": obj.colour_medium,
            "colour_high": obj.colour_high,
            "colour_critical": obj.colour_critical,
            "version": obj.version,
        }

    def api_change(self, obj):
        return {"low_max": 3}
