from django.db import transaction
from rest_framework import serializers

from capabilities.models import (
    Capability,
    Discipline,
    Framework,
    MaturityAssessment,
    MaturityEntry,
    Requirement,
)
from portal.api.serializers import OrganisationSlugField


class DisciplineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    question = serializers.CharField(read_only=True)

    class Meta:
        model = Discipline
        fields = [
            "code",
            "order",
            "name",
            "name_da",
            "name_en",
            "question",
            "question_da",
            "question_en",
            "strategy_heading_da",
            "strategy_heading_en",
        ]


class CapabilitySerializer(serializers.ModelSerializer):
    discipline = serializers.SlugRelatedField(slug_field="code", queryset=Discipline.objects.all())
    name = serializers.CharField(read_only=True)
    requirements = serializers.SerializerMethodField()

    class Meta:
        model = Capability
        fields = [
            "slug",
            "discipline",
            "order",
            "name",
            "name_da",
            "name_en",
            "description_da",
            "description_en",
            "requirements",
        ]

    def get_requirements(self, capability: Capability) -> list[str]:
        return [f"{r.framework.slug}:{r.code}" for r in capability.requirements.all()]


class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Framework
        fields = ["slug", "name_da", "name_en", "version"]


class RequirementSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    title = serializers.CharField(read_only=True)
    capabilities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "framework",
            "code",
            "title",
            "title_da",
            "title_en",
            "description_da",
            "description_en",
            "capabilities",
        ]


class MaturityEntrySerializer(serializers.ModelSerializer):
    capability = serializers.SlugRelatedField(slug_field="slug", queryset=Capability.objects.all())
    current_level = serializers.IntegerField(min_value=0, max_value=5)
    target_level = serializers.IntegerField(min_value=0, max_value=5)
    gap = serializers.IntegerField(read_only=True)
    assessor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = MaturityEntry
        fields = [
            "capability",
            "current_level",
            "target_level",
            "gap",
            "evidence",
            "comment",
            "assessor",
        ]


class MaturityAssessmentSerializer(serializers.ModelSerializer):
    """A campaign with its entries. ``PATCH`` with ``entries`` saves them all or none, while
    the campaign is open."""

    organisation = OrganisationSlugField(read_only=True)
    entries = MaturityEntrySerializer(many=True, required=False)

    class Meta:
        model = MaturityAssessment
        fields = [
            "id",
            "organisation",
            "period",
            "status",
            "entries",
            "submitted_at",
            "reopened_at",
            "reopen_reason",
            "approved_at",
        ]
        read_only_fields = [
            "period",
            "status",
            "submitted_at",
            "reopened_at",
            "reopen_reason",
            "approved_at",
        ]

    def update(self, instance: MaturityAssessment, validated_data: dict) -> MaturityAssessment:
        from capabilities.maturity import EntryInput, assessment_save_entries

        entries = validated_data.pop("entries", None)
        if entries is not None:
            with transaction.atomic():
                assessment_save_entries(
                    assessment=instance,
                    entries=[
                        EntryInput(
                            capability_id=entry["capability"].pk,
                            current_level=entry["current_level"],
                            target_level=entry["target_level"],
                            evidence=entry.get("evidence", ""),
                            comment=entry.get("comment", ""),
                        )
                        for entry in entries
                    ],
                    user=self.context["request"].user,
                    expected_version=instance.version,
                )
        return instance
