from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited


class ReportKind(models.TextChoices):
    COUNCIL_APPENDIX = "council_appendix", _("Status appendix to the regional councils")
    CISO_QUARTERLY = "ciso_quarterly", _("CISO's quarterly risk report")
    TSI_PORTFOLIO = "tsi_portfolio", _("TSI portfolio report")
    SECTOR_RISK_PICTURE = "sector_risk_picture", _("Sector risk picture")


class Classification(models.TextChoices):
    """Who may read an edition: a public one is published (the councils' appendix goes out
    with the council's agenda) and holds no risk figures; a confidential one adds the
    region's risk picture and is read only by the region's people."""

    PUBLIC = "public", _("Public")
    CONFIDENTIAL = "confidential", _("Confidential")


#: File-name words per language: kind, the sector edition, classification. Plain ASCII, so
#: that every mail client and file system keeps the name as it is.
FILE_NAME_WORDS = {
    "da": {
        ReportKind.COUNCIL_APPENDIX: "statusbilag",
        ReportKind.CISO_QUARTERLY: "kvartalsvis-risikorapport",
        ReportKind.TSI_PORTFOLIO: "tsi-portefoljerapport",
        ReportKind.SECTOR_RISK_PICTURE: "sektorens-risikobillede",
        "sector": "faellesregional",
        Classification.PUBLIC: "offentlig",
        Classification.CONFIDENTIAL: "fortrolig",
    },
    "en": {
        ReportKind.COUNCIL_APPENDIX: "status-appendix",
        ReportKind.CISO_QUARTERLY: "quarterly-risk-report",
        ReportKind.TSI_PORTFOLIO: "tsi-portfolio-report",
        ReportKind.SECTOR_RISK_PICTURE: "sector-risk-picture",
        "sector": "sector",
        Classification.PUBLIC: "public",
        Classification.CONFIDENTIAL: "confidential",
    },
}

#: The classification a request gets when it names none.
DEFAULT_CLASSIFICATION = {
    ReportKind.COUNCIL_APPENDIX: Classification.PUBLIC,
    ReportKind.CISO_QUARTERLY: Classification.CONFIDENTIAL,
    ReportKind.TSI_PORTFOLIO: Classification.PUBLIC,
    ReportKind.SECTOR_RISK_PICTURE: Classification.CONFIDENTIAL,
}

#: The kinds that are always confidential, whoever asks for them: the CISO's quarterly
#: report (a region's risks) and the sector's risk picture (every region's counts, TSI's).
ALWAYS_CONFIDENTIAL = frozenset({ReportKind.CISO_QUARTERLY, ReportKind.SECTOR_RISK_PICTURE})

#: The kinds that have only a sector edition and that only TSI reads — whoever may read the
#: sector's risk picture itself (the named action below), never a region's people, though
#: they read the sector's other editions. The runs' and the drafts' access policies and the
#: database's row-level security (``reports`` migration 0007) say so.
TSI_ONLY_KINDS = (ReportKind.SECTOR_RISK_PICTURE,)
#: The named action whose holders read the ``TSI_ONLY_KINDS`` (``risks/named_actions.py``).
TSI_ONLY_READERS = "risks.view_sector_picture"
#: The sector's editions, as the access policies read them: those of ``TSI_ONLY_KINDS``, and
#: the others (read by the secretariat and every region role).
TSI_ONLY_EDITIONS = Q(organisation__isnull=True, kind__in=TSI_ONLY_KINDS)
SHARED_SECTOR_EDITIONS = Q(organisation__isnull=True) & ~Q(kind__in=TSI_ONLY_KINDS)


class ReportRun(models.Model):
    """One generation of a report: requested, run by a Celery worker, archived as a PDF.

    A finished run is an immutable archive record (its file's sha256 is kept); deleting one is
    an admin action, recorded in the audit trail. ``organisation`` is empty for the sector
    edition."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("report run", "Queued")
        RUNNING = "running", pgettext_lazy("report run", "Running")
        DONE = "done", pgettext_lazy("report run", "Done")
        FAILED = "failed", pgettext_lazy("report run", "Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("organisation"),
    )
    period = models.CharField(_("period"), max_length=7)
    language = models.CharField(_("language"), max_length=5, default="da")
    classification = models.CharField(
        _("classification"),
        max_length=12,
        choices=Classification.choices,
        default=Classification.PUBLIC,
        help_text=_("A confidential edition holds the region's risk picture."),
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("requested by"),
        help_text=_("Empty for a run the schedule requested."),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    error = models.TextField(_("error"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/", blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A generated run is a draft (watermarked) until it is approved; then its PDF is rendered
    # again without the watermark and with the approval on the cover, and ``final`` is set:
    # from then on nothing about the run changes.
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_report_runs",
        verbose_name=_("approved by"),
    )
    approval_reference = models.CharField(
        _("approval reference"),
        max_length=200,
        blank=True,
        help_text=_("The decision's reference, e.g. the TSI meeting and agenda item."),
    )
    final = models.BooleanField(
        _("final"), default=False, help_text=_("The approved PDF has been archived.")
    )

    objects = RestrictedQuerySet.as_manager()
    # A region's runs are read by its people; the sector edition (no organisation) by the
    # secretariat and every region role — but the sector's risk picture (``TSI_ONLY_KINDS``)
    # only by whoever reads the picture itself. The region's CISO requests its reports, the
    # TSI secretariat the sector's (the request services check who may ask for what).
    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES,
        edit_roles=(Role.CISO,),
        # The region roles (with the direktion, as the database's policies read them).
        sector_read_roles=(Role.SECRETARIAT, *REGION_ROLES),
        sector_read_filter=SHARED_SECTOR_EDITIONS,
        named_reads=((TSI_ONLY_READERS, TSI_ONLY_EDITIONS),),
        sector_edit_roles=(Role.SECRETARIAT,),
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"

    def save(self, *args, **kwargs) -> None:
        if self.kind in ALWAYS_CONFIDENTIAL:
            self.classification = Classification.CONFIDENTIAL  # always, whoever creates it
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:run_detail", kwargs={"pk": self.pk})

    @property
    def requester(self) -> str:
        """Who asked for the run: a user name, or the schedule."""
        return self.requested_by.username if self.requested_by else str(_("the schedule"))

    @property
    def is_confidential(self) -> bool:
        """Whether the edition holds a risk picture: a region's (the quarterly risk report
        always does) or the sector's (always)."""
        return (
            self.classification == Classification.CONFIDENTIAL or self.kind in ALWAYS_CONFIDENTIAL
        )

    @property
    def download_name(self) -> str:
        """The PDF's file name, in the edition's language: kind, period, edition,
        classification, language — ``statusbilag-2026-hovedstaden-offentlig-da.pdf``."""
        words = FILE_NAME_WORDS.get(self.language, FILE_NAME_WORDS["da"])
        classification = (
            Classification.CONFIDENTIAL if self.is_confidential else Classification.PUBLIC
        )
        edition = self.organisation.slug if self.organisation is not None else words["sector"]
        parts = [words[self.kind], self.period.lower(), edition, words[classification]]
        return "-".join([*parts, self.language]) + ".pdf"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_draft(self) -> bool:
        """A generated run not (yet) approved: its PDF carries the draft watermark."""
        return self.status == self.Status.DONE and not self.is_approved

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


audited(ReportRun, exclude=["started_at", "finished_at", "attempts"])
