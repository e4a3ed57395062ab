from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import audit
        from portal.auth import (  # noqa: F401  (connect the sign-in receivers, name the scheme)
            schema,
            signals,
        )

        audit.protect_entries()
