"""The OpenAPI schema's names for the API's authentication: the session that asks for the
second factor, and the personal API tokens (an HTTP bearer scheme)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class MfaSessionScheme(SessionScheme):
    target_class = "portal.auth.api.MfaSessionAuthentication"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.auth.api.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "cpt_<prefix>_<secret>",
            "description": str(
                _(
                    "A personal API token, created on the account page (/account/) after the "
                    "second factor, or a service account's read-only token issued by a sector "
                    "administrator: 'Authorization: Bearer cpt_…'. Read-only tokens may only "
                    "GET; tokens expire (90 days by default, at most a year) and end when the "
                    "password changes, the account is deactivated or loses its last "
                    "membership. The API exchanges no password for a token."
                )
            ),
        }
