"""The permission matrix for the reminders of reporting clocks: no page or endpoint of their
own; they are seen with their incident, written by the scheduled task only and never
changed."""

from incidents.models import IncidentReminder
from tests.factories import IncidentFactory, IncidentReminderFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestIncidentReminderPermissions(OrganisationOwnedMatrix):
    model = IncidentReminder
    not_offered = {
        "list": "reminders are the scheduled task's bookkeeping (incidents.reminders)",
        "detail": "as list",
        "edit": "written once by the scheduled task, never changed",
        "delete": "as edit",
        "api": "the API has no reminder endpoint",
    }
    watched_field = "recipients"

    def make_object(self, region):
        return IncidentReminderFactory(incident=IncidentFactory(organisation=region), recipients=2)
