from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Initiatives")

    def ready(self) -> None:
        from capabilities.related import related_register
        from initiatives.selectors import initiatives_for_capability

        related_register("initiatives", initiatives_for_capability)
