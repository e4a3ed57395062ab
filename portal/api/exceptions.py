"""Errors as JSON: ``{"detail": …}`` or field-level ``{"field": ["message"]}``, never a 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.models import ConcurrentUpdate


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object has changed since you read it (stale If-Match)."
    default_code = "precondition_failed"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the object."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ConcurrentUpdate):
        exc = PreconditionFailed(
            _("The object was changed by someone else while you saved it. Read it again.")
        )
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = ValidationError(detail)
    elif isinstance(exc, ProtectedError):
        exc = Conflict(_("This cannot be deleted because other records depend on it."))
    return drf_exception_handler(exc, context)
