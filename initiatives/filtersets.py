import django_filters
from django.utils.translation import gettext_lazy as _

from capabilities.models import Discipline
from initiatives.models import (
    Deliverable,
    Initiative,
    LifecycleStatus,
    Milestone,
    Rag,
    RegionalImplementation,
    Strategy,
    WorkingGroup,
)
from portal.filtersets import IntegerFilter, OrganisationFilter, SearchFilterSet


class InitiativeFilterSet(SearchFilterSet):
    """Serves the portfolio page and the initiatives API (status and RAG are the latest
    update's, annotated by ``initiatives.selectors.with_current_status``)."""

    search_fields = ("number", "title_da", "title_en", "description_da", "description_en")

    strategy = django_filters.ModelChoiceFilter(
        field_name="strategy",
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        label=_("Strategy"),
    )
    discipline = django_filters.ChoiceFilter(
        field_name="discipline__code", choices=Discipline.Code.choices, label=_("Focus area")
    )
    working_group = django_filters.ModelChoiceFilter(
        field_name="working_group",
        to_field_name="slug",
        queryset=WorkingGroup.objects.all(),
        label=_("Working group"),
    )
    rag = django_filters.ChoiceFilter(
        field_name="current_rag", choices=Rag.choices, label=_("RAG status")
    )
    status = django_filters.ChoiceFilter(
        field_name="current_status", choices=LifecycleStatus.choices, label=_("Status")
    )

    class Meta(SearchFilterSet.Meta):
        model = Initiative
        fields = ["q", "discipline", "working_group", "rag", "status", "strategy"]


class WorkingGroupFilterSet(SearchFilterSet):
    search_fields = ("name_da", "name_en", "topics")

    kind = django_filters.ChoiceFilter(choices=WorkingGroup.Kind.choices, label=_("Kind"))

    class Meta(SearchFilterSet.Meta):
        model = WorkingGroup
        fields = ["q", "kind"]


class DeliverableFilterSet(SearchFilterSet):
    search_fields = ("title", "description")

    working_group = django_filters.ModelChoiceFilter(
        field_name="working_group",
        to_field_name="slug",
        queryset=WorkingGroup.objects.all(),
        label=_("Working group"),
    )
    initiative = IntegerFilter(field_name="initiative_id", label=_("Initiative"))
    status = django_filters.ChoiceFilter(choices=Deliverable.Status.choices, label=_("Status"))
    due_after = django_filters.DateFilter(field_name="due", lookup_expr="gte", label=_("Due from"))
    due_before = django_filters.DateFilter(
        field_name="due", lookup_expr="lte", label=_("Due until")
    )

    class Meta(SearchFilterSet.Meta):
        model = Deliverable
        fields = ["q", "working_group", "initiative", "status", "due_after", "due_before"]


class MilestoneFilterSet(SearchFilterSet):
    search_fields = ("title",)

    initiative = IntegerFilter(field_name="initiative_id", label=_("Initiative"))
    open = django_filters.BooleanFilter(field_name="done_on", lookup_expr="isnull", label=_("Open"))

    class Meta(SearchFilterSet.Meta):
        model = Milestone
        fields = ["q", "initiative", "open"]


class RegionalImplementationFilterSet(django_filters.FilterSet):
    initiative = IntegerFilter(field_name="initiative_id", label=_("Initiative"))
    organisation = OrganisationFilter(regions_only=True, label=_("Region"))
    status = django_filters.ChoiceFilter(
        choices=RegionalImplementation.Status.choices, label=_("Status")
    )

    class Meta:
        model = RegionalImplementation
        fields = ["initiative", "organisation", "status"]
