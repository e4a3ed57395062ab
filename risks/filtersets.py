from datetime import date

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from capabilities.models import Discipline
from portal.filtersets import IntegerFilter, OrganisationFilter, SearchFilterSet
from portal.models import Organisation
from risks.cadence import ReviewCadence
from risks.models import Asset, CriticalFunction, Level, Risk, RiskStatus, Threat, TreatmentAction
from risks.models.dimension import ConsequenceDimension, dimension_field
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

    #: A region's register holds the joint assessments of systems shared with it too.
    organisation = OrganisationFilter(
        regions_only=True, label=_("Region"), method="filter_organisation"
    )
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
    # The consequence dimensions: the one that sets the consequence, and "dimension X scored
    # at least n" (without a dimension: any dimension scored at least n).
    dimension = django_filters.ChoiceFilter(
        field_name="consequence_dimension",
        choices=ConsequenceDimension.choices,
        label=_("Consequence set by"),
    )
    scored_dimension = django_filters.ChoiceFilter(
        choices=ConsequenceDimension.choices,
        method="filter_scored",
        label=_("Dimension scored"),
    )
    scored_at_least = IntegerFilter(
        method="filter_scored",
        min_value=1,
        max_value=7,
        label=_("Scored at least"),
    )
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
            "dimension",
            "scored_dimension",
            "scored_at_least",
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
        if self.queryset is not None:
            # A region whose register holds only joint assessments led elsewhere is a choice
            # too: the regions the joint risks' systems are shared with (one subquery more).
            joint = self.queryset.filter(joint=True).order_by().values("pk")
            systems = Risk.assets.through.objects.filter(risk_id__in=joint).values("asset_id")
            sharing = Asset.shared_with.through.objects.filter(asset_id__in=systems).values(
                "organisation_id"
            )
            organisation = self.filters["organisation"]
            organisation.queryset = organisation.queryset | Organisation.objects.regions().filter(
                pk__in=sharing
            )
        data = self.data or {}
        for name in self.cell_filters:
            if str(data.get(name) or "").strip():
                self.filters[name].extra["widget"] = forms.NumberInput(attrs={"min": 1})

    def filter_organisation(self, queryset: RiskQuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.in_register_of([organisation.pk for organisation in value])

    def filter_review_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = ReviewCadence.load().overdue_q(date.today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_scored(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        """Both filters are read together, once (by the dimension's filter when it is set):
        the dimension scored at least the number (1 without one), or — without a dimension —
        any dimension scored at least the number."""
        data = self.form.cleaned_data
        dimension, least = data.get("scored_dimension"), data.get("scored_at_least")
        if name == "scored_at_least" and dimension:
            return queryset  # the dimension's filter reads the number
        fields = (
            [dimension_field(dimension)]
            if dimension
            else [dimension_field(value) for value in ConsequenceDimension.values]
        )
        return queryset.filter(
            Q(*(Q(**{f"{field}__gte": least or 1}) for field in fields), _connector=Q.OR)
        )

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
