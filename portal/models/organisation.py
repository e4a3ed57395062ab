from typing import ClassVar

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import AdminOnly
from portal.audit import audited
from portal.models.base import VersionedModel
from portal.translation import localized


class OrganisationQuerySet(RestrictedQuerySet["Organisation"]):
    def regions(self) -> "OrganisationQuerySet":
        """The regions (not the sector bodies)."""
        return self.filter(kind=Organisation.Kind.REGION)


OrganisationManager = models.Manager.from_queryset(OrganisationQuerySet)


class Organisation(VersionedModel):
    """A region or a sector body (Danske Regioner, the sector's CERT, …)."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        SECTOR_BODY = "sector_body", _("Sector body")

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_en_in_text = models.CharField(
        _("name in running text (English)"),
        max_length=200,
        blank=True,
        help_text=_(
            "The English name as a sentence uses it, with its article "
            "(“the Capital Region of Denmark”); empty: the English name."
        ),
    )
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    # Every signed-in user reads the list of organisations; only sector admins change it.
    access_policy = AdminOnly(readable=True)

    objects: ClassVar[OrganisationManager] = OrganisationManager()

    class Meta:
        ordering = ["kind", "name_da"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["region", "sector_body"]),
                name="organisation_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def name_in_text(self) -> str:
        """The name inside a sentence ("Status of the Capital Region of Denmark"): in English
        with the article the name takes; in Danish the name itself."""
        language = (get_language() or "da").split("-")[0]
        return (self.name_en_in_text if language == "en" else "") or self.name

    @property
    def is_region(self) -> bool:
        return self.kind == self.Kind.REGION


audited(Organisation)
