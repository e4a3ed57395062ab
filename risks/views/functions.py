from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.access import Action, can, can_add_somewhere
from portal.models import ConcurrentUpdate
from portal.views.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RestrictedMixin,
)
from risks.filtersets import CriticalFunctionFilterSet
from risks.forms import AttackSurfaceProfileForm, CriticalFunctionForm, RiskMatrixForm
from risks.models import (
    AttackSurfaceProfile,
    CriticalFunction,
    Risk,
    RiskMatrix,
)
from risks.models.profile import DERIVED_FIGURES, PROFILE_FIGURES
from risks.selectors import inventory_counts, systems_near_end_of_support
from risks.services import risk_matrix_save
from risks.views.register import visible_regions


class CriticalFunctionListView(ObjectListView):
    queryset = CriticalFunction.objects.select_related("organisation")
    filterset_class = CriticalFunctionFilterSet
    template_name = "risks/critical_function_list.html"
    add_url_name = "risks:critical_function_add"


class CriticalFunctionDetailView(ObjectDetailView):
    """A critical function with the risks of the systems it depends on."""

    queryset = CriticalFunction.objects.select_related("organisation")
    template_name = "risks/critical_function_detail.html"
    edit_url_name = "risks:critical_function_edit"
    delete_url_name = "risks:critical_function_delete"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        visible_risks = Risk.objects.restrict(self.request.user).select_related("threat")
        context["systems"] = self.object.systems.order_by("name").prefetch_related(
            Prefetch("risks", queryset=visible_risks.order_by("-residual_score"))
        )
        return context


class CriticalFunctionEditView(ObjectEditView):
    queryset = CriticalFunction.objects.all()
    form_class = CriticalFunctionForm
    list_url_name = "risks:critical_function_list"


class CriticalFunctionDeleteView(ObjectDeleteView):
    queryset = CriticalFunction.objects.all()
    success_url_name = "risks:critical_function_list"


class AttackSurfaceView(RestrictedMixin, TemplateView):
    """A region's attack surface over time, and its systems whose support ends soon."""

    queryset = AttackSurfaceProfile.objects.all()
    template_name = "risks/attack_surface.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organisation = get_object_or_404(
            visible_regions(self.request, AttackSurfaceProfile), slug=self.kwargs["slug"]
        )
        profiles = list(self.get_queryset().filter(organisation=organisation).order_by("period"))
        rows = []
        for name, surface in PROFILE_FIGURES:
            values = [getattr(profile, name) for profile in profiles]
            change = (
                values[-1] - values[-2]
                if len(values) >= 2 and values[-1] is not None and values[-2] is not None
                else None
            )
            label = AttackSurfaceProfile._meta.get_field(name).verbose_name
            shown = [profile.figure_display(name) for profile in profiles]
            rows.append((surface, name, label, shown, change))
        context.update(
            organisation=organisation,
            profiles=profiles,
            rows=rows,
            inventory=inventory_counts(organisation),
            near_end=systems_near_end_of_support(organisation=organisation)[:200],
            today=date.today(),
            may_edit=can_add_somewhere(self.request.user, AttackSurfaceProfile)
            and (not profiles or can(self.request.user, Action.CHANGE, profiles[-1])),
        )
        return context


class AttackSurfaceProfileEditView(ObjectEditView):
    queryset = AttackSurfaceProfile.objects.select_related("organisation")
    form_class = AttackSurfaceProfileForm

    def is_create(self) -> bool:
        return "pk" not in self.kwargs

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if obj is None:
            self.organisation = get_object_or_404(
                visible_regions(self.request, AttackSurfaceProfile), slug=self.kwargs["slug"]
            )
        else:
            self.organisation = obj.organisation
        return obj

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.instance.organisation = self.organisation  # so that the form checks the period
        return form

    def before_save(self, form) -> None:
        form.instance.organisation = self.organisation
        counts = inventory_counts(self.organisation)
        for name in DERIVED_FIGURES:
            setattr(form.instance, name, counts[name])

    def get_success_url(self) -> str:
        return reverse("risks:attack_surface", kwargs={"slug": self.organisation.slug})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = self.get_success_url()
        return context


class RiskMatrixEditView(ObjectEditView):
    """The region's matrix. Saving re-levels all its risks in the same transaction."""

    queryset = RiskMatrix.objects.select_related("organisation")
    form_class = RiskMatrixForm

    def form_valid(self, form) -> HttpResponse:
        # The matrix service saves and re-levels in one transaction.
        if not can(self.request.user, Action.CHANGE, self.object):
            raise PermissionDenied
        try:
            count = risk_matrix_save(matrix=form.instance)
        except ConcurrentUpdate:
            return self.render_to_response(
                self.get_context_data(form=form, conflict=True), status=409
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Saved. %(count)s risks were re-levelled.") % {"count": count}
        )
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        return f"{reverse('risks:heatmap')}?organisation={self.object.organisation.slug}"
