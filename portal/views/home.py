from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from portal.access import principal_for
from portal.models import Organisation


class HomeView(LoginRequiredMixin, TemplateView):
    """The signed-in user's starting point: who they are in the portal and where to go.

    The dashboards (CISO, TSI, sector admin) replace this page's body as they arrive.
    """

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        principal = principal_for(self.request.user)
        memberships = self.request.user.memberships.select_related("organisation").order_by(
            "organisation__name_da", "role"
        )
        context.update(
            memberships=memberships,
            is_sector_admin=principal.is_sector_admin,
            regions=Organisation.objects.filter(kind=Organisation.Kind.REGION),
        )
        return context
