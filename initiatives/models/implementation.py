from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned, ParentPolicy
from portal.access.roles import Role
from portal.audit import audited
from portal.models import VersionedModel


class RegionalImplementation(VersionedModel):
    """How far one region has implemented one initiative (the strategy asks for uniform
    implementation). Everyone signed in reads the matrix; a region's CISO edits their
    region's row, the TSI secretariat every row.

    The row holds the status now; every save that changes the status or the note also
    writes an ``ImplementationRecord``, so that a report of a past period shows the status
    as it stood at the period's end (``initiatives.selectors.implementations_at``)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.CASCADE,
        related_name="implementations",
        verbose_name=_("initiative"),
    )
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.CASCADE,
        related_name="implementations",
        verbose_name=_("region"),
        limit_choices_to={"kind": "region"},
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    access_policy = OrganisationOwned(
        public_read=True, edit_roles=(Role.CISO,), sector_edit_roles=(Role.SECRETARIAT,)
    )

    class Meta:
        ordering = ["initiative", "organisation"]
        verbose_name = _("regional implementation")
        verbose_name_plural = _("regional implementations")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organisation"], name="implementation_unique_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative.number} · {self.organisation}"

    def get_absolute_url(self) -> str:
        return f"{reverse('initiatives:implementation_matrix')}#implementation-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._recorded_state = instance._loaded_state()
        return instance

    def _loaded_state(self) -> tuple[str, str] | None:
        # Read from the instance's dict: a deferred field is not loaded just to compare it.
        values = self.__dict__
        if "status" not in values or "note" not in values:
            return None
        return values["status"], values["note"]

    def save(self, *args, **kwargs) -> None:
        """Save, and record the status and note when they changed (or the row is new), dated
        with the row's own time stamp of the change — in one transaction."""
        using = kwargs.get("using") or self._state.db or "default"
        update_fields = kwargs.get("update_fields")
        state = (self.status, self.note)
        changed = self._state.adding or state != getattr(self, "_recorded_state", None)
        if update_fields is not None and not {"status", "note"} & set(update_fields):
            changed = False
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            if changed:
                ImplementationRecord.objects.using(using).create(
                    implementation=self,
                    status=self.status,
                    note=self.note,
                    recorded_at=self.updated_at or timezone.now(),
                )
        self._recorded_state = state


audited(RegionalImplementation, exclude=["updated_by"])


class ImplementationRecord(models.Model):
    """A region's implementation status of an initiative, and its note, as recorded at
    ``recorded_at`` and until the next record: written by every change of the row
    (``RegionalImplementation.save``, ``implementations_ensure``), never changed. Who
    changed it is in the audit trail. Read by the reports of past periods: the latest
    record on or before the period's end."""

    implementation = models.ForeignKey(
        RegionalImplementation,
        on_delete=models.CASCADE,
        related_name="records",
        verbose_name=_("regional implementation"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RegionalImplementation.Status.choices
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_policy = ParentPolicy(field="implementation", append_only=True)

    class Meta:
        ordering = ["implementation", "recorded_at", "pk"]
        verbose_name = _("implementation record")
        verbose_name_plural = _("implementation records")
        indexes = [
            models.Index(
                fields=["implementation", "-recorded_at"], name="implementation_record_latest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.implementation_id} {self.status} {self.recorded_at:%Y-%m-%d}"


class StatusReminder(models.Model):
    """That a working group was reminded of a period's missing status updates (sent once)."""

    working_group = models.ForeignKey(
        "initiatives.WorkingGroup", on_delete=models.CASCADE, related_name="reminders"
    )
    period = models.CharField(max_length=7)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "period"], name="status_reminder_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.working_group_id} {self.period}"
