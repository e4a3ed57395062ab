"""Single sign-on with OpenID Connect (authorization code flow with PKCE), configured by
environment variables (README.md, "Sign-in").

The provider's endpoints come from its discovery document (``OIDC_DISCOVERY_URL``), read when
someone signs in and kept for an hour, or from the variables that name them one by one. The ID
token must be signed by a key of the provider's JWKS, name this portal as its audience and,
when the issuer is known, come from it.

People are found by the provider's stable subject (``sub``; with Microsoft Entra ID the object
id ``oid`` in tenant ``tid``), bound to an account at the first link (``ExternalIdentity``) —
never by a name claim, which the provider lets people or its administrators change. A first
sign-in creates a new account (when its groups map to a membership) unless an account of that
user name exists: an existing account is linked only by an administrator, or by its owner from
the account page after a password and the second factor (``link_start``). Staff and superuser
accounts are never linked, created or signed in by single sign-on. Memberships follow the
groups (``portal.auth.groups``).

A single sign-on counts as two-factor authentication only if the ID token's ``amr`` claim
holds ``mfa``, ``OIDC_TRUST_AMR_MFA`` is on and the token comes from the configured issuer;
otherwise a person who needs a second factor gives a code from the portal's own authenticator
as after a password.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from portal.auth.groups import grants_for_groups, memberships_sync_from_groups
from portal.auth.mfa import IDP_MFA_SESSION_KEY
from portal.models import ExternalIdentity

logger = logging.getLogger(__name__)

#: Our setting -> the discovery document's key.
_DISCOVERED = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
#: Endpoints a provider may lack: the userinfo endpoint (the ID token's claims suffice).
_OPTIONAL = {"OIDC_OP_ISSUER", "OIDC_OP_USER_ENDPOINT"}
DISCOVERY_MAX_AGE = 3600
#: Set in the session by the account page's "link single sign-on": the user id and when.
LINK_SESSION_KEY = "portal_oidc_link"
LINK_MAX_AGE_SECONDS = 600

_discovery_lock = threading.Lock()
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def discovery_document(url: str) -> dict[str, Any]:
    """The provider's ``.well-known/openid-configuration``, fetched at most once an hour."""
    with _discovery_lock:
        cached = _discovery_cache.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    with _discovery_lock:
        _discovery_cache[url] = (time.monotonic() + DISCOVERY_MAX_AGE, document)
    return document


def forget_discovery() -> None:
    with _discovery_lock:
        _discovery_cache.clear()


def oidc_setting(name: str, *default: Any) -> Any:
    """A setting of mozilla-django-oidc, the provider's endpoints completed from discovery."""
    if name not in _DISCOVERED:
        return import_from_settings(name, *default)
    value = getattr(settings, name, "")
    if not value and settings.OIDC_DISCOVERY_URL:
        value = discovery_document(settings.OIDC_DISCOVERY_URL).get(_DISCOVERED[name], "")
    if value or name in _OPTIONAL:
        return value
    if default:
        return default[0]
    raise ImproperlyConfigured(f"Single sign-on needs {name} or OIDC_DISCOVERY_URL")


def subject_of(claims: dict[str, Any]) -> str:
    """The person's stable identifier at the provider: Entra ID's ``tid``/``oid`` (the same
    across applications), otherwise ``sub``. Empty when the claims have neither."""
    tenant, object_id = str(claims.get("tid") or ""), str(claims.get("oid") or "")
    if tenant and object_id:
        return f"{tenant}/{object_id}"[:255]
    return str(claims.get("sub") or "")[:255]


def link_may_start(request: HttpRequest) -> bool:
    """Whether the signed-in person may link their account to single sign-on: not staff, and
    this session gave the portal's own second factor (after the password)."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    return bool(
        settings.OIDC_ENABLED
        and user.is_authenticated
        and not (user.is_staff or user.is_superuser)
        and callable(is_verified)
        and is_verified()
    )


def link_start(request: HttpRequest) -> None:
    """Remember that the person's next single sign-on (within ``LINK_MAX_AGE_SECONDS``) links
    the provider's person to their account."""
    request.session[LINK_SESSION_KEY] = {"user": request.user.pk, "at": int(time.time())}


def _pending_link(request: HttpRequest):
    """The user whose link this callback completes, or None for a plain sign-in."""
    pending = request.session.pop(LINK_SESSION_KEY, None)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > LINK_MAX_AGE_SECONDS:
        raise SuspiciousOperation("The link request has expired.")
    if not link_may_start(request) or request.user.pk != pending.get("user"):
        raise SuspiciousOperation("The link was asked for by another session.")
    return request.user


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """Signs in with the provider's authorization code; answers only the callback view."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds its backends for every sign-in and every request's user: the provider
        # is asked for its endpoints only when the callback view signs someone in.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any):
        # Only the callback view passes a nonce; a password sign-in never reaches the provider.
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: int):
        if not settings.OIDC_ENABLED:
            return None
        return super().get_user(user_id)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is meant for another client.")
        issuer = oidc_setting("OIDC_OP_ISSUER")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]):
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo answer is about someone else.")
            claims.update(userinfo)
        # Groups and the authentication methods are the ID token's (Entra ID sends groups
        # only there).
        for name in (settings.OIDC_GROUPS_CLAIM, "amr"):
            if name in payload:
                claims[name] = payload[name]
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not subject_of(claims):
            logger.warning("Single sign-on without a subject (sub, or oid and tid)")
            return False
        if settings.OIDC_GROUPS_CLAIM not in claims and settings.OIDC_GROUPS_CLAIM in claims.get(
            "_claim_names", {}
        ):
            # Entra ID's "group overage": too many groups to list. Refused rather than read
            # as "no groups", which would remove the person's memberships.
            logger.error(
                "Single sign-on of %r: the provider left out the groups (too many); emit only "
                "the groups assigned to the application",
                claims.get(settings.OIDC_USERNAME_CLAIM),
            )
            return False
        return True

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("Claims verification failed")
        # Who it is comes from the signed ID token alone, not from the userinfo answer.
        issuer, subject = str(payload.get("iss") or ""), subject_of(payload)
        linking = _pending_link(self.request)
        if linking is not None:
            return self._link(linking, issuer=issuer, subject=subject, claims=claims)
        identity = (
            ExternalIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            if not settings.OIDC_CREATE_USER:
                raise SuspiciousOperation("No account is linked to this person.")
            with transaction.atomic():
                user = self.create_user(claims)
                identity = ExternalIdentity.objects.create(
                    user=user, issuer=issuer, subject=subject, display_name=self._username(claims)
                )
        user = identity.user
        if user.is_staff or user.is_superuser:
            raise SuspiciousOperation("Staff accounts do not sign in by single sign-on.")
        ExternalIdentity.objects.filter(pk=identity.pk).update(last_sign_in_at=timezone.now())
        self.update_user(user, claims)
        # The provider's word on a second factor counts only from the configured issuer, for
        # an account bound to that issuer's subject.
        configured = oidc_setting("OIDC_OP_ISSUER")
        amr = claims.get("amr") or []
        amr = [amr] if isinstance(amr, str) else list(amr)
        user.portal_idp_mfa = bool(
            settings.OIDC_TRUST_AMR_MFA and configured and issuer == configured and "mfa" in amr
        )
        return user

    def _link(self, user, *, issuer: str, subject: str, claims: dict[str, Any]):
        """Bind the provider's person to ``user``, who asked for it from the account page."""
        if user.is_staff or user.is_superuser:
            raise SuspiciousOperation("Staff accounts are never linked to single sign-on.")
        try:
            with transaction.atomic():
                ExternalIdentity.objects.create(
                    user=user,
                    issuer=issuer,
                    subject=subject,
                    display_name=self._username(claims),
                    linked_by=user,
                    last_sign_in_at=timezone.now(),
                )
        except IntegrityError:
            raise SuspiciousOperation("This person is linked to an account already.") from None
        # The session keeps the portal's own second factor; the provider's is not needed.
        user.portal_idp_mfa = False
        return user

    def create_user(self, claims: dict[str, Any]):
        if not grants_for_groups(self._groups(claims)):
            raise SuspiciousOperation("No group of this person gives access to the portal.")
        username = self._username(claims)
        if not username or self.UserModel.objects.filter(username__iexact=username).exists():
            # Never taken over by name: the owner or an administrator links the account.
            raise SuspiciousOperation("An account of this name exists and is not linked.")
        return self.UserModel.objects.create_user(username)  # named by update_user

    def update_user(self, user, claims: dict[str, Any]):
        names = {
            "email": claims.get("email") or "",
            "first_name": claims.get("given_name") or "",
            "last_name": claims.get("family_name") or "",
        }
        changed = [
            field for field, value in names.items() if value and getattr(user, field) != value
        ]
        for field in changed:
            setattr(user, field, names[field])
        if changed:
            user.save(update_fields=changed)
        memberships_sync_from_groups(user=user, groups=self._groups(claims))
        return user

    @staticmethod
    def _username(claims: dict[str, Any]) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()[:150]

    @staticmethod
    def _groups(claims: dict[str, Any]) -> list[str]:
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        return [groups] if isinstance(groups, str) else [str(group) for group in groups]


class SignInView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/``: off to the identity provider (404 when SSO is not set up)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoints are read in get(), not at start-up

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: the provider's answer; failures go back to the login page."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        self.linking = LINK_SESSION_KEY in request.session
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        if getattr(self, "linking", False) and self.request.user.is_authenticated:
            self.request.session.pop(LINK_SESSION_KEY, None)
            messages.error(
                self.request,
                _(
                    "Single sign-on was not linked: the sign-in at the identity provider failed, "
                    "or that person is linked to another account already."
                ),
            )
            return HttpResponseRedirect(reverse("account"))
        return super().login_failure()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        # Also when the person was already signed in (then Django's login is not called again).
        self.request.session[IDP_MFA_SESSION_KEY] = bool(
            getattr(self.user, "portal_idp_mfa", False)
        )
        if getattr(self, "linking", False):
            messages.success(
                self.request, _("Your account is linked: you can now sign in with single sign-on.")
            )
        return response
