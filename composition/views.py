"""The dashboards: a region's (its CISO's first page), TSI's and the sector admin's, and each
person's own tasks. The home page shows the one that fits the user's role."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from composition.dashboards.my_tasks import my_tasks, working_groups_of
from composition.dashboards.operations import operations_overview
from composition.dashboards.region import region_dashboard
from composition.dashboards.sector import sector_dashboard
from portal.access import can, dashboard_regions
from portal.access.principal import signed_in_user
from portal.models import Organisation


def _region_page(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    regions = list(dashboard_regions(request.user))
    context = region_dashboard(user=signed_in_user(request.user), organisation=organisation)
    context["regions"] = regions
    return render(request, "portal/dashboards/region.html", context)


class RegionDashboardView(LoginRequiredMixin, View):
    """``/dashboards/regions/<slug>/``: 404 for a region the user holds no role in."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        organisation = dashboard_regions(request.user).filter(slug=slug).first()
        if organisation is None:
            raise Http404
        return _region_page(request, organisation)


class SectorDashboardView(LoginRequiredMixin, View):
    """``/dashboards/tsi/``: the portfolio and the regions' maturity as the user may see them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "portal/dashboards/sector.html",
            sector_dashboard(user=signed_in_user(request.user)),
        )


class OperationsDashboardView(LoginRequiredMixin, View):
    """``/dashboards/operations/``: sector administrators only (403 for everyone else)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, "portal.operate"):
            raise PermissionDenied
        return render(request, "portal/dashboards/operations.html", operations_overview())


class MyTasksView(LoginRequiredMixin, View):
    """``/my-tasks/``: what waits for the signed-in person, whatever their role."""

    def get(self, request: HttpRequest) -> HttpResponse:
        tasks = my_tasks(user=signed_in_user(request.user))
        return render(request, "portal/my_tasks.html", {"tasks": tasks})


class HomeView(LoginRequiredMixin, View):
    """The first page: the sector admin's overview, the TSI dashboard for the secretariat,
    their tasks for a working group's members who do not work in a region's register, the
    region's dashboard for its people, a welcome page for a user with no role yet."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if can(request.user, "portal.operate"):
            return OperationsDashboardView.as_view()(request)
        if can(request.user, "portal.start_on_sector_dashboard"):
            return SectorDashboardView.as_view()(request)
        if (
            not can(request.user, "portal.start_on_region_dashboard")
            and working_groups_of(signed_in_user(request.user)).exists()
        ):
            return redirect("my_tasks")
        region = dashboard_regions(request.user).first()
        if region is not None:
            return _region_page(request, region)
        return render(request, "portal/home.html", self.welcome_context(request))

    def welcome_context(self, request: HttpRequest) -> dict[str, Any]:
        memberships = (
            signed_in_user(request.user)
            .memberships.select_related("organisation")
            .order_by("organisation__name_da", "role")
        )
        return {
            "memberships": memberships,
            "regions": Organisation.objects.regions(),
        }
