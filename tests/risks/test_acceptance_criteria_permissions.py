"""The permission matrix for the regions' acceptance criteria: read by the region, a version
prepared through a named action (the CISO) and never changed or deleted through the API."""

from risks.acceptance import acceptance_criteria_draft
from risks.models import AcceptanceCriteria
from tests.permission_matrix import OrganisationOwnedMatrix
from tests.risks.conftest import DEFAULT_VALUES


class TestAcceptanceCriteriaPermissions(OrganisationOwnedMatrix):
    model = AcceptanceCriteria
    detail_url_name = "risks:criteria_detail"
    api_list_url_name = "api:acceptancecriteria-list"
    api_detail_url_name = "api:acceptancecriteria-detail"
    api_methods = ("create",)
    api_create_rule = (
        "risks.draft_acceptance_criteria (tests/risks/test_acceptance_criteria.py: "
        "test_the_api_drafts_and_approves_a_version)"
    )
    not_offered = {
        "list": "a region's versions are listed on its criteria page (/risks/criteria/<slug>/)",
        "edit": "a version is never edited: the CISO prepares a new one, the direktion approves",
        "delete": "an approved version is never deleted; a draft is replaced by the next",
    }
    detail_has_edit_link = False
    watched_field = "note"

    def make_object(self, region):
        from portal.models import Membership

        ciso = Membership.objects.filter(organisation=region, role="ciso").first().user
        return acceptance_criteria_draft(
            organisation=region, user=ciso, values={**DEFAULT_VALUES, "note": "Udkast"}
        )
