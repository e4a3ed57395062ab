"""The API's token endpoint, aware of django-axes' lock-out."""

from django.http import HttpResponse
from rest_framework import exceptions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from portal.auth.lockout import lockout_response


class ObtainTokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/``: DRF's token for a user name and password, answering 429
    while django-axes has the user name locked out (DRF's own request object hides the lock-out
    from django-axes' middleware, which would otherwise answer)."""

    def post(self, request: Request, *args, **kwargs) -> Response | HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise
