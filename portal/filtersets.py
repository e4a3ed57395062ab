import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.access.choices import scope_choices
from portal.forms import FilterForm
from portal.integer_bounds import INT64_MAX, INT64_MIN, bound_integers
from portal.models import AuditRead, Organisation, ReadKind


class AnyYesNo(django_filters.widgets.BooleanWidget):
    """A yes/no filter whose empty choice reads "All" rather than "Unknown"."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a score): ``?risk=1.5`` is invalid rather than matching nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", INT64_MIN)  # beyond 64 bits: a field error, not a 500
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class OrganisationFilter(django_filters.ModelMultipleChoiceFilter):
    """Organisations by slug, repeatable: ``?organisation=hovedstaden&organisation=sjaelland``."""

    def __init__(self, *, regions_only: bool = False, **kwargs) -> None:
        queryset = Organisation.objects.all()
        if regions_only:
            queryset = queryset.regions()
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
            bound_integers(filter_)  # numbers beyond 64 bits: a field error (portal.integer_bounds)
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.extra["widget"] = AnyYesNo
            elif isinstance(filter_, django_filters.MultipleChoiceFilter) and not isinstance(
                filter_, django_filters.ModelMultipleChoiceFilter
            ):
                filter_.extra["widget"] = forms.CheckboxSelectMultiple
            if isinstance(filter_, django_filters.filters.QuerySetRequestMixin):
                # A filter's choices are a read like any other (portal.access.choices).
                queryset = filter_.get_queryset(self.request)
                filter_.queryset = scope_choices(queryset, user=getattr(self.request, "user", None))
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


class AuditReadFilterSet(SearchFilterSet):
    """Recorded reads by kind, or by the reader's user name and what was read."""

    search_fields = ("actor__username", "object_repr")

    kind = django_filters.ChoiceFilter(
        field_name="additional_data__kind", choices=ReadKind.choices, label=_("Read")
    )

    class Meta(SearchFilterSet.Meta):
        model = AuditRead
        fields = ["q", "kind"]
