"""The address a request came from, as far as the portal can trust it.

One function answers it for everything that records or counts by address — the sign-in
lock-out (django-axes) and the audit trail (``portal.middleware.AuditActorMiddleware``) — so
that a client cannot choose the address it is recorded under by sending ``X-Forwarded-For``.
"""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    """``text`` as an IP address without a port (``1.2.3.4:5``, ``[::1]:5``), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return str(ip_address(text))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: with ``TRUSTED_PROXY_COUNT`` reverse proxies in front, the one
    the outermost of them saw (``X-Forwarded-For`` counted from the right, each trusted proxy
    appending the address it saw); else the peer's address. Entries left of the trusted ones
    are the client's own words and are ignored; without a trusted proxy the header is."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            entry
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= count:
            address = _address(forwarded[-count])
            if address is not None:
                return address
    return request.META.get("REMOTE_ADDR") or None


def client_port(request: HttpRequest) -> int | None:
    """The client's port where it can be trusted: ``X-Forwarded-Port`` only behind trusted
    proxies, else the peer's port when the server names it."""
    raw = (
        request.META.get("HTTP_X_FORWARDED_PORT", "")
        if settings.TRUSTED_PROXY_COUNT > 0
        else request.META.get("REMOTE_PORT", "")
    )
    try:
        port = int(str(raw).strip())
    except ValueError:
        return None
    return port if 0 < port < 65536 else None
