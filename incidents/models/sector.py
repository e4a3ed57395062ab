"""Sector coordination (issue 18, item 7): the sector incident that the TSI secretariat opens
for a supplier or shared system hitting several regions, and each incident's facts — what
the sector may count of a region's incident, without a word of its text.

The sector's CERT is no role of its own: it is a sector body whose staff hold the
secretariat role, so what the secretariat may do here, the CERT may do.
"""

from datetime import datetime
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.clocks import EARLIEST, applicable_kinds
from incidents.reporting_rules import DeadlineKind
from portal.access import RestrictedQuerySet
from portal.access.policies import MemberReadable, OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel


class SectorIncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SectorIncident(VersionedModel):
    """A supplier or shared-system incident that hits several regions: a sector notice,
    written by the TSI secretariat (the sector CERT is a sector body whose staff hold that
    role) and read by every signed-in user. It holds only what the sector may say about it;
    each region links its own incident to it (``Incident.sector_incident``), and the sector
    sees of those only their region and status (``IncidentFacts``)."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the sector knows, for every region to read: nothing confidential."),
    )
    # The catalogues hold no suppliers, and shared systems are each a region's own asset:
    # the sector names them in words.
    supplier = models.CharField(_("supplier concerned"), max_length=200, blank=True)
    shared_system = models.CharField(_("shared system concerned"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SectorIncidentStatus.choices,
        default=SectorIncidentStatus.OPEN,
    )

    access_policy = MemberReadable(edit_roles=(Role.SECRETARIAT,))

    objects: ClassVar[models.Manager] = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("sector incident")
        verbose_name_plural = _("sector incidents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incidents:sector_incident_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == SectorIncidentStatus.OPEN

    def clean(self) -> None:
        if self.opened_at and self.opened_at < EARLIEST:
            raise ValidationError({"opened_at": _("Write a time in the year 2000 or later.")})
        if self.opened_at and self.opened_at > timezone.now():
            raise ValidationError(
                {"opened_at": _("A sector incident cannot be opened in the future.")}
            )


audited(SectorIncident)


class IncidentFacts(models.Model):
    """What the sector may count of one incident of a region, kept in step with it by the
    incidents' services (``incidents.facts``) in the same transaction as every change: its
    category, severity and status, when it was detected and the region became aware, the
    classification that decides its clocks, the first submission of each clock, and the
    sector incident the region linked it to. No text, no person, no system.

    The region's people read their region's rows; the TSI secretariat reads every region's
    (the sector view and the council appendix count them, ``incidents.sector``) — as the
    database says too. Nobody changes a row through the permission layer: only the services
    write them, inside the region's own organisation (row-level security), and on PostgreSQL
    a foreign key on (incident, organisation) keeps the row's region its incident's."""

    incident = models.OneToOneField(
        "incidents.Incident",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="facts",
        verbose_name=_("incident"),
    )
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.CASCADE,
        editable=False,
        related_name="+",
        verbose_name=_("organisation"),
    )
    sector_incident = models.ForeignKey(
        SectorIncident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facts",
        verbose_name=_("sector incident"),
    )
    category = models.CharField(_("category"), max_length=30)
    severity = models.CharField(_("severity"), max_length=10)
    status = models.CharField(_("status"), max_length=20)
    detected_at = models.DateTimeField(_("detected at"))
    aware_at = models.DateTimeField(_("aware at"))
    nis2_significant = models.BooleanField(default=False)
    gdpr_breach = models.BooleanField(default=False)
    gdpr_exception = models.BooleanField(default=False)
    #: The first submission of each clock (None: none yet).
    early_warning_at = models.DateTimeField(null=True, blank=True)
    notification_at = models.DateTimeField(null=True, blank=True)
    final_report_at = models.DateTimeField(null=True, blank=True)
    gdpr_notification_at = models.DateTimeField(null=True, blank=True)

    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES, edit_roles=(), sector_read_roles=(Role.SECRETARIAT,)
    )

    objects: ClassVar[models.Manager] = RestrictedQuerySet.as_manager()

    #: The column of each clock's first submission.
    SUBMISSION_COLUMNS: ClassVar[dict[DeadlineKind, str]] = {
        DeadlineKind.NIS2_EARLY_WARNING: "early_warning_at",
        DeadlineKind.NIS2_NOTIFICATION: "notification_at",
        DeadlineKind.NIS2_FINAL_REPORT: "final_report_at",
        DeadlineKind.GDPR_NOTIFICATION: "gdpr_notification_at",
    }

    class Meta:
        verbose_name = _("incident facts")
        verbose_name_plural = _("incident facts")
        indexes = [
            models.Index(fields=["organisation", "detected_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.incident_id}"

    def clock_kinds(self) -> list[DeadlineKind]:
        return applicable_kinds(
            nis2_significant=self.nis2_significant,
            gdpr_breach=self.gdpr_breach,
            gdpr_exception=self.gdpr_exception,
        )

    def submitted(self, *, before: datetime | None = None) -> dict[DeadlineKind, datetime]:
        """The first submission of each clock (made before ``before``, when given)."""
        found = {}
        for kind, column in self.SUBMISSION_COLUMNS.items():
            moment = getattr(self, column)
            if moment is not None and (before is None or moment < before):
                found[kind] = moment
        return found
