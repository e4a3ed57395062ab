from incidents.models.incident import (
    INCIDENT_FIELDS,
    Incident,
    IncidentCategory,
    IncidentSeverity,
    IncidentStatus,
)
from incidents.models.lesson import IncidentRiskLink
from incidents.models.reminder import IncidentReminder, ReminderStage
from incidents.models.sector import IncidentFacts, SectorIncident, SectorIncidentStatus
from incidents.models.submission import IncidentSubmission
from incidents.models.timeline import (
    WRITTEN_KINDS,
    IncidentTimelineEntry,
    TimelineIsAppendOnly,
    TimelineKind,
)

__all__ = [
    "INCIDENT_FIELDS",
    "WRITTEN_KINDS",
    "Incident",
    "IncidentCategory",
    "IncidentFacts",
    "IncidentReminder",
    "IncidentRiskLink",
    "IncidentSeverity",
    "IncidentStatus",
    "IncidentSubmission",
    "IncidentTimelineEntry",
    "ReminderStage",
    "SectorIncident",
    "SectorIncidentStatus",
    "TimelineIsAppendOnly",
    "TimelineKind",
]
