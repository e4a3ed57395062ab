"""``/api/v1/incidents/{id}/timeline/``: the incident's timeline, newest first (``GET``), and
a person's entry added to it (``POST``). Entries are never changed or deleted: ``PUT``,
``PATCH`` and ``DELETE`` answer 405."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.models import WRITTEN_KINDS, IncidentTimelineEntry
from incidents.timeline import timeline_entry_add
from portal.access import Action, can
from portal.access.principal import signed_in_user
from portal.api.serializers import scope_related_fields


class TimelineEntrySerializer(serializers.ModelSerializer):
    """One entry: ``kind`` (a person writes ``detection``, ``containment``, ``decision``,
    ``communication``, ``observation`` or ``action``; the portal enters ``submission``,
    ``status_change`` and ``severity_change``), ``text``, ``occurred_at``; an action's
    ``owner`` (user name) and ``due``. ``summary`` is what the page shows: the text, or the
    portal's own words for an entry it entered."""

    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in WRITTEN_KINDS])
    author = serializers.CharField(source="author.username", read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
    )
    done_by = serializers.CharField(source="done_by.username", read_only=True, default=None)
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = IncidentTimelineEntry
        fields = [
            "id",
            "incident",
            "kind",
            "text",
            "occurred_at",
            "author",
            "created_at",
            "old_value",
            "new_value",
            "summary",
            "owner",
            "due",
            "done_at",
            "done_by",
        ]
        read_only_fields = ["incident", "created_at", "old_value", "new_value", "done_at"]

    def to_representation(self, instance: IncidentTimelineEntry) -> dict:
        data = super().to_representation(instance)
        data["kind"] = instance.kind  # the portal's own kinds too
        return data


class TimelineActionMixin:
    """The ``timeline`` route of the incidents' viewset."""

    @extend_schema(
        request=TimelineEntrySerializer,
        responses={200: TimelineEntrySerializer(many=True), 201: TimelineEntrySerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="timeline")
    def timeline(self, request: Request, *args, **kwargs) -> Response:
        """``GET``: the incident's timeline, newest first. ``POST`` (``kind``, ``text``,
        ``occurred_at``; an action's ``owner`` and ``due``): adds an entry, for those who may
        change the incident. Entries cannot be changed or deleted."""
        incident = self.get_object()  # type: ignore[attr-defined]
        if request.method == "GET":
            rows = (
                IncidentTimelineEntry.objects.restrict(request.user)
                .filter(incident=incident)
                .select_related("author", "owner", "done_by")
                .order_by("-occurred_at", "-created_at", "-pk")
            )
            return Response(TimelineEntrySerializer(rows, many=True).data)
        if not can(request.user, Action.CHANGE, incident):
            raise PermissionDenied
        serializer = TimelineEntrySerializer(data=request.data)
        # The people the caller may name (as every serializer's related fields); the entry's
        # own rule then asks for a member of the incident's region.
        scope_related_fields(serializer, user=request.user)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.setdefault("text", "")
        try:
            entry = timeline_entry_add(
                incident=incident, user=signed_in_user(request.user), values=values
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
