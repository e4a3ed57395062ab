"""The services of an incident's timeline and lessons learned (issue 18, items 5 and 6).

* ``incident_save``: every save of an incident (the form, the API) goes through here, so that
  a change of its status or severity enters the timeline by itself, as the changer's;
* ``timeline_entry_add``, ``timeline_action_done``: a person's entry, an action's completion;
* ``timeline_submission_enter``: recording a submission enters it (``services``);
* ``lesson_risk_link``, ``lesson_risk_create``: from a resolved or closed incident, a risk of
  its region linked or created (the treatment actions are then the risk's own).

Whether the user may do it is the caller's question (the views and the API ask the
permission layer first); the rules of the objects are asked here and raise
``ValidationError`` with field errors.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.facts import incident_facts_sync
from incidents.models import (
    WRITTEN_KINDS,
    Incident,
    IncidentRiskLink,
    IncidentStatus,
    IncidentSubmission,
    IncidentTimelineEntry,
    TimelineKind,
)
from risks.models import Risk
from risks.services import risk_create

#: The statuses from which lessons are drawn: the incident is over.
LESSON_STATUSES = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)


def incident_save(
    *, incident: Incident, user: User, relations: Mapping[str, Iterable[Model]] | None = None
) -> Incident:
    """Save ``incident`` (new or changed) and set its many-to-many ``relations``. A change of
    its status or severity enters its timeline, as ``user``'s, at the time of the change;
    its facts for the sector follow in the same transaction (``incidents.facts``). Raises ``ConcurrentUpdate`` for a stale version (``VersionedModel``)."""
    with transaction.atomic():
        before: dict[str, str] | None = None
        if incident.pk is not None:
            stored = (
                Incident.objects.filter(pk=incident.pk).values_list("status", "severity").first()
            )
            before = dict(zip(("status", "severity"), stored or ("", ""), strict=True))
        incident.save()
        for name, objects in (relations or {}).items():
            getattr(incident, name).set(objects)
        if before is not None:
            now = timezone.now()
            for kind, field in (
                (TimelineKind.STATUS_CHANGE, "status"),
                (TimelineKind.SEVERITY_CHANGE, "severity"),
            ):
                old, new = before[field], getattr(incident, field)
                if old != new:
                    IncidentTimelineEntry.objects.create(
                        incident=incident,
                        kind=kind,
                        occurred_at=now,
                        author=user,
                        old_value=old,
                        new_value=new,
                    )
        # What the sector may count of it, in the same transaction (incidents.facts).
        incident_facts_sync(incident)
    return incident


def timeline_entry_add(
    *, incident: Incident, user: User, values: Mapping[str, Any]
) -> IncidentTimelineEntry:
    """Add a person's entry (``kind``, ``text``, ``occurred_at``; an action's ``owner`` and
    ``due``) to ``incident``'s timeline, as ``user``'s."""
    if values.get("kind") not in WRITTEN_KINDS:
        raise ValidationError({"kind": _("The portal enters this kind itself: choose another.")})
    entry = IncidentTimelineEntry(incident=incident, author=user, **values)
    entry.full_clean(exclude=["author", "organisation"])
    entry.save()
    return entry


def timeline_action_done(
    *, entry: IncidentTimelineEntry, user: User, at: datetime | None = None
) -> IncidentTimelineEntry:
    """Record, once, that the action ``entry`` is done (by ``user``, now unless ``at``)."""
    if not entry.is_action:
        raise ValidationError(_("Only an action is marked done."))
    with transaction.atomic():
        stored = IncidentTimelineEntry.objects.select_for_update().get(pk=entry.pk)
        if stored.done_at is not None:
            raise ValidationError(_("The action is marked done already."))
        stored.done_at = at or timezone.now()
        stored.done_by = user
        stored.save(update_fields=["done_at", "done_by"])
    return stored


def timeline_submission_enter(
    *, submission: IncidentSubmission, user: User
) -> IncidentTimelineEntry:
    """The timeline's entry for a recorded submission: when it was sent, for which clock,
    to whom and under which reference."""
    text = submission.recipient
    if submission.reference:
        text = f"{text} ({submission.reference})"
    return IncidentTimelineEntry.objects.create(
        incident=submission.incident,
        kind=TimelineKind.SUBMISSION,
        occurred_at=submission.submitted_at,
        author=user,
        new_value=submission.kind,
        text=text,
    )


def lesson_errors(incident: Incident) -> list[str]:
    """Why no lesson can be drawn from ``incident`` yet (empty: it can)."""
    if incident.status not in LESSON_STATUSES:
        return [_("Lessons are drawn from a resolved or closed incident.")]
    return []


def lesson_risk_link(*, incident: Incident, risk: Risk, user: User) -> IncidentRiskLink:
    """Link ``risk``, of ``incident``'s own region, as a lesson of the resolved or closed
    ``incident``."""
    errors = lesson_errors(incident)
    if errors:
        raise ValidationError(errors)
    link = IncidentRiskLink(incident=incident, risk=risk, created_by=user)
    link.full_clean(exclude=["created_by", "organisation"])
    if IncidentRiskLink.objects.filter(incident=incident, risk=risk).exists():
        raise ValidationError({"risk": _("The risk is linked to the incident already.")})
    link.save()
    return link


def lesson_risk_create(
    *,
    incident: Incident,
    user: User,
    values: Mapping[str, Any],
) -> Risk:
    """Create a risk of ``incident``'s region from ``values`` (``risks.services.risk_create``)
    and link it as a lesson of the resolved or closed ``incident``."""
    errors = lesson_errors(incident)
    if errors:
        raise ValidationError(errors)
    if values.get("organisation") not in (None, incident.organisation):
        raise ValidationError({"organisation": _("The risk is in the incident's region.")})
    with transaction.atomic():
        risk = risk_create(user=user, values={**values, "organisation": incident.organisation})
        lesson_risk_link(incident=incident, risk=risk, user=user)
    return risk
