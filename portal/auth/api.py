"""The REST framework's session authentication, refusing sessions that owe their second
factor. Token authentication (scripts, Power BI) is not affected."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from portal.auth.mfa import session_owes_mfa


class MfaSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and session_owes_mfa(request._request):
            raise exceptions.PermissionDenied(
                _(
                    "Two-factor authentication is required: this session has not given a code "
                    "from an authenticator. Finish signing in on the portal, or use a token."
                )
            )
        return result
