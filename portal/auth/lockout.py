"""django-axes' answer to a sign-in while the user name is locked out (429), and the client
address it counts failures by."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed sign-ins. Signing in with this user name is locked for %(minutes)s "
        "minute; try again after that.",
        "Too many failed sign-ins. Signing in with this user name is locked for %(minutes)s "
        "minutes; try again after that.",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=settings.AXES_HTTP_RESPONSE_CODE)
    return render(
        request,
        "registration/locked_out.html",
        {"message": message},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def client_address(request: HttpRequest) -> str | None:
    """The address of the person signing in: with ``TRUSTED_PROXY_COUNT`` reverse proxies in
    front, the one the outermost of them saw (``X-Forwarded-For`` from the right, so that a
    client cannot choose its own address by sending the header); else the peer's address."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
