from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel


class CriticalFunction(VersionedModel):
    """A function society depends on (samfundsvigtig funktion), e.g. the emergency
    department, and the systems it depends on."""

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="critical_functions",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    systems = models.ManyToManyField(
        "risks.Asset",
        blank=True,
        related_name="critical_functions",
        verbose_name=_("systems it depends on"),
    )

    access_policy = OrganisationOwned(read_roles=REGION_ROLES, edit_roles=(Role.CISO,))

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("critical function")
        verbose_name_plural = _("critical functions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="critical_function_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risks:critical_function_detail", kwargs={"pk": self.pk})


audited(CriticalFunction, m2m=["systems"])
