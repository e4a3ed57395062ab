from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.clocks import (
    EARLIEST,
    Deadline,
    applicable_kinds,
    deadlines,
    first_submissions,
)
from incidents.reporting_rules import DeadlineKind
from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import Membership, VersionedModel


class IncidentCategory(models.TextChoices):
    RANSOMWARE = "ransomware", _("Ransomware")
    PHISHING = "phishing", _("Phishing")
    DDOS = "ddos", _("DDoS")
    PERSONAL_DATA_BREACH = "personal_data_breach", _("Personal data breach")
    INSIDER = "insider", _("Insider")
    SUPPLIER = "supplier", _("Supplier incident")
    SYSTEM_FAILURE = "system_failure", _("System failure")
    PHYSICAL = "physical", _("Physical")
    OTHER = "other", _("Other")


class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IncidentStatus(models.TextChoices):
    NEW = "new", _("New")
    INVESTIGATING = "investigating", _("Investigating")
    CONTAINED = "contained", _("Contained")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class IncidentQuerySet(RestrictedQuerySet["Incident"]):
    def open(self) -> "IncidentQuerySet":
        """Every incident but the closed ones."""
        return self.exclude(status=IncidentStatus.CLOSED)


IncidentManager = models.Manager.from_queryset(IncidentQuerySet)

#: What a person records of an incident, in the order the form shows it: the HTML form and
#: the API write exactly these (the API calls ``gdpr_breach`` ``personal_data_breach``).
INCIDENT_FIELDS = (
    "organisation",
    "title",
    "description",
    "category",
    "severity",
    "status",
    "detected_at",
    "aware_at",
    "owner",
    "affected_systems",
    "critical_functions",
    "supplier",
    "suspected_malicious",
    "cross_border",
    "personal_data",
    "personal_data_categories",
    "data_subjects_approx",
    "records_approx",
    "data_subject_categories",
    "breach_nature",
    "breach_consequences",
    "breach_measures",
    "contact_point",
    "impact",
    "indicators_of_compromise",
    "root_cause",
    "mitigation",
    "nis2_significant",
    "nis2_reason",
    "gdpr_breach",
    "gdpr_exception_unlikely_risk",
    "gdpr_exception_reason",
    "gdpr_art34_communication",
)


class Incident(VersionedModel):
    """A security incident in a region's register, with the reporting clocks its
    classification starts (NIS2 Art. 23, GDPR Art. 33). Confidential to the region: its
    readers see it, its CISOs and risk owners record and handle it; the sector sees none."""

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=IncidentCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=IncidentSeverity.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    detected_at = models.DateTimeField(
        _("detected at"), help_text=_("When the incident was first noticed.")
    )
    aware_at = models.DateTimeField(
        _("aware at"),
        help_text=_(
            "When the region became aware that it is a significant incident or a personal "
            "data breach: the reporting clocks start here."
        ),
    )
    affected_systems = models.ManyToManyField(
        "risks.Asset",
        blank=True,
        related_name="incidents",
        verbose_name=_("affected systems and device categories"),
    )
    critical_functions = models.ManyToManyField(
        "risks.CriticalFunction",
        blank=True,
        related_name="incidents",
        verbose_name=_("affected critical functions"),
    )
    supplier = models.CharField(_("supplier involved"), max_length=200, blank=True)
    suspected_malicious = models.BooleanField(_("suspected unlawful or malicious"), default=False)
    cross_border = models.BooleanField(_("cross-border impact"), default=False)
    personal_data = models.BooleanField(_("personal data involved"), default=False)
    personal_data_categories = models.TextField(
        _("categories of personal data"),
        blank=True,
        help_text=_("E.g. health data, CPR numbers, contact details."),
    )
    data_subjects_approx = models.PositiveIntegerField(
        _("approximate number of data subjects"), null=True, blank=True
    )
    records_approx = models.PositiveIntegerField(
        _("approximate number of records"), null=True, blank=True
    )
    # What the notifications report (``reference/reporting_deadlines.yaml``, each stage's
    # ``fields``): recorded as they become known; a notification draft lists those still empty.
    impact = models.TextField(
        _("impact"),
        blank=True,
        help_text=_(
            "The assessment of the incident's impact: services, patients, operations, others "
            "affected (NIS2 incident notification and final report)."
        ),
    )
    indicators_of_compromise = models.TextField(
        _("indicators of compromise"),
        blank=True,
        help_text=_("E.g. IP addresses, domains, file hashes, accounts (where available)."),
    )
    root_cause = models.TextField(
        _("type of threat or root cause"),
        blank=True,
        help_text=_("What is likely to have triggered the incident (NIS2 final report)."),
    )
    mitigation = models.TextField(_("applied and ongoing mitigation measures"), blank=True)
    breach_nature = models.TextField(
        _("nature of the breach"),
        blank=True,
        help_text=_(
            "What happened to the personal data — disclosed, altered, lost or made "
            "unavailable — and how (GDPR Art. 33(3)(a))."
        ),
    )
    data_subject_categories = models.TextField(
        _("categories of data subjects"),
        blank=True,
        help_text=_("E.g. patients, relatives, staff."),
    )
    breach_consequences = models.TextField(_("likely consequences of the breach"), blank=True)
    breach_measures = models.TextField(
        _("measures taken or proposed"),
        blank=True,
        help_text=_(
            "To address the breach, including measures to mitigate its possible adverse "
            "effects (GDPR Art. 33(3)(d))."
        ),
    )
    contact_point = models.TextField(
        _("contact point"),
        blank=True,
        help_text=_(
            "Name and contact details of the data protection officer or another contact "
            "point where more information can be obtained."
        ),
    )
    sector_incident = models.ForeignKey(
        "incidents.SectorIncident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("sector incident"),
        help_text=_(
            "The sector incident (a supplier or shared system hitting several regions) that "
            "this incident is the region's part of. The sector sees only the region and the "
            "incident's status."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_incidents",
        verbose_name=_("owner"),
    )
    nis2_significant = models.BooleanField(
        _("significant incident (NIS2)"),
        default=False,
        help_text=_(
            "Has caused or can cause severe operational disruption or financial loss, or "
            "considerable material or non-material damage to others (NIS2 Art. 23(3))."
        ),
    )
    nis2_reason = models.TextField(_("reason for the NIS2 classification"), blank=True)
    gdpr_breach = models.BooleanField(_("personal data breach (GDPR)"), default=False)
    gdpr_exception_unlikely_risk = models.BooleanField(
        _("unlikely to result in a risk"),
        default=False,
        help_text=_(
            "The breach is unlikely to result in a risk to the rights and freedoms of natural "
            "persons: no notification to Datatilsynet (GDPR Art. 33(1)). It is still documented."
        ),
    )
    gdpr_exception_reason = models.TextField(_("reason for the exception"), blank=True)
    gdpr_art34_communication = models.BooleanField(
        _("data subjects to be informed"),
        default=False,
        help_text=_("The breach is likely to result in a high risk to them (GDPR Art. 34)."),
    )

    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES, edit_roles=(Role.CISO, Role.RISK_OWNER)
    )

    objects: ClassVar[IncidentManager] = IncidentManager()

    class Meta:
        ordering = ["organisation", "-aware_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["organisation", "-aware_at"]),
            models.Index(fields=["organisation", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_detail", kwargs={"pk": self.pk})

    @property
    def personal_data_breach(self) -> bool:
        """The API's name for the GDPR classification."""
        return self.gdpr_breach

    def clock_kinds(self) -> list[DeadlineKind]:
        return applicable_kinds(
            nis2_significant=self.nis2_significant,
            gdpr_breach=self.gdpr_breach,
            gdpr_exception=self.gdpr_exception_unlikely_risk,
        )

    def submitted_firsts(self) -> dict[DeadlineKind, datetime]:
        """The first submission of each kind (from a prefetch of ``submissions`` if any)."""
        if self.pk is None:
            return {}
        return first_submissions(
            (submission.kind, submission.submitted_at) for submission in self.submissions.all()
        )

    def deadlines(self, now: datetime | None = None) -> list[Deadline]:
        """The clocks its classification starts, with their submissions."""
        return deadlines(
            aware_at=self.aware_at,
            kinds=self.clock_kinds(),
            submitted=self.submitted_firsts(),
            now=now or timezone.now(),
        )

    def clean(self) -> None:
        errors = incident_errors(self, now=timezone.now())
        if errors:
            raise ValidationError(errors)


def incident_errors(incident: Incident, *, now: datetime) -> dict[str, str]:
    """The incident's own rules, as field errors (the form and the API ask them through
    ``clean``)."""
    errors: dict[str, str] = {}
    for name in ("detected_at", "aware_at"):
        moment = getattr(incident, name)
        if moment and moment < EARLIEST:
            errors[name] = str(_("Write a time in the year 2000 or later."))
    if incident.detected_at and incident.detected_at > now:
        errors["detected_at"] = str(_("An incident cannot be detected in the future."))
    if "aware_at" in errors:
        pass
    elif incident.aware_at and incident.aware_at > now:
        errors["aware_at"] = str(_("The time of becoming aware cannot be in the future."))
    elif incident.aware_at and incident.detected_at and incident.aware_at < incident.detected_at:
        errors["aware_at"] = str(
            _("The region cannot become aware of an incident before it was detected.")
        )
    if incident.nis2_significant and not incident.nis2_reason.strip():
        errors["nis2_reason"] = str(_("Say why the incident is significant (NIS2 Art. 23(3))."))
    if incident.gdpr_breach and not incident.personal_data:
        errors["personal_data"] = str(_("A personal data breach involves personal data."))
    if incident.gdpr_exception_unlikely_risk:
        if not incident.gdpr_breach:
            errors["gdpr_exception_unlikely_risk"] = str(
                _("The exception applies only to a personal data breach.")
            )
        elif not incident.gdpr_exception_reason.strip():
            errors["gdpr_exception_reason"] = str(
                _("Say why the breach is unlikely to result in a risk (GDPR Art. 33(1)).")
            )
        if incident.gdpr_art34_communication:
            errors["gdpr_art34_communication"] = str(
                _(
                    "A breach that is unlikely to result in a risk cannot be one of high risk "
                    "to the data subjects."
                )
            )
    elif incident.gdpr_art34_communication and not incident.gdpr_breach:
        errors["gdpr_art34_communication"] = str(
            _("Data subjects are informed of a personal data breach.")
        )
    if (
        incident.owner_id
        and incident.organisation_id
        and not Membership.objects.filter(
            user_id=incident.owner_id,
            organisation_id=incident.organisation_id,
            user__is_active=True,
        ).exists()
    ):
        errors["owner"] = str(_("Choose a member of the incident's region."))
    if incident.status == IncidentStatus.CLOSED and not errors:
        open_clocks = [deadline for deadline in incident.deadlines(now) if deadline.is_open]
        if open_clocks:
            errors["status"] = str(
                _("The incident cannot be closed while a reporting clock is open: %(clocks)s.")
            ) % {"clocks": ", ".join(deadline.label for deadline in open_clocks)}
    return errors


audited(Incident, m2m=["affected_systems", "critical_functions"])
