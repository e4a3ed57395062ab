"""The portal's settings for everything the harness starts, and ``manage.py``."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from .common import BASE_DIR, HOST, STATIC_ROOT, BenchError

#: Portal settings the harness sets itself or wants at their defaults, whatever the caller's
#: environment (the Makefile exports DEBUG=true, a developer may have a broker configured …).
PORTAL_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_OWNER_URL",
    "PORTAL_DB_APP_ROLE",
    "PORTAL_DB_APP_PASSWORD",
    "DATABASE_CONN_MAX_AGE",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "MFA_REQUIRED",
    "LOCAL_LOGIN_ENABLED",
    "OIDC_CLIENT_ID",
    "DJANGO_SETTINGS_MODULE",
)


def portal_env(*, database_url: str, secret_key: str, password: str, media_root: Path) -> dict:
    """Production-like settings on loopback: DEBUG off, plain http, the bench database."""
    env = {name: value for name, value in os.environ.items() if name not in PORTAL_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(STATIC_ROOT),
        MEDIA_ROOT=str(media_root),
        DEMO_PASSWORD=password,
        # The demo users have no authenticator to sign in with. (A session verified by one costs
        # a query more a request: django-otp reads the device.)
        MFA_REQUIRED="false",
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_manage(args: list[str], env: dict, *, timeout: float, show_output: bool) -> float:
    """Runs ``manage.py`` and returns its duration; output to stderr, or shown on failure."""
    command = [sys.executable, "manage.py", *args]
    started = time.perf_counter()
    try:
        completed = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            command,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr if show_output else subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            text=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"manage.py {' '.join(args)} took longer than {timeout:.0f} s") from None
    if completed.returncode != 0:
        output = "" if show_output else "\n" + (completed.stdout or "")[-4000:]
        raise BenchError(f"manage.py {' '.join(args)} failed (exit {completed.returncode}){output}")
    return time.perf_counter() - started


_api_tokens: dict[tuple[str, str], str] = {}


def api_token(env: dict, username: str) -> str:
    """A read-write API token for ``username`` (``manage.py issue_api_token``), one per user
    and database: the API takes no password, and the bench runs with ``MFA_REQUIRED`` off."""
    key = (env["DATABASE_URL"], username)
    if key not in _api_tokens:
        command = [sys.executable, "manage.py", "issue_api_token", username, "--scope", "write"]
        command += ["--name", "bench"]
        completed = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            command,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError(f"no API token for {username}: {completed.stderr[-2000:]}")
        _api_tokens[key] = completed.stdout.strip()
    return _api_tokens[key]


#: The application's database role (``PORTAL_DB_APP_ROLE``'s default): no superuser, no
#: BYPASSRLS, owner of no table — what production's web and worker processes connect as.
APP_ROLE = "portal_app"


def with_user(database_url: str, user: str, password: str) -> str:
    """``database_url`` with another user and password."""
    parts = urlsplit(database_url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def without_password(database_url: str) -> str:
    """``database_url`` fit for the results: any password left out."""
    parts = urlsplit(database_url)
    credentials, _, host = parts.netloc.rpartition("@")
    user = credentials.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if credentials else host))


def app_role_env(env: dict, role: str = APP_ROLE) -> dict:
    """``env`` connected as the application's role, the row-level security policies on: its
    ``DATABASE_URL`` becomes the owner's ``DATABASE_OWNER_URL`` (which ``migrate``,
    ``rls_roles`` and ``seed_demo`` use), and the role connects through ``DATABASE_URL``
    with the password ``rls_roles`` gives it (``PORTAL_DB_APP_PASSWORD``: without one the
    role may not log in)."""
    owner_url = env["DATABASE_URL"]
    password = env.get("PORTAL_DB_APP_PASSWORD") or secrets.token_urlsafe(24)
    return env | {
        "DATABASE_URL": with_user(owner_url, role, password),
        "DATABASE_OWNER_URL": owner_url,
        "PORTAL_DB_APP_ROLE": role,
        "PORTAL_DB_APP_PASSWORD": password,
    }
