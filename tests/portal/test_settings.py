"""Settings come from the environment; production refuses the demo secret key."""

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
