"""Changes to the incident register that span objects: recording a submission (with the
frozen copy of what was reported)."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from incidents.drafts import UnknownStage, draft_for
from incidents.facts import incident_facts_sync
from incidents.models import Incident, IncidentSubmission
from incidents.reporting_rules import DeadlineKind
from incidents.timeline import timeline_submission_enter


def incident_submission_record(
    *, incident: Incident, user: User, values: dict[str, Any]
) -> IncidentSubmission:
    """Record that a report was submitted for one of ``incident``'s clocks (``kind``,
    ``submitted_at``, ``recipient``, ``reference``, ``late_reason``, ``reported_text``), by
    ``user``. Without a ``reported_text`` the submission keeps the stage's notification draft
    as it stands (``incidents.drafts``, in the active language) as its frozen copy. Raises
    ``ValidationError`` with field errors when it does not fit the incident's clocks; whether
    ``user`` may record it is the caller's question, asked before."""
    with transaction.atomic():
        # Submissions of one incident are recorded one at a time: each is judged against the
        # clocks the ones before it stopped.
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        values = dict(values)
        if not (values.get("reported_text") or "").strip():
            try:
                values["reported_text"] = draft_for(incident, values.get("kind") or "").text
            except UnknownStage:
                values["reported_text"] = ""  # a clock the incident lacks: refused below
        submission = IncidentSubmission(incident=incident, by=user, **values)
        submission.full_clean(exclude=["by"])
        submission.save()
        timeline_submission_enter(submission=submission, user=user)
        incident_facts_sync(incident)
    return submission


def default_recipient(kind: str) -> str:
    """Where a clock's regime reports in Denmark (``reference/reporting_deadlines.yaml``):
    NIS2 through virk.dk, GDPR to Datatilsynet."""
    return "Datatilsynet" if kind == DeadlineKind.GDPR_NOTIFICATION else "virk.dk"
