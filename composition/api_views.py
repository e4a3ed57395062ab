"""``GET /api/v1/my-tasks/``: the signed-in person's tasks (``composition.dashboards.my_tasks``)
as JSON, each with a link to its page in the portal."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from composition.dashboards.my_tasks import my_tasks
from portal.access.principal import signed_in_user


class _Linked(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class TaskActionSerializer(_Linked):
    title = serializers.CharField()
    risk = serializers.IntegerField(source="risk_id")
    organisation = serializers.CharField(source="risk.organisation.slug")
    due = serializers.DateField()
    overdue = serializers.BooleanField()


class TaskReviewSerializer(_Linked):
    title = serializers.CharField()
    organisation = serializers.CharField(source="organisation.slug")
    next_review = serializers.DateField()
    overdue = serializers.BooleanField(source="review_overdue")


class TaskInitiativeSerializer(_Linked):
    number = serializers.CharField()
    title = serializers.CharField()
    working_group = serializers.CharField(source="working_group.slug")
    status_update_url = serializers.SerializerMethodField()

    def get_status_update_url(self, obj: Any) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("initiatives:status_update_add", kwargs={"pk": obj.pk})
        )


class TaskCampaignSerializer(_Linked):
    organisation = serializers.CharField(source="organisation.slug")
    period = serializers.CharField()
    status = serializers.CharField()


class TaskReportSerializer(_Linked):
    kind = serializers.CharField()
    # None for a sector edition.
    organisation = serializers.CharField(source="organisation.slug", allow_null=True, default=None)
    period = serializers.CharField()


class TaskIncidentClockSerializer(serializers.Serializer):
    """An open reporting clock of an incident the person owns or answers for: the clock and
    a link to its incident."""

    incident = serializers.IntegerField(source="incident.pk")
    organisation = serializers.CharField(source="incident.organisation.slug")
    kind = serializers.CharField(source="deadline.kind")
    due_at = serializers.DateTimeField(source="deadline.due_at")
    overdue = serializers.BooleanField()
    provisional = serializers.BooleanField(source="deadline.provisional")
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        return self.context["request"].build_absolute_uri(obj.incident.get_absolute_url())


class TaskIncidentClocksSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    results = TaskIncidentClockSerializer(many=True, source="rows")


class TaskActionsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    results = TaskActionSerializer(many=True, source="rows")


class TaskReviewsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    results = TaskReviewSerializer(many=True, source="rows")


class MyTasksSerializer(serializers.Serializer):
    """The first rows of the actions and reviews (with their totals), every other task."""

    due_by = serializers.DateField()
    period = serializers.CharField(source="period.label")
    treatment_actions = TaskActionsSerializer(source="actions")
    risk_reviews = TaskReviewsSerializer(source="reviews")
    incident_clocks = TaskIncidentClocksSerializer()
    missing_status_updates = TaskInitiativeSerializer(many=True, source="missing_updates")
    campaigns_to_submit = TaskCampaignSerializer(many=True)
    campaigns_to_approve = TaskCampaignSerializer(many=True)
    reports_to_approve = TaskReportSerializer(many=True)


class MyTasksView(APIView):
    """What waits for the signed-in person: their due and overdue treatment actions and risk
    reviews, their working groups' missing status updates, maturity campaigns to submit or
    approve and report drafts to approve — as the permission layer lets them see it."""

    @extend_schema(responses=MyTasksSerializer)
    def get(self, request: Request) -> Response:
        tasks = my_tasks(user=signed_in_user(request.user))
        return Response(MyTasksSerializer(tasks, context={"request": request}).data)
