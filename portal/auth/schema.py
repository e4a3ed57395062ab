"""The OpenAPI schema's name for the session authentication that asks for the second factor."""

from drf_spectacular.authentication import SessionScheme


class MfaSessionScheme(SessionScheme):
    target_class = "portal.auth.api.MfaSessionAuthentication"
