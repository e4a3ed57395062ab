"""Passwords: strong ones only, lock-out after repeated failures, idle sessions end."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from portal.auth.middleware import LAST_SEEN_SESSION_KEY
from portal.client_address import client_address
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_it_locks_out_after_the_configured_number_of_failures(lockout, personas, client):
    assert sign_in(client, "ciso.a", "wrong-1").status_code == 200
    assert sign_in(client, "ciso.a", "wrong-2").status_code == 200
    third = sign_in(client, "ciso.a", "wrong-3")
    assert third.status_code == 429

    # Now even the right password is refused, with the reason.
    refused = sign_in(client, "ciso.a", PASSWORD)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "15 minutter" in page  # Danish first
    assert client.get(reverse("home")).status_code == 302  # not signed in

    english = sign_in(client, "ciso.a", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many failed sign-ins" in english.content.decode()
    assert "locked for 15 minutes" in english.content.decode()

    # Each failure is kept, the locked-out attempts marked as such.
    log = AccessFailureLog.objects.filter(username="ciso.a")
    assert log.count() == 5
    assert log.filter(locked_out=True).count() >= 2
    assert AccessAttempt.objects.get(username="ciso.a").failures_since_start >= 3


def test_the_lock_out_ends_after_the_cool_off(lockout, personas, client):
    for attempt in range(3):
        sign_in(client, "ciso.a", f"wrong-{attempt}")
    assert sign_in(client, "ciso.a", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "ciso.a", PASSWORD).status_code == 302


def test_another_user_name_is_not_locked_out(lockout, personas, client):
    for attempt in range(3):
        sign_in(client, "ciso.a", f"wrong-{attempt}")
    assert sign_in(client, "viewer.a", PASSWORD).status_code == 302


def test_it_takes_no_password_in_the_api(personas, api_client):
    # No password-for-token exchange, and no basic authentication: tokens come from the
    # account page after the second factor (test_api_tokens).
    token = api_client.post(
        "/api/v1/auth/token/", {"username": "ciso.a", "password": PASSWORD}, format="json"
    )
    assert token.status_code in (401, 404, 405)
    assert "token" not in token.content.decode()
    api_client.credentials(HTTP_AUTHORIZATION="Basic Y2lzby5hOmNvcnJlY3QtaG9yc2UtYmF0dGVyeQ==")
    assert api_client.get(reverse("api:organisation-list")).status_code == 401


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Kort-kode1", "too short"),
        ("password1234", "too common"),
        ("839274619203", "entirely numeric"),
        ("marianne.hansen", "too similar"),
    ],
)
def test_weak_passwords_are_refused(db, password, problem):
    user = UserFactory(username="marianne.hansen", first_name="Marianne", last_name="Hansen")
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        validate_password(password, user)
    assert problem in " ".join(excinfo.value.messages)


def test_a_long_unusual_password_is_accepted(db):
    validate_password("Tre grønne heste i Ribe", UserFactory())


def test_a_session_is_kept_alive_by_requests_at_most_once_a_minute(settings, personas, client_as):
    client = client_as(personas.viewer_a)
    # Just signed in: the session was saved then, and is not written again at once.
    response = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies

    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 120
    session.save()
    response = client.get(reverse("home"))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 == 1800
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert abs((expiry - timezone.now()) - timedelta(minutes=30)) < timedelta(seconds=10)


def test_an_idle_session_ends(personas, client_as):
    client = client_as(personas.viewer_a)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy: the header is the client's to invent
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a made-up first entry is ignored
        (2, "203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "", "10.0.0.2"),
    ],
)
def test_failures_are_counted_by_the_address_the_proxy_saw(
    settings, rf, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post("/login/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == expected
