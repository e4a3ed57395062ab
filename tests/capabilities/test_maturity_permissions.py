"""The permission matrix for maturity campaigns and their entries.

``MaturityAssessment.access_policy`` shares approved campaigns within TSI (every CISO and
the secretariat read them: ``sector_read_roles`` with ``sector_read_filter``); an open one
stays with its region. Both variants run, the expectations read from the policy."""

from capabilities.models import MaturityAssessment, MaturityEntry
from tests.factories import CapabilityFactory, MaturityAssessmentFactory, MaturityEntryFactory
from tests.permission_matrix import OrganisationOwnedMatrix


def campaign(region, *, status=MaturityAssessment.Status.OPEN) -> MaturityAssessment:
    assessment = MaturityAssessmentFactory(organisation=region, status=status)
    MaturityEntryFactory(assessment=assessment, capability=CapabilityFactory())
    return assessment


class TestMaturityAssessmentPermissions(OrganisationOwnedMatrix):
    model = MaturityAssessment
    list_url_name = "capabilities:assessment_list"
    detail_url_name = "capabilities:assessment_detail"
    api_list_url_name = "api:maturityassessment-list"
    api_detail_url_name = "api:maturityassessment-detail"
    api_methods = ("change",)
    not_offered = {
        "edit": "the entries are edited per discipline (MaturityEntry's matrix); the campaign "
        "itself moves only by the named transitions submit, approve and reopen",
        "delete": "campaigns are kept; no page deletes one",
    }
    detail_has_edit_link = False  # a DetailView with may_edit, not an edit_url
    watched_field = "status"

    def make_object(self, region):
        return campaign(region)

    def _levels(self, obj):
        return list(obj.entries.order_by("pk").values_list("current_level", flat=True))

    def _assert_unchanged(self, obj):
        super()._assert_unchanged(obj)
        assert self._levels(obj) == [2]

    def api_change(self, obj):
        entry = obj.entries.get()
        return {
            "entries": [
                {"capability": entry.capability.slug, "current_level": 4, "target_level": 5}
            ]
        }

    def assert_changed(self, obj, sent):
        assert self._levels(obj) == [4]


class TestApprovedMaturityAssessmentPermissions(TestMaturityAssessmentPermissions):
    """An approved campaign: read sector-wide by the roles the policy names. It is frozen
    (``assessment_save_entries`` refuses it, tests/capabilities/test_maturity.py), so only
    refusals are checked for writes."""

    def make_object(self, region):
        return campaign(region, status=MaturityAssessment.Status.APPROVED)

    def _check_changes(self, obj, persona, user, reads, client, api):
        if reads and self.may_write(persona, obj, "change", user):
            return  # frozen: tested in tests/capabilities/test_maturity.py
        super()._check_changes(obj, persona, user, reads, client, api)


class TestMaturityEntryPermissions(OrganisationOwnedMatrix):
    """Entries follow their campaign (``ParentPolicy``); they are read and saved on the
    campaign's discipline page, which asks for the right to change the campaign."""

    model = MaturityEntry
    edit_url_name = "capabilities:assessment_discipline"
    not_offered = {
        "list": "entries are listed on their campaign's page (MaturityAssessment's matrix)",
        "detail": "as list",
        "delete": "an entry lives as long as its campaign",
        "api": "entries are read and saved through the campaign's API (its matrix)",
    }
    watched_field = "current_level"

    def make_object(self, region):
        return campaign(region).entries.get()

    def url_kwargs(self, action, obj):
        return {"pk": obj.assessment_id, "code": obj.capability.discipline.code}

    def form_data(self, obj):
        return {
            "entries-TOTAL_FORMS": 1,
            "entries-INITIAL_FORMS": 1,
            "entries-0-capability": obj.capability_id,
            "entries-0-current_level": 4,
            "entries-0-target_level": obj.target_level,
            "entries-0-evidence": "",
            "entries-0-comment": "",
            "version": obj.assessment.version,
        }

    def assert_changed(self, obj, sent):
        obj.refresh_from_db()
        assert obj.current_level == sent["entries-0-current_level"]
