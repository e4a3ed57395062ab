from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel


class Asset(VersionedModel):
    """Something a region protects: a system, a category of medical devices, infrastructure.

    Confidential to its region, except that a shared system ("fælles system") is visible to
    every region it is shared with.
    """

    class Kind(models.TextChoices):
        SYSTEM = "system", _("System")
        MEDICAL_DEVICE_CATEGORY = "medical_device_category", _("Medical device category")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="assets",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.SYSTEM)
    description = models.TextField(_("description"), blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("For a device category: how many devices it holds."),
    )
    is_legacy = models.BooleanField(_("legacy"), default=False)
    end_of_support = models.DateField(_("end of support"), null=True, blank=True)
    shared_with = models.ManyToManyField(
        "portal.Organisation",
        blank=True,
        related_name="shared_assets",
        verbose_name=_("shared with"),
        help_text=_("Other regions that use this system (a shared system)."),
    )

    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES, edit_roles=(Role.CISO,), shared_field="shared_with"
    )

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "kind"], name="asset_unique_name"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="asset_quantity_positive"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risks:asset_detail", kwargs={"pk": self.pk})


audited(Asset, m2m=["shared_with"])
