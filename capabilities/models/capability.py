from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.models import VersionedModel
from portal.translation import localized


class Capability(VersionedModel):
    """A capability of a defence discipline, e.g. patch management under Forebygge.

    The catalogue is reference data drawn from the seed presentation; the TSI secretariat
    extends it."""

    discipline = models.ForeignKey(
        "capabilities.Discipline",
        on_delete=models.PROTECT,
        related_name="capabilities",
        verbose_name=_("discipline"),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    requirements = models.ManyToManyField(
        "capabilities.Requirement",
        through="capabilities.CapabilityRequirement",
        blank=True,
        related_name="capabilities",
        verbose_name=_("requirements"),
    )

    access_policy = MemberReadable()

    class Meta:
        ordering = ["discipline__order", "order", "name_da"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("capabilities:capability_detail", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return localized(self, "name")


class CapabilityRequirement(models.Model):
    """That a capability contributes to meeting a framework requirement, and how."""

    capability = models.ForeignKey(
        Capability, on_delete=models.CASCADE, related_name="requirement_links"
    )
    requirement = models.ForeignKey(
        "capabilities.Requirement", on_delete=models.CASCADE, related_name="capability_links"
    )
    note = models.CharField(_("coverage note"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = MemberReadable()

    class Meta:
        verbose_name = _("capability mapping")
        verbose_name_plural = _("capability mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "requirement"], name="capability_requirement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.capability_id} → {self.requirement_id}"


audited(Capability)
audited(CapabilityRequirement)
