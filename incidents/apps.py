from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from incidents.lessons import incidents_for_risk
        from risks.related import risk_related_register

        risk_related_register("incidents", incidents_for_risk)
