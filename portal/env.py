"""Typed readers for settings that come from the environment.

Every setting of the portal is read through these helpers so that a wrong value fails at
start-up with a message that names the variable, instead of somewhere later.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
}


def parse_email_url(url: str) -> dict[str, object]:
    """Turn ``smtp://user:password@host:587?tls=true`` into Django's EMAIL_* settings.

    ``console://`` prints mails to standard output (the demo's default), ``locmem://`` keeps
    them in memory (tests), ``smtps://`` is SMTP over implicit TLS, ``submission://`` port 587
    with STARTTLS.
    """
    parts = urlsplit(url)
    if parts.scheme not in _EMAIL_BACKENDS:
        known = ", ".join(sorted(_EMAIL_BACKENDS))
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {known}, not {parts.scheme!r}")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    settings: dict[str, object] = {"EMAIL_BACKEND": _EMAIL_BACKENDS[parts.scheme]}
    if parts.scheme.startswith("smtp") or parts.scheme == "submission":
        default_port = {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme]
        settings.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or default_port,
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps" or query.get("ssl") in _TRUE,
            EMAIL_USE_TLS=parts.scheme == "submission" or query.get("tls") in _TRUE,
        )
    return settings


def parse_group_roles(
    name: str, raw: str, *, roles: tuple[str, ...]
) -> dict[str, tuple[tuple[str, str], ...]]:
    """Parse ``<group>=<organisation slug>:<role>,…`` into the grants of each group.

    A group may appear more than once (a membership each). The identity provider's group ids
    are kept as written (Microsoft Entra ID sends object ids); slugs and roles are lower-case.
    """
    grants: dict[str, list[tuple[str, str]]] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        group, _equals, target = item.rpartition("=")
        slug, _colon, role = target.partition(":")
        group, slug, role = group.strip(), slug.strip().lower(), role.strip().lower()
        if not group or not slug or not role:
            raise ImproperlyConfigured(
                f"{name}: {item!r} must read <group>=<organisation slug>:<role>"
            )
        if role not in roles:
            raise ImproperlyConfigured(
                f"{name}: {role!r} in {item!r} is not a role; use one of {', '.join(roles)}"
            )
        grants.setdefault(group, []).append((slug, role))
    return {group: tuple(pairs) for group, pairs in grants.items()}
