from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView

from initiatives.forms import RegionalImplementationForm
from initiatives.models import RegionalImplementation
from initiatives.selectors import current_strategy, implementation_matrix
from initiatives.views.status import is_htmx
from portal.access import Action, organisations_for
from portal.access.principal import signed_in_user
from portal.views.generic import ObjectEditView, RestrictedMixin


class ImplementationMatrixView(RestrictedMixin, TemplateView):
    """Initiatives × regions. A region's CISO edits their own column in place (htmx)."""

    queryset = RegionalImplementation.objects.all()
    template_name = "initiatives/implementation_matrix.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        strategy = current_strategy()
        if strategy is None:
            raise Http404
        editable = organisations_for(self.request.user, RegionalImplementation, Action.CHANGE)
        context.update(
            implementation_matrix(user=signed_in_user(self.request.user), strategy=strategy),
            strategy=strategy,
            editable_organisations=editable,
            may_edit_all=editable is None,
        )
        return context


class RegionalImplementationEditView(ObjectEditView):
    queryset = RegionalImplementation.objects.select_related("initiative", "organisation")
    form_class = RegionalImplementationForm
    template_name = "initiatives/implementation_form.html"

    def before_save(self, form) -> None:
        form.instance.updated_by = self.request.user

    def get_template_names(self) -> list[str]:
        if is_htmx(self.request):
            return ["initiatives/includes/implementation_cell_form.html"]
        return [self.template_name]

    def saved(self) -> HttpResponse:
        if is_htmx(self.request):
            return render(
                self.request,
                "initiatives/includes/implementation_cell.html",
                {"cell": self.object, "editable": True},
            )
        return super().saved()

    def get_success_url(self) -> str:
        return reverse("initiatives:implementation_matrix")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse("initiatives:implementation_matrix")
        return context
