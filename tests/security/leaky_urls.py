"""The real URLs plus one route that forgets the permission layer: it shows any risk by id,
without ``restrict``. ``test_authorisation_walk`` checks that the walker catches it."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import DetailView

from risks.models import Risk


class LeakyRiskView(LoginRequiredMixin, DetailView):
    model = Risk  # Risk.objects.all(): every region's risks

    def render_to_response(self, context, **kwargs) -> HttpResponse:
        return HttpResponse(self.object.title)


urlpatterns = [
    path("leaky/risks/<int:pk>/", LeakyRiskView.as_view(), name="leaky_risk"),
    path("", include("portal.urls")),
]
