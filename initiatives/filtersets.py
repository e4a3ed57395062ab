import django_filters
from django.utils.translation import gettext_lazy as _

from capabilities.models import Discipline
from initiatives.models import Initiative
from portal.filtersets import SearchFilterSet


class InitiativeFilterSet(SearchFilterSet):
    search_fields = ("number", "title_da", "title_en")

    strategy = django_filters.CharFilter(field_name="strategy__slug", label=_("Strategy"))
    discipline = django_filters.ChoiceFilter(
        field_name="discipline__code", choices=Discipline.Code.choices, label=_("Focus area")
    )

    class Meta(SearchFilterSet.Meta):
        model = Initiative
        fields = ["q", "strategy", "discipline"]
