"""Middleware of signing in: the idle session timeout and the second factor's gate."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from portal.access.principal import signed_in_user
from portal.auth.mfa import session_owes_mfa, user_has_authenticator

LAST_SEEN_SESSION_KEY = "portal_last_seen"
#: A signed-in session is saved (and its expiry moved on) at most this often.
TOUCH_INTERVAL_SECONDS = 60


def touch_session(session: SessionBase) -> None:
    """Mark the session as used now, so that it is saved and expires a full
    ``SESSION_COOKIE_AGE`` (the idle timeout) from now."""
    session[LAST_SEEN_SESSION_KEY] = int(time.time())


class IdleSessionMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT_MINUTES`` without requests.

    ``SESSION_COOKIE_AGE`` is the idle timeout; each request pushes the expiry on by saving
    the session — at most once a minute, not at every request as
    ``SESSION_SAVE_EVERY_REQUEST`` would, so that pages do not each write to the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            last_seen = session.get(LAST_SEEN_SESSION_KEY, 0)
            if time.time() - last_seen >= TOUCH_INTERVAL_SECONDS:
                touch_session(session)
        return response


#: Pages a session that owes its second factor may still open.
OPEN_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "mfa_verify",
        "mfa_enrol",
        "set_language",
        "healthz",
        "livez",
        "oidc_authentication_init",
        "oidc_authentication_callback",
    }
)
#: The REST framework answers these itself (portal.auth.api): 403 for such a session.
API_PREFIXES = ("/api/v1/", "/api/schema/")


class MfaRequiredMiddleware:
    """Sends a signed-in person who needs a second factor, and whose session has none yet,
    to the verification page — or to enrolment when they have no authenticator yet —, and
    back to the page they asked for afterwards."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED:
            return None
        match = request.resolver_match
        if (match and match.url_name in OPEN_URL_NAMES) or request.path.startswith(API_PREFIXES):
            return None
        if not session_owes_mfa(request):
            return None
        target = (
            "mfa_verify" if user_has_authenticator(signed_in_user(request.user)) else "mfa_enrol"
        )
        return redirect_to_login(request.get_full_path(), reverse(target))
