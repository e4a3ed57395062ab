"""Joint assessments of shared systems: the lead region's CISO makes a risk joint or ends it,
and a region sharing the system names the risk owners who edit it for the region."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from portal.access import Action, may
from portal.models import ConcurrentUpdate
from risks.forms import JointOwnersForm, RiskJointForm
from risks.models import Risk
from risks.services import joint_owners_set, naming_regions, risk_joint_set


class JointRiskMixin(LoginRequiredMixin):
    queryset = Risk.objects.select_related("organisation")
    pk_url_kwarg = "pk"

    def risk(self, request: HttpRequest, pk: int) -> Risk:
        # A risk the user may not read — another region's, shared with theirs or not — is a
        # 404 like an unknown one.
        return get_object_or_404(self.queryset.restrict(request.user, Action.VIEW), pk=pk)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class RiskJointView(JointRiskMixin, View):
    """``POST``: make the risk joint (``joint=on``) or end its joint assessment."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        risk = self.risk(request, pk)
        if not may(request.user, "risks.make_joint", risk):
            raise PermissionDenied
        form = RiskJointForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The request was incomplete; try again."))
            return HttpResponseRedirect(risk.get_absolute_url())
        joint = form.cleaned_data["joint"]
        risk.version = form.cleaned_data["version"]  # the copy the person saw
        try:
            risk_joint_set(risk=risk, user=request.user, joint=joint)
        except ConcurrentUpdate:
            messages.error(
                request,
                _("Someone changed the risk after you opened it. Look at it again and retry."),
            )
            return HttpResponseRedirect(risk.get_absolute_url())
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("The risk is now assessed jointly.")
                if joint
                else _("The joint assessment has ended."),
            )
        return HttpResponseRedirect(risk.get_absolute_url())


class JointOwnersView(JointRiskMixin, View):
    """``POST``: the risk owners the region (``slug``) names on the joint risk."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, slug: str) -> HttpResponse:
        risk = self.risk(request, pk)
        # A region the user names no one for is answered as one that does not exist.
        organisation = get_object_or_404(naming_regions(request.user), slug=slug)
        if not may(request.user, "risks.name_joint_owners", organisation):
            raise PermissionDenied
        form = JointOwnersForm(request.POST, user=request.user, organisation=organisation)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, str(message))
            return HttpResponseRedirect(risk.get_absolute_url())
        try:
            joint_owners_set(
                risk=risk,
                organisation=organisation,
                user=request.user,
                owners=form.cleaned_data["owners"],
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(risk.get_absolute_url())
