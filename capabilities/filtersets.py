import django_filters
from django.utils.translation import gettext_lazy as _

from capabilities.models import Capability, Discipline, MaturityAssessment
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


class MaturityAssessmentApiFilterSet(MaturityAssessmentFilterSet):
    """The API's filters: the page's, and ``organisation__slug``, which clients used before
    ``organisation`` (kept so that their queries keep working)."""

    organisation__slug = django_filters.CharFilter(
        field_name="organisation__slug", label=_("Region (slug)")
    )

    class Meta(MaturityAssessmentFilterSet.Meta):
        fields = [*MaturityAssessmentFilterSet.Meta.fields, "organisation__slug"]


class CapabilityFilterSet(SearchFilterSet):
    """The capability catalogue in the API: by discipline, or by words of its name."""

    search_fields = ("name_da", "name_en", "slug")

    discipline = django_filters.ChoiceFilter(
        field_name="discipline__code", choices=Discipline.Code.choices, label=_("Discipline")
    )
    # The name clients used before ``discipline``; kept so that their queries keep working.
    discipline__code = django_filters.ChoiceFilter(
        field_name="discipline__code", choices=Discipline.Code.choices, label=_("Discipline")
    )

    class Meta(SearchFilterSet.Meta):
        model = Capability
        fields = ["q", "discipline", "discipline__code"]
