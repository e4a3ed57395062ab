from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from initiatives.filtersets import InitiativeFilterSet
from initiatives.forms import InitiativeForm
from initiatives.models import Initiative, Strategy
from initiatives.selectors import current_strategy, initiative_detail, with_current_status
from portal.access import Action, can
from portal.access.principal import signed_in_user
from portal.models import Organisation
from portal.periods import current_period
from portal.views.generic import ObjectDetailView, ObjectEditView, ObjectListView, RestrictedMixin


class PortfolioView(ObjectListView):
    """The strategy's initiatives grouped by focus area, with their current status."""

    queryset = Initiative.objects.select_related(
        "discipline", "working_group", "strategy", "lead_organisation"
    )
    filterset_class = InitiativeFilterSet
    template_name = "initiatives/portfolio.html"
    paginate_by = 200

    def annotate(self, queryset: QuerySet) -> QuerySet:
        self.strategy = current_strategy()
        if self.strategy is not None and "strategy" not in self.request.GET:
            queryset = queryset.filter(strategy=self.strategy)
        return with_current_status(queryset).order_by("discipline__order", "sort_key")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(strategy=self.strategy, period=current_period(), today=date.today())
        return context


class InitiativeDetailView(ObjectDetailView):
    queryset = Initiative.objects.all()
    template_name = "initiatives/initiative_detail.html"
    edit_url_name = "initiatives:initiative_edit"

    def get_object(self, queryset: QuerySet | None = None) -> Initiative:
        obj = initiative_detail(
            user=signed_in_user(self.request.user), pk=self.kwargs["pk"]
        ).first()
        if obj is None:
            raise Http404
        return obj

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        initiative = self.object
        by_region = {row.organisation_id: row for row in initiative.implementations.all()}
        regions = Organisation.objects.regions()
        may_change = context["edit_url"] is not None
        context.update(
            today=date.today(),
            period=current_period(),
            status_updates=initiative.status_updates.all(),
            milestones=initiative.milestones.all(),
            implementations=[(region, by_region.get(region.pk)) for region in regions],
            may_record_status=may_change,
            may_edit_milestones=may_change,
        )
        return context


class InitiativeEditView(ObjectEditView):
    queryset = Initiative.objects.select_related("strategy")
    form_class = InitiativeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["may_assign_group"] = can(self.request.user, "initiatives.assign_group")
        return kwargs


class StrategyDetailView(RestrictedMixin, DetailView):
    """A strategy with its objectives and how the initiatives serve them."""

    queryset = Strategy.objects.select_related("predecessor")
    template_name = "initiatives/strategy_detail.html"
    slug_field = "slug"

    def get_object(self, queryset: QuerySet | None = None) -> Strategy:
        if "slug" not in self.kwargs:
            strategy = current_strategy()
            if strategy is None:
                raise Http404
            return strategy
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        objectives = self.object.objectives.prefetch_related("initiatives").order_by("number")
        initiatives = with_current_status(
            self.object.initiatives.select_related("discipline").prefetch_related("objectives")
        ).order_by("discipline__order", "sort_key")
        context.update(
            objectives=objectives,
            initiatives=initiatives,
            # (The template lists the same, already fetched initiatives.)
            unconfirmed_objectives=any(
                not initiative.objectives_confirmed and initiative.objectives.all()
                for initiative in initiatives
            ),
            may_edit=can(self.request.user, Action.CHANGE, self.object),
        )
        return context
