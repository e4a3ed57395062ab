from incidents.models.incident import (
    Incident,
    IncidentCategory,
    IncidentSeverity,
    IncidentStatus,
)
from incidents.models.submission import IncidentSubmission

__all__ = [
    "Incident",
    "IncidentCategory",
    "IncidentSeverity",
    "IncidentStatus",
    "IncidentSubmission",
]
