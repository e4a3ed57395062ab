import django_filters
from django.utils.translation import gettext_lazy as _

from capabilities.models import MaturityAssessment
from portal.filtersets import OrganisationFilter, SearchFilterSet


class MaturityAssessmentFilterSet(SearchFilterSet):
    """Serves the maturity campaigns page and the maturity assessments API."""

    search_fields = ("period",)

    organisation = OrganisationFilter(regions_only=True, label=_("Region"))
    period = django_filters.CharFilter(label=_("Period"))
    status = django_filters.ChoiceFilter(
        choices=MaturityAssessment.Status.choices, label=_("Status")
    )

    class Meta(SearchFilterSet.Meta):
        model = MaturityAssessment
        fields = ["q", "organisation", "period", "status"]
