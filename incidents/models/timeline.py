from datetime import date, datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from incidents.reporting_rules import DeadlineKind
from portal.access import RestrictedQuerySet
from portal.access.policies import ParentPolicy
from portal.audit import audited
from portal.models import Membership


class TimelineIsAppendOnly(Exception):
    """A timeline entry is the record of what happened: never changed nor deleted (an
    action's completion is recorded once, nothing else)."""


class TimelineKind(models.TextChoices):
    DETECTION = "detection", _("Detection")
    CONTAINMENT = "containment", _("Containment")
    DECISION = "decision", _("Decision")
    COMMUNICATION = "communication", _("Communication")
    OBSERVATION = "observation", _("Observation")
    ACTION = "action", _("Action")
    # Entered by the portal itself.
    SUBMISSION = "submission", _("Submission")
    STATUS_CHANGE = "status_change", _("Status change")
    SEVERITY_CHANGE = "severity_change", _("Severity change")


#: The kinds a person writes; the others the portal enters when a submission is recorded
#: or the status or severity changes (``incidents.services``).
WRITTEN_KINDS = (
    TimelineKind.DETECTION,
    TimelineKind.CONTAINMENT,
    TimelineKind.DECISION,
    TimelineKind.COMMUNICATION,
    TimelineKind.OBSERVATION,
    TimelineKind.ACTION,
)


class IncidentTimelineEntry(models.Model):
    """One event in an incident's handling — a detection, a containment step, a decision, a
    communication, an observation, an action with an owner and a due date — or one the portal
    entered itself: a change of status or severity, a submission to an authority.

    Append-only: an entry is never changed or deleted, by the model (``save``, ``delete``),
    the permission layer (``append_only``) and the database (a trigger on PostgreSQL and
    SQLite alike, ``incidents`` migration 0005). The one change allowed is recording, once,
    that an action is done (``done_at``, ``done_by``)."""

    #: Marks models whose rows the database refuses to change (the leak scan plants its
    #: markers in new rows instead).
    APPEND_ONLY = True
    #: What may still change after an entry is recorded: an action's completion, once.
    COMPLETION_FIELDS = frozenset({"done_at", "done_by"})

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="timeline",
        verbose_name=_("incident"),
    )
    #: The incident's organisation, set from it on save; on PostgreSQL a foreign key on
    #: (incident, organisation) refuses any other value (``portal.rls.parent_organisation_sql``).
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TimelineKind.choices)
    text = models.TextField(_("what happened"), blank=True)
    occurred_at = models.DateTimeField(_("when"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    #: For a status or severity change, the values before and after; for a submission, the
    #: clock it was for (``new_value``).
    old_value = models.CharField(_("before"), max_length=30, blank=True, editable=False)
    new_value = models.CharField(_("after"), max_length=30, blank=True, editable=False)
    # An action's owner, due date and completion.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incident_actions",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("marked done by"),
    )

    access_policy = ParentPolicy(field="incident", append_only=True, organisation="organisation")

    objects: ClassVar[models.Manager] = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-created_at", "-pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["incident", "-occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="action") | models.Q(owner__isnull=True, due__isnull=True),
                name="incident_timeline_owner_due_on_actions",
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True, done_by__isnull=True)
                | models.Q(kind="action", done_at__isnull=False, done_by__isnull=False),
                name="incident_timeline_done_actions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({localtime(self.occurred_at):%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if (
                update_fields is None
                or not set(update_fields) <= self.COMPLETION_FIELDS
                or not self.is_action
            ):
                raise TimelineIsAppendOnly(
                    f"timeline entry {self.pk} is recorded: only an action's completion changes"
                )
        else:
            self.organisation_id = self.incident.organisation_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.incident.get_absolute_url()}#timeline-{self.pk}"

    def delete(self, *args, **kwargs):
        raise TimelineIsAppendOnly(f"timeline entry {self.pk} is recorded and cannot be deleted")

    def clean(self) -> None:
        errors = timeline_entry_errors(self, now=timezone.now())
        if errors:
            raise ValidationError(errors)

    @property
    def is_action(self) -> bool:
        return self.kind == TimelineKind.ACTION

    def is_overdue(self, today: date) -> bool:
        return self.is_action and self.done_at is None and self.due is not None and self.due < today

    def summary(self) -> str:
        """What the portal says of an entry it entered itself, in the reader's language
        (the values are stored as codes); a person's entry is its text."""
        from incidents.models.incident import IncidentSeverity, IncidentStatus

        if self.kind == TimelineKind.STATUS_CHANGE:
            labels = dict(IncidentStatus.choices)
            return str(_("Status changed from %(old)s to %(new)s.")) % {
                "old": labels.get(self.old_value, self.old_value),
                "new": labels.get(self.new_value, self.new_value),
            }
        if self.kind == TimelineKind.SEVERITY_CHANGE:
            labels = dict(IncidentSeverity.choices)
            return str(_("Severity changed from %(old)s to %(new)s.")) % {
                "old": labels.get(self.old_value, self.old_value),
                "new": labels.get(self.new_value, self.new_value),
            }
        if self.kind == TimelineKind.SUBMISSION and self.new_value:
            label = dict(DeadlineKind.choices).get(self.new_value, self.new_value)
            return str(_("%(kind)s submitted: %(text)s")) % {"kind": label, "text": self.text}
        return self.text


def timeline_entry_errors(entry: IncidentTimelineEntry, *, now: datetime) -> dict[str, str]:
    """A written entry's rules, as field errors: something said, not in the future; an
    action has an owner of the incident's region and a due date not in the past, and only
    an action has them."""
    errors: dict[str, str] = {}
    if entry.kind in WRITTEN_KINDS and not entry.text.strip():
        errors["text"] = str(_("Say what happened."))
    if entry.occurred_at and entry.occurred_at > now:
        errors["occurred_at"] = str(_("An entry cannot be about the future."))
    if entry.kind == TimelineKind.ACTION:
        if entry.owner_id is None:
            errors["owner"] = str(_("An action has an owner."))
        elif (
            entry.incident_id
            and not Membership.objects.filter(
                user_id=entry.owner_id,
                organisation_id=entry.incident.organisation_id,
                user__is_active=True,
            ).exists()
        ):
            errors["owner"] = str(_("Choose a member of the incident's region."))
        if entry.due is None:
            errors["due"] = str(_("An action has a due date."))
        elif entry._state.adding and entry.due < localtime(now).date():
            errors["due"] = str(_("A new action cannot be due in the past."))
    else:
        if entry.owner_id is not None:
            errors["owner"] = str(_("Only an action has an owner."))
        if entry.due is not None:
            errors["due"] = str(_("Only an action has a due date."))
    return errors


# The organisation is the incident's, which the trail records already.
audited(IncidentTimelineEntry, exclude=["organisation"])
