from datetime import date

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from capabilities.models import Discipline
from portal.filtersets import IntegerFilter, OrganisationFilter, SearchFilterSet
from risks.cadence import ReviewCadence
from risks.models import Asset, CriticalFunction, Level, Risk, RiskStatus, Threat, TreatmentAction
from risks.models.risk import RiskQuerySet
from risks.models.threat import AttackSurface
from risks.models.treatment import TreatmentActionQuerySet


class AssetFilterSet(SearchFilterSet):
    search_fields = ("name", "supplier", "description")

    organisation = OrganisationFilter(regions_only=True, label=_("Region"))
    kind = django_filters.ChoiceFilter(choices=Asset.Kind.choices, label=_("Kind"))
    is_legacy = django_filters.BooleanFilter(label=_("Legacy"))
    supplier = django_filters.CharFilter(lookup_expr="icontains", label=_("Supplier"))
    end_of_support_before = django_filters.DateFilter(
        field_name="end_of_support", lookup_expr="lte", label=_("Support ends before")
    )

    class Meta(SearchFilterSet.Meta):
        model = Asset
        fields = ["q", "organisation", "kind", "is_legacy", "supplier", "end_of_support_before"]


class RiskFilterSet(SearchFilterSet):
    """Serves the register page, the heatmaps (their counts and their cells' links: one
    definition, ``risks.selectors.heatmap_risks``) and the risks API."""

    search_fields = ("title", "description", "vulnerability")

    organisation = OrganisationFilter(regions_only=True, label=_("Region"))
    level = django_filters.MultipleChoiceFilter(
        field_name="residual_level", choices=Level.choices, label=_("Residual level")
    )
    inherent_level = django_filters.MultipleChoiceFilter(
        choices=Level.choices, label=_("Inherent level")
    )
    status = django_filters.MultipleChoiceFilter(choices=RiskStatus.choices, label=_("Status"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (user name)"))
    asset = IntegerFilter(field_name="assets", label=_("Asset"), widget=forms.HiddenInput)
    threat = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Threat.objects.all(), label=_("Threat")
    )
    discipline = django_filters.ChoiceFilter(
        field_name="discipline__code", choices=Discipline.Code.choices, label=_("Discipline")
    )
    attack_surface = django_filters.ChoiceFilter(
        choices=AttackSurface.choices, label=_("Attack surface")
    )
    review_overdue = django_filters.BooleanFilter(
        method="filter_review_overdue", label=_("Review overdue")
    )
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open (not closed)"))
    # A heatmap cell's filters: hidden until set (by following a cell), then shown in the
    # panel like any other filter, so that they can be seen, changed and removed.
    residual_likelihood = IntegerFilter(widget=forms.HiddenInput, label=_("Residual likelihood"))
    residual_consequence = IntegerFilter(widget=forms.HiddenInput, label=_("Residual consequence"))
    inherent_likelihood = IntegerFilter(widget=forms.HiddenInput, label=_("Inherent likelihood"))
    inherent_consequence = IntegerFilter(widget=forms.HiddenInput, label=_("Inherent consequence"))

    class Meta(SearchFilterSet.Meta):
        model = Risk
        fields = [
            "q",
            "organisation",
            "level",
            "status",
            "owner",
            "threat",
            "discipline",
            "attack_surface",
            "review_overdue",
            "open",
            "asset",
            "inherent_level",
            "residual_likelihood",
            "residual_consequence",
            "inherent_likelihood",
            "inherent_consequence",
        ]

    #: The filters a heatmap cell sets (``risks.selectors.heatmap_cell_url``).
    cell_filters = (
        "residual_likelihood",
        "residual_consequence",
        "inherent_likelihood",
        "inherent_consequence",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        data = self.data or {}
        for name in self.cell_filters:
            if str(data.get(name) or "").strip():
                self.filters[name].extra["widget"] = forms.NumberInput(attrs={"min": 1})

    def filter_review_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = ReviewCadence.load().overdue_q(date.today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_open(self, queryset: RiskQuerySet, name: str, value: bool | None) -> QuerySet:
        """Open risks (``RiskQuerySet.open``: what the heatmaps count) or the closed ones."""
        if value is None:
            return queryset
        return queryset.open() if value else queryset.filter(status=RiskStatus.CLOSED)


class TreatmentActionFilterSet(SearchFilterSet):
    search_fields = ("title",)

    risk = IntegerFilter(field_name="risk_id", label=_("Risk"))
    status = django_filters.MultipleChoiceFilter(
        choices=TreatmentAction.Status.choices, label=_("Status")
    )
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (user name)"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta(SearchFilterSet.Meta):
        model = TreatmentAction
        fields = ["q", "risk", "status", "owner", "overdue"]

    def filter_overdue(
        self, queryset: TreatmentActionQuerySet, name: str, value: bool | None
    ) -> QuerySet:
        if value is None:
            return queryset
        today = date.today()
        return queryset.overdue(today) if value else queryset.not_overdue(today)


class CriticalFunctionFilterSet(SearchFilterSet):
    search_fields = ("name", "description")

    organisation = OrganisationFilter(regions_only=True, label=_("Region"))

    class Meta(SearchFilterSet.Meta):
        model = CriticalFunction
        fields = ["q", "organisation"]


class ThreatFilterSet(SearchFilterSet):
    search_fields = ("name_da", "name_en", "slug")

    attack_surface = django_filters.ChoiceFilter(
        choices=AttackSurface.choices, label=_("Attack surface")
    )

    class Meta(SearchFilterSet.Meta):
        model = Threat
        fields = ["q", "attack_surface"]
