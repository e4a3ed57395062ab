"""ETag / If-Match for every editable resource (RFC 9110, section 13.1).

A detail response carries ``ETag: "<version>"``. A ``PUT``, ``PATCH`` or ``DELETE`` that sends
``If-Match`` with another version gets ``412 Precondition Failed`` and changes nothing; one
without ``If-Match`` still cannot overwrite a concurrent change unnoticed, because the save
itself compares versions (``VersionedModel.save``). ``If-None-Match`` on ``GET`` answers
``304 Not Modified``.
"""

from django.db.models import Model
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api.exceptions import PreconditionFailed


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def check_if_match(request: Request, obj: Model) -> None:
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = _tags(header)
    if "*" in tags:
        return
    if obj.etag not in tags:
        raise PreconditionFailed()


class ETagMixin:
    """For ``ModelViewSet``s over a ``VersionedModel``."""

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        instance = self.get_object()
        if instance.etag in _tags(request.headers.get("If-None-Match", "")):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(self.get_serializer(instance).data)
        response["ETag"] = instance.etag
        return response

    def update(self, request: Request, *args, **kwargs) -> Response:
        response = super().update(request, *args, **kwargs)
        response["ETag"] = self._saved_instance.etag
        return response
