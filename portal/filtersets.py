import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.forms import FilterForm
from portal.models import Organisation


class AnyYesNo(django_filters.widgets.BooleanWidget):
    """A yes/no filter whose empty choice reads "All" rather than "Unknown"."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a score): ``?risk=1.5`` is invalid rather than matching nothing."""

    field_class = forms.IntegerField


@extend_schema_field(OpenApiTypes.STR)
class OrganisationFilter(django_filters.ModelMultipleChoiceFilter):
    """Organisations by slug, repeatable: ``?organisation=hovedstaden&organisation=sjaelland``."""

    def __init__(self, *, regions_only: bool = False, **kwargs) -> None:
        queryset = Organisation.objects.all()
        if regions_only:
            queryset = queryset.filter(kind=Organisation.Kind.REGION)
        kwargs.setdefault("field_name", "organisation__slug")
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("label", _("Organisation"))
        super().__init__(queryset=queryset, **kwargs)


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text ``q`` over ``search_fields``; serves HTML and API alike."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        form = FilterForm

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.extra["widget"] = AnyYesNo
            elif isinstance(filter_, django_filters.MultipleChoiceFilter) and not isinstance(
                filter_, django_filters.ModelMultipleChoiceFilter
            ):
                filter_.extra["widget"] = forms.CheckboxSelectMultiple
        # Offer only the organisations that own something in the (restricted) queryset —
        # one subquery, so a region's users are not shown every region's name as a choice.
        organisation = self.filters.get("organisation")
        if isinstance(organisation, OrganisationFilter) and self.queryset is not None:
            owners = self.queryset.order_by().values("organisation")
            organisation.queryset = organisation.queryset.filter(pk__in=owners)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class OrganisationFilterSet(SearchFilterSet):
    search_fields = ("name_da", "name_en", "short_name", "slug")

    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, label=_("Kind"))

    class Meta(SearchFilterSet.Meta):
        model = Organisation
        fields = ["q", "kind"]
