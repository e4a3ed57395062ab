"""The REST framework's authentication: personal API tokens, and sessions that have given
their second factor. The API takes no password (no basic authentication, no password-for-token
exchange): a token is issued on the account page after the second factor."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import SAFE_METHODS

from portal import rls
from portal.auth.mfa import mfa_required_for, session_owes_mfa
from portal.auth.tokens import api_token_for_key, api_token_touch
from portal.models import ApiToken


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


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer cpt_…``: a personal API token (``portal.auth.tokens``).

    An unknown, expired or revoked token, or one of a deactivated account, is 401; a read-only
    token is 403 for anything but GET, HEAD and OPTIONS. A token issued without the second
    factor (none are, but an account may have gained a duty for it since) is refused when the
    account owes one.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _space, key = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        key = key.strip()
        if not key or " " in key:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.ended_at is not None:
            raise exceptions.AuthenticationFailed(_("The token has been revoked."))
        if not token.is_live():
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("The account is deactivated."))
        if not token.second_factor and mfa_required_for(user):
            raise exceptions.AuthenticationFailed(
                _("The token was issued without the second factor. Create a new one.")
            )
        if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("The token is read-only."))
        api_token_touch(token=token)
        # The request's database session acts for the token's user from here on (the
        # middleware that takes the context away again ran before the API authenticated).
        rls.activate_user(user)
        return user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
