import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filtersets import OrganisationFilter, SearchFilterSet
from risks.models import Asset


class AssetFilterSet(SearchFilterSet):
    search_fields = ("name", "supplier", "description")

    organisation = OrganisationFilter(regions_only=True, label=_("Region"))
    kind = django_filters.ChoiceFilter(choices=Asset.Kind.choices, label=_("Kind"))
    is_legacy = django_filters.BooleanFilter(label=_("Legacy"))
    supplier = django_filters.CharFilter(lookup_expr="icontains", label=_("Supplier"))

    class Meta(SearchFilterSet.Meta):
        model = Asset
        fields = ["q", "organisation", "kind", "is_legacy", "supplier"]
