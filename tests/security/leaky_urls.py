"""The real URLs plus routes that forget the permission layer: one shows any risk by id,
without ``restrict`` (``test_authorisation_walk`` checks that the walker catches it); one lists
every asset's supplier (``test_leak_scan`` checks that the content scan catches it)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import DetailView

from risks.models import Asset, Risk


class LeakyRiskView(LoginRequiredMixin, DetailView):
    model = Risk  # Risk.objects.all(): every region's risks

    def render_to_response(self, context, **kwargs) -> HttpResponse:
        return HttpResponse(self.object.title)


def leaky_suppliers(request) -> HttpResponse:
    return HttpResponse(", ".join(Asset.objects.values_list("supplier", flat=True)))


urlpatterns = [
    path("leaky/risks/<int:pk>/", LeakyRiskView.as_view(), name="leaky_risk"),
    path("leaky/suppliers/", leaky_suppliers, name="leaky_suppliers"),
    path("", include("composition.urls")),
]
