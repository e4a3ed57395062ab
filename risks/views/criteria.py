"""The regions' risk acceptance criteria: the version in force and the earlier ones, a new
version as the CISO prepares it, the direktion's approval — and accepting a risk under them."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal.access import may
from portal.models import ConcurrentUpdate, Organisation
from portal.views.generic import ObjectDetailView, RestrictedMixin
from risks.acceptance import (
    acceptance_criteria_approve,
    acceptance_criteria_draft,
    criteria_in_force,
    longest_expiry,
)
from risks.acceptance_forms import (
    RULE_FIELDS,
    AcceptanceCriteriaForm,
    ApprovalForm,
    RiskAcceptForm,
)
from risks.models import AcceptanceCriteria, CriteriaStatus, Risk
from risks.services import risk_accept
from risks.views.register import selected_organisation, visible_regions


def _region(request, slug: str | None) -> Organisation | None:
    regions = visible_regions(request, AcceptanceCriteria)
    if slug is not None:
        return get_object_or_404(regions, slug=slug)
    return selected_organisation(request, AcceptanceCriteria)


class CriteriaView(RestrictedMixin, TemplateView):
    """A region's criteria: the version in force, a draft awaiting the direktion, and the
    earlier versions. Without a region: the regions to choose from."""

    queryset = AcceptanceCriteria.objects.all()
    template_name = "risks/criteria.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        region = _region(self.request, self.kwargs.get("slug"))
        context.update(region=region, regions=visible_regions(self.request, AcceptanceCriteria))
        if region is None:
            return context
        criteria_in_force(region)  # a region without criteria gets its first version
        versions = list(
            self.get_queryset()
            .filter(organisation=region)
            .select_related("prepared_by", "approved_by")
            .order_by("-number")
        )
        in_force = next(v for v in versions if v.is_approved)
        draft = next((v for v in versions if v.status == CriteriaStatus.DRAFT), None)
        context.update(
            in_force=in_force,
            draft=draft,
            earlier=[v for v in versions if v.is_approved and v.pk != in_force.pk],
            may_draft=may(user, "risks.draft_acceptance_criteria", region),
            may_approve=draft is not None and may(user, "risks.approve_acceptance_criteria", draft),
        )
        return context


class CriteriaDraftView(RestrictedMixin, TemplateView):
    """The CISO prepares a new version, starting from the one in force."""

    queryset = AcceptanceCriteria.objects.all()
    template_name = "risks/criteria_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.region = _region(request, kwargs["slug"])
        if not may(request.user, "risks.draft_acceptance_criteria", self.region):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if "form" not in context:
            current = criteria_in_force(self.region)
            context["form"] = AcceptanceCriteriaForm(
                initial={name: getattr(current, name) for name in RULE_FIELDS}
            )
        context.update(
            region=self.region,
            title=_("New acceptance criteria for %(region)s") % {"region": self.region},
            cancel_url=reverse("risks:criteria_region", kwargs={"slug": self.region.slug}),
        )
        return context

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = AcceptanceCriteriaForm(request.POST)
        if form.is_valid():
            try:
                criteria = acceptance_criteria_draft(
                    organisation=self.region, user=request.user, values=form.cleaned_data
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "Version %(number)s is prepared; it is in force once the direktion "
                        "approves it."
                    )
                    % {"number": criteria.number},
                )
                return HttpResponseRedirect(criteria.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class CriteriaVersionView(ObjectDetailView):
    """One version; a draft carries the direktion's approval form."""

    queryset = AcceptanceCriteria.objects.select_related(
        "organisation", "prepared_by", "approved_by"
    )
    template_name = "risks/criteria_version.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        criteria = self.object
        may_approve = not criteria.is_approved and may(
            self.request.user, "risks.approve_acceptance_criteria", criteria
        )
        if may_approve and "approval_form" not in context:
            context["approval_form"] = ApprovalForm(initial={"version": criteria.version})
        context.update(
            may_approve=may_approve,
            region_url=reverse(
                "risks:criteria_region", kwargs={"slug": criteria.organisation.slug}
            ),
        )
        return context

    def post(self, request, *args, **kwargs) -> HttpResponse:
        self.object = criteria = self.get_object()
        if not may(request.user, "risks.approve_acceptance_criteria", criteria):
            raise PermissionDenied
        form = ApprovalForm(request.POST)
        if form.is_valid():
            criteria.version = form.cleaned_data["version"]
            try:
                acceptance_criteria_approve(
                    criteria=criteria,
                    user=request.user,
                    reference=form.cleaned_data["approval_reference"],
                )
            except ValidationError as error:
                for errors in error.message_dict.values():
                    form.add_error("approval_reference", errors)
            except ConcurrentUpdate:
                form.add_error(None, _("Someone changed this version; reload the page."))
            else:
                messages.success(
                    request,
                    _("Version %(number)s is approved and in force.") % {"number": criteria.number},
                )
                return HttpResponseRedirect(
                    reverse("risks:criteria_region", kwargs={"slug": criteria.organisation.slug})
                )
        context = self.get_context_data(object=criteria, approval_form=form)
        return self.render_to_response(context, status=200)


class RiskAcceptView(RestrictedMixin, TemplateView):
    """Accept a risk (or accept it again) under the criteria in force — the page of the
    direktion, who changes no risk otherwise, and of the CISO and the risk's owner."""

    queryset = Risk.objects.select_related("organisation")
    template_name = "risks/risk_accept.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.risk = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        risk = self.risk
        criteria = criteria_in_force(risk.organisation)
        if "form" not in context:
            context["form"] = RiskAcceptForm(initial={"version": risk.version})
        rule = criteria.rule_for(risk.residual_level)
        context.update(
            risk=risk,
            criteria=criteria,
            rule=rule,
            longest=longest_expiry(risk.residual_level, criteria, start=date.today()),
            title=_("Accept the risk"),
            cancel_url=risk.get_absolute_url(),
        )
        return context

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = RiskAcceptForm(request.POST)
        if form.is_valid():
            self.risk.version = form.cleaned_data["version"]
            try:
                risk_accept(
                    risk=self.risk,
                    user=request.user,
                    reason=form.cleaned_data["acceptance_reason"],
                    expires_on=form.cleaned_data["acceptance_expires_on"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ConcurrentUpdate:
                return self.render_to_response(
                    self.get_context_data(form=form, conflict=True), status=409
                )
            else:
                messages.success(request, _("The risk is accepted."))
                return HttpResponseRedirect(self.risk.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))
