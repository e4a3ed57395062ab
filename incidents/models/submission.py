from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from incidents.clocks import due_at
from incidents.reporting_rules import DeadlineKind
from portal.access import RestrictedQuerySet
from portal.access.policies import ParentPolicy
from portal.audit import audited


class SubmissionIsAppendOnly(Exception):
    """A recorded submission is the record of what was sent: it is never deleted."""


class IncidentSubmission(models.Model):
    """A report sent to an authority for one of an incident's clocks: when, to whom, under
    which reference, by whom, and a frozen copy of what was reported (``reported_text``: the
    stage's notification draft unless another text is given). Recorded once and never changed
    or deleted; the first of each kind stops its clock, later ones supplement it. A
    submission after the clock ran out gives the reasons for the delay. Its policy lets nobody change or delete one, and no
    route offers to; deleting one through the ORM is refused too."""

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    recipient = models.CharField(
        _("recipient"),
        max_length=200,
        help_text=_("E.g. virk.dk (CFCS and the sector authority), Datatilsynet."),
    )
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )
    late_reason = models.TextField(_("reasons for the delay"), blank=True)
    reported_text = models.TextField(
        _("what was reported"),
        blank=True,
        help_text=_(
            "A frozen copy of what was sent. Left empty, the portal keeps its notification "
            "draft for the stage as it stood when the submission was recorded."
        ),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    access_policy = ParentPolicy(field="incident", append_only=True)

    objects: ClassVar[models.Manager] = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({localtime(self.submitted_at):%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return f"{self.incident.get_absolute_url()}#submission-{self.pk}"

    def delete(self, *args, **kwargs):
        raise SubmissionIsAppendOnly(f"submission {self.pk} is recorded and cannot be deleted")

    def clean(self) -> None:
        errors = submission_errors(self, now=timezone.now())
        if errors:
            raise ValidationError(errors)


def submission_errors(submission: IncidentSubmission, *, now: datetime) -> dict[str, str]:
    """The submission's rules, as field errors: a clock the incident has, a time between
    becoming aware and now, and reasons when it came after the clock ran out."""
    errors: dict[str, str] = {}
    if not submission.incident_id or not submission.kind or not submission.submitted_at:
        return errors
    incident = submission.incident
    if submission.kind not in incident.clock_kinds():
        errors["kind"] = str(_("The incident's classification does not start this clock."))
        return errors
    if submission.submitted_at > now:
        errors["submitted_at"] = str(_("A submission cannot be made in the future."))
        return errors
    if incident.aware_at and submission.submitted_at < incident.aware_at:
        errors["submitted_at"] = str(
            _("A submission cannot be made before the region became aware of the incident.")
        )
        return errors
    submitted = incident.submitted_firsts()
    kind = DeadlineKind(submission.kind)
    if kind in submitted and submitted[kind] <= submission.submitted_at:
        return errors  # a supplement: the clock was met (or missed) by the first one
    due, _provisional = due_at(kind, aware_at=incident.aware_at, submitted=submitted)
    if submission.submitted_at > due and not submission.late_reason.strip():
        errors["late_reason"] = str(
            _("The submission came after the deadline: give the reasons for the delay.")
        )
    return errors


audited(IncidentSubmission)
