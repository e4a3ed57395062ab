import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filtersets import OrganisationFilter, SearchFilterSet
from reports.models import Classification, ReportKind, ReportRun


class ReportRunFilterSet(SearchFilterSet):
    """Serves the runs page and the reports API."""

    search_fields = ("period", "error")

    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label=_("Report"))
    status = django_filters.ChoiceFilter(choices=ReportRun.Status.choices, label=_("Status"))
    organisation = OrganisationFilter(regions_only=True, label=_("Region"))
    period = django_filters.CharFilter(label=_("Period"))
    classification = django_filters.ChoiceFilter(
        choices=Classification.choices, label=_("Classification")
    )

    approved = django_filters.BooleanFilter(
        field_name="approved_at", lookup_expr="isnull", exclude=True, label=_("Approved")
    )

    class Meta(SearchFilterSet.Meta):
        model = ReportRun
        fields = ["q", "kind", "status", "organisation", "period", "classification", "approved"]
