import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, IncidentCategory, IncidentSeverity, IncidentStatus
from incidents.models.incident import IncidentQuerySet
from portal.filtersets import OrganisationFilter, SearchFilterSet


class IncidentFilterSet(SearchFilterSet):
    """The register's filters, for the incident list and the API alike."""

    search_fields = ("title", "description", "supplier")

    organisation = OrganisationFilter(regions_only=True, label=_("Region"))
    category = django_filters.MultipleChoiceFilter(
        choices=IncidentCategory.choices, label=_("Category")
    )
    severity = django_filters.MultipleChoiceFilter(
        choices=IncidentSeverity.choices, label=_("Severity")
    )
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open (not closed)"))
    nis2_significant = django_filters.BooleanFilter(label=_("Significant incident (NIS2)"))
    personal_data_breach = django_filters.BooleanFilter(
        field_name="gdpr_breach", label=_("Personal data breach (GDPR)")
    )
    aware_from = django_filters.DateFilter(
        field_name="aware_at", lookup_expr="date__gte", label=_("Aware from")
    )
    aware_to = django_filters.DateFilter(
        field_name="aware_at", lookup_expr="date__lte", label=_("Aware until")
    )

    class Meta(SearchFilterSet.Meta):
        model = Incident
        fields = [
            "q",
            "organisation",
            "category",
            "severity",
            "status",
            "open",
            "nis2_significant",
            "personal_data_breach",
            "aware_from",
            "aware_to",
        ]

    def filter_open(self, queryset: IncidentQuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.open() if value else queryset.filter(status=IncidentStatus.CLOSED)
