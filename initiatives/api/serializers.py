from django.utils.translation import gettext as _
from rest_framework import serializers

from initiatives.models import (
    Deliverable,
    Initiative,
    LifecycleStatus,
    Milestone,
    Rag,
    RegionalImplementation,
    StatusUpdate,
    StrategicObjective,
    Strategy,
    WorkingGroup,
)
from initiatives.models.status_update import explanation_errors
from portal.access import can
from portal.api.serializers import ModelCleanMixin, OrganisationSlugField
from portal.slugs import unique_slug


class StrategySerializer(serializers.ModelSerializer):
    predecessor = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Strategy
        fields = ["id", "slug", "title_da", "title_en", "start_year", "end_year", "predecessor"]


class StrategicObjectiveSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = StrategicObjective
        fields = [
            "id",
            "strategy",
            "number",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
        ]


class InitiativeSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """``status``, ``rag`` and ``progress`` are the latest status update's (never stored);
    ``update_due`` says the current period's update is missing, as the portfolio does."""

    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    discipline = serializers.SlugRelatedField(slug_field="code", read_only=True)
    objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    working_group = serializers.SlugRelatedField(
        slug_field="slug", queryset=WorkingGroup.objects.all(), allow_null=True, required=False
    )
    lead_organisation = OrganisationSlugField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=LifecycleStatus.choices, read_only=True)
    rag = serializers.ChoiceField(choices=Rag.choices, read_only=True, allow_null=True)
    progress = serializers.IntegerField(read_only=True, allow_null=True)
    period = serializers.CharField(source="current_period", read_only=True, allow_null=True)
    last_update_at = serializers.DateTimeField(read_only=True, allow_null=True)
    update_due = serializers.BooleanField(
        read_only=True, help_text="No status update for the current reporting period yet."
    )

    class Meta:
        model = Initiative
        fields = [
            "id",
            "strategy",
            "number",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "discipline",
            "objectives",
            "objectives_confirmed",
            "working_group",
            "lead_organisation",
            "start_date",
            "end_date",
            "status",
            "rag",
            "progress",
            "period",
            "last_update_at",
            "update_due",
        ]
        read_only_fields = ["number", "title_da", "title_en", "objectives_confirmed"]

    def validate_working_group(self, value: WorkingGroup | None) -> WorkingGroup | None:
        request = self.context["request"]
        current = getattr(self.instance, "working_group", None)
        if value != current and not can(request.user, "initiatives.assign_group"):
            raise serializers.ValidationError(
                _("Only the TSI secretariat assigns initiatives to working groups.")
            )
        return value


class StatusUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "initiative",
            "period",
            "status",
            "rag",
            "progress",
            "narrative",
            "achievements",
            "next_steps",
            "blockers",
            "corrects",
            "author",
            "created_at",
        ]
        read_only_fields = fields


class StatusUpdateInputSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7)
    status = serializers.ChoiceField(choices=LifecycleStatus.choices)
    rag = serializers.ChoiceField(choices=Rag.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    narrative = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when rag is amber or red.",
    )
    achievements = serializers.CharField(required=False, allow_blank=True, default="")
    next_steps = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when rag is amber or red.",
    )
    blockers = serializers.CharField(required=False, allow_blank=True, default="")
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=StatusUpdate.objects.all(), required=False, allow_null=True, default=None
    )

    def validate(self, attrs: dict) -> dict:
        errors = explanation_errors(
            rag=attrs["rag"], narrative=attrs["narrative"], next_steps=attrs["next_steps"]
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class WorkingGroupSerializer(serializers.ModelSerializer):
    members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    topics = serializers.ListField(
        child=serializers.CharField(max_length=300), source="topic_list", required=False
    )
    initiatives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = WorkingGroup
        fields = [
            "slug",
            "name",
            "name_da",
            "name_en",
            "kind",
            "description",
            "topics",
            "active_from",
            "active_to",
            "members",
            "initiatives",
        ]
        extra_kwargs = {
            "slug": {
                "required": False,
                "help_text": "Chosen on creation (from name_da when left out); fixed after.",
            }
        }

    def get_fields(self) -> dict:
        fields = super().get_fields()
        if self.instance is not None:  # the slug names the group in URLs: it never changes
            fields["slug"].read_only = True
        return fields

    def validate(self, attrs: dict) -> dict:
        if "topic_list" in attrs:
            attrs["topics"] = "\n".join(topic.strip() for topic in attrs.pop("topic_list"))
        return attrs

    def create(self, validated_data: dict) -> WorkingGroup:
        if not validated_data.get("slug"):
            validated_data["slug"] = unique_slug(WorkingGroup, validated_data["name_da"])
        return super().create(validated_data)


class DeliverableSerializer(ModelCleanMixin, serializers.ModelSerializer):
    working_group = serializers.SlugRelatedField(
        slug_field="slug", queryset=WorkingGroup.objects.all()
    )
    half_year = serializers.CharField(source="half_year.label", read_only=True)

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "working_group",
            "initiative",
            "title",
            "description",
            "due",
            "status",
            "delivered_on",
            "evidence_url",
            "half_year",
        ]

    def validate_working_group(self, value: WorkingGroup) -> WorkingGroup:
        if self.instance is not None and value != self.instance.working_group:
            raise serializers.ValidationError(_("A deliverable stays with its working group."))
        return value


class MilestoneSerializer(ModelCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "initiative", "title", "due", "done_on"]

    def validate_initiative(self, value: Initiative) -> Initiative:
        if self.instance is not None and value != self.instance.initiative:
            raise serializers.ValidationError(_("A milestone stays with its initiative."))
        return value


class RegionalImplementationSerializer(serializers.ModelSerializer):
    organisation = OrganisationSlugField(read_only=True)
    updated_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = RegionalImplementation
        fields = ["id", "initiative", "organisation", "status", "note", "updated_by", "updated_at"]
        read_only_fields = ["initiative", "updated_at"]
