from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel
from reports.models.run import (
    SHARED_SECTOR_EDITIONS,
    TSI_ONLY_EDITIONS,
    TSI_ONLY_READERS,
    ReportKind,
)


class NarrativeDraft(VersionedModel):
    """A narrative section of a report, in Markdown (rendered safely: no HTML, no script).

    Sector editions (no organisation) are written by the TSI secretariat, a region's edition by
    its CISO. Every number in a report comes from the database at generation time; only these
    texts are written by people."""

    class Section(models.TextChoices):
        INTRODUCTION = "introduction", _("Introduction")
        # The councils' appendix: TSI's focus areas of the half-year before the report's
        # and of its own (seed 003), each with the secretariat's account.
        FOCUS_LAST_HALF = "focus_last_half", _("Focus areas of the last half-year")
        FOCUS_CURRENT_HALF = "focus_current_half", _("Focus areas of the current half-year")
        THREAT_ASSESSMENT = "threat_assessment", _("Threat assessment")
        CONCLUSION = "conclusion", _("Conclusion")

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="narrative_drafts",
        verbose_name=_("organisation"),
    )
    period = models.CharField(_("period"), max_length=7)
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    body = models.TextField(_("text (Markdown)"), blank=True)

    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES,
        edit_roles=(Role.CISO,),
        # The region roles (with the direktion, as the database's policies read them); the
        # sector's texts of a kind for TSI alone as the kind's runs (``ReportRun``).
        sector_read_roles=(Role.SECRETARIAT, *REGION_ROLES),
        sector_read_filter=SHARED_SECTOR_EDITIONS,
        named_reads=((TSI_ONLY_READERS, TSI_ONLY_EDITIONS),),
        sector_edit_roles=(Role.SECRETARIAT,),
    )

    class Meta:
        ordering = ["kind", "period", "section"]
        verbose_name = _("narrative draft")
        verbose_name_plural = _("narrative drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organisation", "period", "section"],
                condition=Q(organisation__isnull=False),
                name="narrative_draft_unique_region_section",
            ),
            models.UniqueConstraint(
                fields=["kind", "period", "section"],
                condition=Q(organisation__isnull=True),
                name="narrative_draft_unique_sector_section",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} · {self.get_section_display()}"


audited(NarrativeDraft)
