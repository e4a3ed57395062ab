"""Keeping each incident's facts (``IncidentFacts``) in step with it: the incidents' services
call ``incident_facts_sync`` in the transaction of every change of an incident or its
submissions (``timeline.incident_save``, ``services.incident_submission_record``); an
incident deleted takes its facts with it (the database's cascade). Bulk loads (the demo)
call ``incident_facts_rebuild``."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from incidents.clocks import first_submissions
from incidents.models import Incident, IncidentFacts, IncidentSubmission
from incidents.reporting_rules import DeadlineKind


def facts_values(incident: Incident, submissions: Iterable[tuple[str, datetime]]) -> dict[str, Any]:
    """The facts of ``incident`` given its submissions (``(kind, submitted_at)``)."""
    firsts = first_submissions(submissions)
    values: dict[str, Any] = {
        "organisation_id": incident.organisation_id,
        "sector_incident_id": incident.sector_incident_id,
        "category": incident.category,
        "severity": incident.severity,
        "status": incident.status,
        "detected_at": incident.detected_at,
        "aware_at": incident.aware_at,
        "nis2_significant": incident.nis2_significant,
        "gdpr_breach": incident.gdpr_breach,
        "gdpr_exception": incident.gdpr_exception_unlikely_risk,
    }
    for kind, column in IncidentFacts.SUBMISSION_COLUMNS.items():
        values[column] = firsts.get(DeadlineKind(kind))
    return values


def incident_facts_sync(incident: Incident) -> IncidentFacts:
    """Write ``incident``'s facts as it stands now (two queries: its submissions, and the
    row's update — an insert the first time)."""
    submissions = IncidentSubmission.objects.filter(incident_id=incident.pk).values_list(
        "kind", "submitted_at"
    )
    values = facts_values(incident, submissions)
    updated = IncidentFacts.objects.filter(incident_id=incident.pk).update(**values)
    facts = IncidentFacts(incident_id=incident.pk, **values)
    if not updated:
        facts.save(force_insert=True)
    return facts


def incident_facts_rebuild(incidents: Iterable[Incident]) -> int:
    """Write the facts of ``incidents`` afresh (their submissions in one query, the rows in
    bulk): for data loaded without the services. Returns how many rows were written."""
    incidents = list(incidents)
    by_incident: dict[int, list[tuple[str, datetime]]] = {incident.pk: [] for incident in incidents}
    rows = IncidentSubmission.objects.filter(incident_id__in=list(by_incident)).values_list(
        "incident_id", "kind", "submitted_at"
    )
    for incident_id, kind, submitted_at in rows:
        by_incident[incident_id].append((kind, submitted_at))
    IncidentFacts.objects.filter(incident_id__in=list(by_incident)).delete()
    IncidentFacts.objects.bulk_create(
        [
            IncidentFacts(
                incident_id=incident.pk, **facts_values(incident, by_incident[incident.pk])
            )
            for incident in incidents
        ],
        batch_size=500,
    )
    return len(incidents)
