"""The permission matrix for treatment actions: they follow their risk (``ParentPolicy``)."""

from datetime import date, timedelta

from risks.models import TreatmentAction
from tests.factories import RiskFactory, TreatmentActionFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestTreatmentActionPermissions(OrganisationOwnedMatrix):
    model = TreatmentAction
    list_url_name = "risks:treatment_plan"
    detail_url_name = None
    edit_url_name = "risks:treatment_edit"
    delete_url_name = "risks:treatment_delete"
    api_list_url_name = "api:treatmentaction-list"
    api_detail_url_name = "api:treatmentaction-detail"
    not_offered = {"detail": "an action is shown on its risk's page (the risk's matrix)"}
    create_scope = ("risk", 999_999_999)
    watched_field = "title"

    def make_object(self, region):
        return TreatmentActionFactory(risk=RiskFactory(organisation=region), title="Indfør MFA")

    def form_data(self, obj):
        return {
            "title": "Indfør MFA overalt",
            "due": obj.due.isoformat(),
            "status": "open",
            "version": obj.version,
        }

    def api_change(self, obj):
        return {"title": "Indfør MFA overalt"}

    def api_create(self, region):
        risk = RiskFactory(organisation=region)
        due = date.today() + timedelta(days=60)  # a new action is not due in the past
        return {"risk": risk.pk, "title": "Nyt tiltag", "due": due.isoformat()}

    def setup_region(self, region):
        RiskFactory(organisation=region)  # so region B's CISO may add treatments somewhere
