from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        from capabilities.related import related_register
        from risks.selectors import risks_for_capability

        related_register("risks", risks_for_capability)
