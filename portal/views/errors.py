import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return HttpResponse(
            b'{"detail": "You do not have permission to perform this action."}',
            status=403,
            content_type="application/json",
        )
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return HttpResponse(
            b'{"detail": "Not found."}', status=404, content_type="application/json"
        )
    return render(request, "404.html", status=404)


#: Seconds a client is asked to wait when the database is unavailable.
RETRY_AFTER = 10


def server_error(request: HttpRequest) -> HttpResponse:
    """500; or 503 with ``Retry-After`` when the database cannot be reached (a restart, a
    fail-over), which clients and load balancers may retry. Every multi-object write runs in
    one transaction, so such a failure never leaves an object half-written."""
    unavailable = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    status = 503 if unavailable else 500
    if _wants_json(request):
        detail = (
            b'{"detail": "The database is temporarily unavailable; try again shortly."}'
            if unavailable
            else b'{"detail": "Internal server error."}'
        )
        response = HttpResponse(detail, status=status, content_type="application/json")
    else:
        # No context processors: the error may have come from one of them.
        page = loader.get_template("500.html").render({"unavailable": unavailable})
        response = HttpResponse(page, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
