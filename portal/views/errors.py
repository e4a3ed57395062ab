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


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return HttpResponse(
            b'{"detail": "Internal server error."}', status=500, content_type="application/json"
        )
    # No context processors: the error may have come from one of them.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
