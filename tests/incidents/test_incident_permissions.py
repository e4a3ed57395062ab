"""The permission matrix for incidents and their recorded submissions: a region's register,
read by its people, changed by its CISO and risk owners, never deleted; another region and
the sector see nothing of it."""

from datetime import timedelta

from django.utils import timezone

from incidents.models import Incident, IncidentSubmission
from tests.factories import IncidentFactory, IncidentSubmissionFactory
from tests.permission_matrix import OrganisationOwnedMatrix


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class TestIncidentPermissions(OrganisationOwnedMatrix):
    model = Incident
    list_url_name = "incidents:incident_list"
    detail_url_name = "incidents:incident_detail"
    edit_url_name = "incidents:incident_edit"
    api_list_url_name = "api:incident-list"
    api_detail_url_name = "api:incident-detail"
    api_methods = ("create", "change")
    not_offered = {
        "delete": "an incident is documented for good (GDPR Art. 33(5)); it is closed, not deleted",
    }
    watched_field = "title"

    def make_object(self, region):
        return IncidentFactory(organisation=region, title="Gammel titel")

    def form_data(self, obj):
        return {
            "organisation": obj.organisation.pk,
            "title": "Ny titel",
            "category": obj.category,
            "severity": obj.severity,
            "status": obj.status,
            "detected_at": _moment(obj.detected_at),
            "aware_at": _moment(obj.aware_at),
            "nis2_significant": "on",
            "nis2_reason": obj.nis2_reason,
            "version": obj.version,
        }

    def api_change(self, obj):
        return {"title": "Ny titel"}

    def api_create(self, region):
        now = timezone.now()
        return {
            "organisation": region.slug,
            "title": "Phishing mod lægesekretærer",
            "category": "phishing",
            "severity": "medium",
            "detected_at": (now - timedelta(hours=3)).isoformat(),
            "aware_at": (now - timedelta(hours=2)).isoformat(),
        }


class TestIncidentSubmissionPermissions(OrganisationOwnedMatrix):
    model = IncidentSubmission
    not_offered = {
        "list": "submissions are listed on their incident's page",
        "detail": "as list",
        "edit": "a recorded submission is a frozen record: never changed",
        "delete": "as edit",
        "api": "recorded through POST /api/v1/incidents/{id}/submissions/ and read with the "
        "incident (its deadlines); no endpoint of its own",
    }
    watched_field = "reference"

    def make_object(self, region):
        return IncidentSubmissionFactory(
            incident=IncidentFactory(organisation=region), reference="CFCS-1"
        )
