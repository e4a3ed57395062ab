import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.access import can, dashboard_regions
from portal.access.choices import scope_choices
from portal.filtersets import OrganisationFilter, SearchFilterSet
from portal.models import Organisation
from reports.models import Classification, ReportKind, ReportRun
from reports.models.run import TSI_ONLY_KINDS, TSI_ONLY_READERS


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if not can(user, TSI_ONLY_READERS):
            # The kinds for TSI alone are not offered to whoever reads none of their runs.
            self.filters["kind"].extra["choices"] = [
                (value, label) for value, label in ReportKind.choices if value not in TSI_ONLY_KINDS
            ]
        # Runs are few, and a region may have none yet: the region filter offers the regions
        # the user belongs to as well as those that own a run the user may see.
        if self.queryset is not None:
            owners = self.queryset.order_by().values("organisation")
            own_regions = dashboard_regions(user).values("pk")
            self.filters["organisation"].queryset = scope_choices(
                Organisation.objects.regions(), user=user
            ).filter(Q(pk__in=owners) | Q(pk__in=own_regions))
