from django.core.exceptions import PermissionDenied
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.access import Action, can
from portal.api.etag import ETagMixin, check_if_match
from portal.api.serializers import AuditEntrySerializer, scope_related_fields
from portal.audit import entries_for, history_entries, related_shown


class RestrictedViewSetMixin:
    """Every API queryset goes through the permission layer (``restrict``), and so does
    every related field of its serializers: what the API's forms offer and what a request
    body may name."""

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, Action.VIEW)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        scope_related_fields(serializer, user=self.request.user)
        return serializer

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, *args, **kwargs) -> Response:
        """The object's audit trail: who changed what, when, newest first."""
        obj = self.get_object()
        entries = history_entries(
            entries_for(obj), shown=related_shown(obj, request.user), reader=request.user
        )
        page = self.paginate_queryset(entries)
        if page is None:  # a viewset without pagination (a short catalogue) lists it all
            return Response(AuditEntrySerializer(entries, many=True).data)
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class RestrictedModelViewSet(RestrictedViewSetMixin, ETagMixin, viewsets.ModelViewSet):
    """CRUD over a ``VersionedModel`` with ETag / If-Match and permission re-checks."""

    def create(self, request: Request, *args, **kwargs) -> Response:
        response = super().create(request, *args, **kwargs)
        response["ETag"] = self._saved_instance.etag
        return response

    def perform_create(self, serializer) -> None:
        with transaction.atomic():
            instance = serializer.save()
            # The new object must fall inside what the user may add (e.g. their own region);
            # raising here rolls the insert back.
            if not can(self.request.user, Action.ADD, instance):
                raise PermissionDenied
        self._saved_instance = instance

    def perform_update(self, serializer) -> None:
        check_if_match(self.request, serializer.instance)
        with transaction.atomic():
            instance = serializer.save()
            if not can(self.request.user, Action.CHANGE, instance):
                raise PermissionDenied
        self._saved_instance = instance

    @extend_schema(responses={204: None, 412: OpenApiResponse(description="Stale If-Match")})
    def destroy(self, request: Request, *args, **kwargs) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance) -> None:
        check_if_match(self.request, instance)
        with transaction.atomic():
            instance.delete()


class RestrictedUpdateViewSet(
    RestrictedViewSetMixin,
    ETagMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Read and change, but no create or delete through the API (reference data)."""

    perform_update = RestrictedModelViewSet.perform_update
