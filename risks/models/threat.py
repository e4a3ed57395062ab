from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.models import VersionedModel
from portal.translation import localized


class AttackSurface(models.TextChoices):
    """The three attack surfaces of the seed presentation."""

    PHYSICAL = "physical", _("Physical")
    HUMAN = "human", _("Human")
    DIGITAL = "digital", _("Digital")


class Threat(VersionedModel):
    """The threat catalogue: reference data the TSI secretariat extends."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    attack_surface = models.CharField(
        _("typical attack surface"), max_length=10, choices=AttackSurface.choices
    )

    access_policy = MemberReadable()

    class Meta:
        ordering = ["name_da"]
        verbose_name = _("threat")
        verbose_name_plural = _("threats")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


audited(Threat)
