"""Settings come from the environment; production refuses the demo secret key."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.env import parse_email_url

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER, settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_in_production_with_the_demo_secret_key():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_short_secret_key_in_production():
    result = load_settings(DEBUG="false", SECRET_KEY="short")
    assert result.returncode != 0


def test_it_starts_in_production_with_a_real_secret_key():
    result = load_settings(
        DEBUG="false", SECRET_KEY="k" * 60, DATABASE_URL="sqlite:////tmp/x.sqlite3"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_the_embedded_default_is_sqlite_with_in_process_tasks():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    debug, eager, engine = result.stdout.split()
    assert (debug, eager, engine) == ("True", "True", "django.db.backends.sqlite3")


def test_a_broker_url_switches_celery_to_the_broker():
    result = load_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.split()[1] == "False"


def test_a_malformed_boolean_is_refused_with_the_variable_named():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "submission://user:p%40ss@mail.example.org",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "user",
                "EMAIL_HOST_PASSWORD": "p@ss",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        ("smtps://mail.example.org", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True}),
    ],
)
def test_email_url_is_parsed(url, expected):
    parsed = parse_email_url(url)
    for key, value in expected.items():
        assert parsed[key] == value


def test_an_unknown_email_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        parse_email_url("carrier-pigeon://loft")


def read_settings(*names: str, **env: str) -> dict:
    """The named settings as the portal would start with ``env`` (production: DEBUG=false)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "MFA_REQUIRED"}
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "k" * 60, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}


def test_production_cookies_are_secure_http_only_and_same_site_lax():
    values = read_settings(
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_AGE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "X_FRAME_OPTIONS",
        **PRODUCTION,
    )
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_AGE": 1800,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
    }


def test_sign_in_settings_come_from_the_environment():
    assert read_settings("MFA_REQUIRED", **PRODUCTION) == {"MFA_REQUIRED": True}
    assert read_settings("MFA_REQUIRED") == {"MFA_REQUIRED": False}  # the DEBUG demo
    assert read_settings("MFA_REQUIRED", MFA_REQUIRED="false", **PRODUCTION) == {
        "MFA_REQUIRED": False
    }
    values = read_settings(
        "SESSION_COOKIE_AGE",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "UPLOAD_MAX_BYTES",
        "OIDC_GROUP_ROLES",
        "OIDC_ENABLED",
        SESSION_IDLE_TIMEOUT_MINUTES="10",
        AXES_FAILURE_LIMIT="7",
        AXES_COOLOFF_MINUTES="60",
        UPLOAD_MAX_MB="2",
        OIDC_CLIENT_ID="portal",
        OIDC_GROUP_ROLES="a1b2=hovedstaden:ciso",
    )
    assert values == {
        "SESSION_COOKIE_AGE": 600,
        "AXES_FAILURE_LIMIT": 7,
        "AXES_COOLOFF_TIME": "1:00:00",
        "UPLOAD_MAX_BYTES": 2 * 1024 * 1024,
        "OIDC_GROUP_ROLES": {"a1b2": [["hovedstaden", "ciso"]]},
        "OIDC_ENABLED": True,
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PASSWORD_MIN_LENGTH": "8"}, "PASSWORD_MIN_LENGTH must be at least 12"),
        ({"LOCAL_LOGIN_ENABLED": "false"}, "LOCAL_LOGIN_ENABLED=false needs single sign-on"),
        ({"OIDC_GROUP_ROLES": "a1b2=hovedstaden:king"}, "OIDC_GROUP_ROLES: 'king'"),
    ],
)
def test_unsafe_sign_in_settings_are_refused_at_start_up(env, message):
    result = load_settings(**PRODUCTION, **env)
    assert result.returncode != 0
    assert message in result.stderr
