from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import audit
        from portal.access import named
        from portal.auth import (  # noqa: F401  (connect the sign-in receivers, name the scheme)
            schema,
            signals,
        )

        audit.protect_entries()
        # Every app's named actions (portal/named_actions.py, <app>/named_actions.py).
        named.autodiscover()
