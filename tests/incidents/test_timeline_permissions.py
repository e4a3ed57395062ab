"""The permission matrix for an incident's timeline entries and lessons learned: no page or
endpoint of their own; seen with their incident by its region's people, added by those who
may change it (its CISOs and risk owners); entries never changed or deleted."""

from incidents.models import IncidentRiskLink, IncidentTimelineEntry
from tests.factories import IncidentFactory, IncidentRiskLinkFactory, IncidentTimelineEntryFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestIncidentTimelineEntryPermissions(OrganisationOwnedMatrix):
    model = IncidentTimelineEntry
    not_offered = {
        "list": "entries are listed on their incident's page (its timeline)",
        "detail": "as list",
        "edit": "an entry is the record of what happened: never changed (an action is marked "
        "done once, incidents:timeline_done, tested in tests/incidents/test_timeline.py)",
        "delete": "as edit",
        "api": "read and added through GET/POST /api/v1/incidents/{id}/timeline/ "
        "(tests/incidents/test_timeline.py); no endpoint of its own",
    }
    watched_field = "text"

    def make_object(self, region):
        return IncidentTimelineEntryFactory(
            incident=IncidentFactory(organisation=region), text="Netværket er isoleret."
        )


class TestIncidentRiskLinkPermissions(OrganisationOwnedMatrix):
    model = IncidentRiskLink
    not_offered = {
        "list": "the links are listed on their incident's page (lessons learned) and on the "
        "risk's page",
        "detail": "as list",
        "edit": "a link is made (incidents:lesson_link) or not: nothing of it to change",
        "delete": "a lesson learned stays with the incident",
        "api": "the API has no lesson endpoint",
    }
    watched_field = "risk_id"

    def make_object(self, region):
        return IncidentRiskLinkFactory(
            incident=IncidentFactory(organisation=region, status="resolved")
        )
