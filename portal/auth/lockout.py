"""django-axes' answer to a sign-in while the user name is locked out (429). Failures are
counted by ``portal.client_address.client_address`` (``AXES_CLIENT_IP_CALLABLE``)."""

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
