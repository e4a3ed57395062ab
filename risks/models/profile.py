from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role
from portal.audit import audited
from portal.models import VersionedModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: (field, attack surface, Danish label in the seed) — the order of the seed presentation.
PROFILE_FIGURES = [
    ("locations", "physical"),
    ("buildings", "physical"),
    ("employees", "human"),
    ("students", "human"),
    ("temporary_staff", "human"),
    ("researchers", "human"),
    ("external_consultants", "human"),
    ("systems", "digital"),
    ("medical_devices", "digital"),
    ("end_user_devices", "digital"),
    ("data_centres", "digital"),
    ("physical_servers", "digital"),
    ("virtual_servers", "digital"),
]

#: Figures the asset inventory holds; the profile takes them from there when it is saved.
DERIVED_FIGURES = ("systems", "medical_devices")


def _figure(label: "StrOrPromise") -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


class AttackSurfaceProfile(VersionedModel):
    """A region's attack surface in a period: physical, human and digital figures, as in the
    seed presentation ("90+ lokationer, 45.000+ medarbejdere, 1500+ systemer …")."""

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="attack_surface_profiles",
        verbose_name=_("organisation"),
    )
    period = models.CharField(_("period"), max_length=7, help_text=_("e.g. 2026-H1"))
    locations = _figure(_("locations"))
    buildings = _figure(_("buildings"))
    employees = _figure(_("employees"))
    students = _figure(_("students"))
    temporary_staff = _figure(_("temporary staff"))
    researchers = _figure(_("researchers"))
    external_consultants = _figure(_("external consultants"))
    systems = _figure(_("systems and software"))
    medical_devices = _figure(_("medical devices"))
    end_user_devices = _figure(_("PCs, phones and tablets"))
    data_centres = _figure(_("primary data centres"))
    physical_servers = _figure(_("physical servers"))
    virtual_servers = _figure(_("virtual servers"))
    note = models.TextField(_("note"), blank=True)
    #: The figures given as "at least" (the seed's "45.000+"): shown with a "+".
    lower_bounds = models.JSONField(
        _("lower bounds"),
        default=list,
        blank=True,
        help_text=_("The figures that are at least this many, shown with a +."),
    )

    access_policy = OrganisationOwned(read_roles=REGION_ROLES, edit_roles=(Role.CISO,))

    class Meta:
        ordering = ["organisation", "-period"]
        verbose_name = _("attack-surface profile")
        verbose_name_plural = _("attack-surface profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period"], name="attack_surface_profile_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period}"

    def clean(self) -> None:
        super().clean()
        figures = {name for name, _surface in PROFILE_FIGURES}
        if not isinstance(self.lower_bounds, list) or not set(self.lower_bounds) <= figures:
            raise ValidationError({"lower_bounds": _("Name only the profile's own figures.")})

    def figure_display(self, name: str) -> str | None:
        """A figure as a reader writes it, in the active language: ``45.000+`` for a lower
        bound, ``2``; None when it is not recorded."""
        value = getattr(self, name)
        if value is None:
            return None
        shown = number_format(value, force_grouping=True)
        return f"{shown}+" if name in self.lower_bounds else shown

    def get_absolute_url(self) -> str:
        return reverse("risks:attack_surface", kwargs={"slug": self.organisation.slug})


audited(AttackSurfaceProfile)


class RiskSnapshot(models.Model):
    """A region's risk picture at the end of a quarter: the open risks per level and per
    heatmap cell, the open and overdue treatment actions and the accepted risks — what the
    reports of a past period and the trends show (``risks.selectors.risk_picture_at``)."""

    organisation = models.ForeignKey(
        "portal.Organisation", on_delete=models.CASCADE, related_name="risk_snapshots"
    )
    period = models.CharField(max_length=7)  # e.g. 2026-Q3
    taken_at = models.DateTimeField(auto_now_add=True)
    residual_low = models.PositiveIntegerField(default=0)
    residual_medium = models.PositiveIntegerField(default=0)
    residual_high = models.PositiveIntegerField(default=0)
    residual_critical = models.PositiveIntegerField(default=0)
    inherent_low = models.PositiveIntegerField(default=0)
    inherent_medium = models.PositiveIntegerField(default=0)
    inherent_high = models.PositiveIntegerField(default=0)
    inherent_critical = models.PositiveIntegerField(default=0)
    #: ``{"likelihood,consequence": count}`` of the open risks, e.g. ``{"3,4": 12}``.
    residual_cells = models.JSONField(default=dict, blank=True)
    inherent_cells = models.JSONField(default=dict, blank=True)
    open_actions = models.PositiveIntegerField(default=0)
    overdue_actions = models.PositiveIntegerField(default=0)
    accepted_risks = models.PositiveIntegerField(default=0)
    # What the quarterly risk report of a past quarter lists (the risks' titles, their
    # owners) is kept apart, in ``RiskSnapshotListing``, which only the region reads.
    #: What the sector's risk picture counts besides the above (``risks.sector_picture``):
    #: the open risks per threat (``{"<threat slug>": count}``) and per attack surface
    #: (``{"digital": count, …}``), the accepted risks above medium, and the region's own
    #: shared systems and critical functions at risk (an open risk above medium affects
    #: them). Null in snapshots taken before they were recorded: the sector picture then
    #: says they were not recorded, never 0.
    threat_counts = models.JSONField(null=True, blank=True)
    surface_counts = models.JSONField(null=True, blank=True)
    accepted_above_medium = models.PositiveIntegerField(null=True, blank=True)
    shared_systems_at_risk = models.PositiveIntegerField(null=True, blank=True)
    critical_functions_at_risk = models.PositiveIntegerField(null=True, blank=True)
    #: The open risks per consequence dimension that sets their consequence
    #: (``{"patient_safety": count, …}``; a risk with no dimension scored is not counted).
    #: Null in snapshots taken before the dimensions.
    dimension_counts = models.JSONField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    # The region's people read its snapshots; the TSI secretariat reads every region's, for
    # the sector's risk picture, which shows their counts only (``risks.sector_picture``).
    # A snapshot holds counts only: what names risks and people is in its
    # ``RiskSnapshotListing``, which the secretariat does not read.
    access_policy = OrganisationOwned(
        read_roles=REGION_ROLES, edit_roles=(), sector_read_roles=(Role.SECRETARIAT,)
    )

    class Meta:
        ordering = ["organisation", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period"], name="risk_snapshot_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.period}"


class RiskSnapshotListing(models.Model):
    """What the quarterly risk report of a snapshot's quarter lists: the ten highest residual
    risks (owner, open and overdue actions), the quarter's acceptances and closures and the
    overdue reviews — ``risks.selectors.QuarterListing`` as JSON. Kept apart from the
    snapshot's counts because it names the region's risks and people: the region reads it
    (as the snapshots before the sector's risk picture), the TSI secretariat, which reads
    every region's counts, does not. A snapshot taken before the lists were recorded has
    none: the report then says the snapshot holds no list."""

    snapshot = models.OneToOneField(
        RiskSnapshot, on_delete=models.CASCADE, primary_key=True, related_name="listing_record"
    )
    #: The snapshot's organisation, copied so that the access policy and row-level security
    #: decide on the row itself. Set from the snapshot on save; on PostgreSQL a foreign key on
    #: (snapshot, organisation) refuses any other value (``portal.rls.parent_organisation_sql``).
    organisation = models.ForeignKey(
        "portal.Organisation", on_delete=models.CASCADE, editable=False, related_name="+"
    )
    listing = models.JSONField()

    objects = RestrictedQuerySet.as_manager()
    access_policy = OrganisationOwned(read_roles=REGION_ROLES, edit_roles=())

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.snapshot_id}"

    def save(self, *args, **kwargs) -> None:
        self.organisation_id = self.snapshot.organisation_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "snapshot" in update_fields:
            kwargs["update_fields"] = {*update_fields, "organisation"}
        super().save(*args, **kwargs)
