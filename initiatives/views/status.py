from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from initiatives.forms import StatusUpdateForm
from initiatives.models import Initiative, StatusUpdate
from initiatives.services import initiative_record_status
from portal.access import Action
from portal.access.principal import signed_in_user
from portal.audit.last_change import last_change
from portal.models import ConcurrentUpdate
from portal.views.generic import restricted_object_or_404


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


class StatusUpdateCreateView(LoginRequiredMixin, View):
    """Record an initiative's status for a period. The latest update is shown beside the
    form, to read; the form takes over its lifecycle status and progress, never its texts.
    It carries the initiative's version: a second member saving on a stale page is told so,
    and the first member's update stays the latest."""

    template_name = "initiatives/status_update_form.html"
    partial_template_name = "initiatives/includes/status_update_form.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.initiative = restricted_object_or_404(
                request,
                Initiative.objects.select_related("strategy", "discipline"),
                Action.CHANGE,
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def latest(self) -> StatusUpdate | None:
        """The update shown beside the form: the initiative's current status."""
        return (
            self.initiative.status_updates.select_related("author")
            .order_by("-period_start", "-created_at", "-pk")
            .first()
        )

    def initial(self, latest: StatusUpdate | None) -> dict[str, Any]:
        if latest is None:
            return {"status": "not_started", "progress": 0}
        return {"status": latest.status, "progress": latest.progress}

    def render_form(self, form: StatusUpdateForm, *, conflict: bool = False, status: int = 200):
        template = self.partial_template_name if is_htmx(self.request) else self.template_name
        context = {
            "form": form,
            "initiative": self.initiative,
            "conflict": conflict,
            "previous": self.latest,
        }
        if conflict:
            context["conflict_change"] = last_change(
                self.initiative, self.request.user, parts=[self.initiative.status_updates.all()]
            )
        return render(self.request, template, context, status=status)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = StatusUpdateForm(initiative=self.initiative, initial=self.initial(self.latest))
        return self.render_form(form)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = StatusUpdateForm(request.POST, initiative=self.initiative)
        if not form.is_valid():
            return self.render_form(form)
        data = {
            key: value for key, value in form.cleaned_data.items() if key != "initiative_version"
        }
        try:
            initiative_record_status(
                initiative=self.initiative,
                author=signed_in_user(request.user),
                expected_version=form.cleaned_data["initiative_version"],
                **data,
            )
        except ConcurrentUpdate:
            return self.render_form(form, conflict=True, status=409)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
            return self.render_form(form)
        messages.success(request, _("The status update is saved."))
        url = self.initiative.get_absolute_url()
        if is_htmx(request):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)
