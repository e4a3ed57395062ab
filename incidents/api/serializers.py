from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from incidents.models import Incident, IncidentSubmission, SectorIncident
from incidents.reporting_rules import DeadlineKind
from incidents.timeline import incident_save
from portal.access.principal import signed_in_user
from portal.api.serializers import ModelCleanMixin, OrganisationSlugField
from portal.models import Organisation
from risks.models import Asset, CriticalFunction


class DeadlineSerializer(serializers.Serializer):
    """One reporting clock: when it is due, when it was met, whether it has run out."""

    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    provisional = serializers.BooleanField(
        help_text="The final report before the notification is submitted: due no earlier."
    )


class IncidentSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """An incident with its clocks (``deadlines``, read-only: they follow from ``aware_at``,
    the classification and the submissions)."""

    organisation = OrganisationSlugField()
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
    )
    affected_systems = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Asset.objects.all()
    )
    critical_functions = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=CriticalFunction.objects.all()
    )
    personal_data_breach = serializers.BooleanField(source="gdpr_breach", required=False)
    sector_incident = serializers.PrimaryKeyRelatedField(
        queryset=SectorIncident.objects.all(),
        allow_null=True,
        required=False,
        help_text="The sector incident the region links this incident to (its own decision): "
        "the sector then sees the region as affected, with the incident's status only.",
    )
    deadlines = DeadlineSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "organisation",
            "title",
            "description",
            "category",
            "severity",
            "status",
            "detected_at",
            "aware_at",
            "owner",
            "affected_systems",
            "critical_functions",
            "supplier",
            "suspected_malicious",
            "cross_border",
            "personal_data",
            "personal_data_categories",
            "data_subjects_approx",
            "records_approx",
            "data_subject_categories",
            "breach_nature",
            "breach_consequences",
            "breach_measures",
            "contact_point",
            "impact",
            "indicators_of_compromise",
            "root_cause",
            "mitigation",
            "sector_incident",
            "nis2_significant",
            "nis2_reason",
            "personal_data_breach",
            "gdpr_exception_unlikely_risk",
            "gdpr_exception_reason",
            "gdpr_art34_communication",
            "deadlines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_organisation(self, value: Organisation) -> Organisation:
        if self.instance is not None and value.pk != self.instance.organisation_id:
            raise serializers.ValidationError(_("An incident stays in its region."))
        return value

    def validate_sector_incident(self, value: SectorIncident | None) -> SectorIncident | None:
        linked = getattr(self.instance, "sector_incident_id", None)
        if value is not None and value.pk != linked and not value.is_open:
            raise serializers.ValidationError(_("The sector incident is closed."))
        return value

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        organisation = attrs.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation is None:
            return attrs
        errors = {}
        for name in ("affected_systems", "critical_functions"):
            if any(obj.organisation_id != organisation.pk for obj in attrs.get(name, ())):
                errors[name] = [_("Choose from the incident's own region.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    # Saved through ``incident_save``: a change of status or severity enters the timeline.
    def create(self, validated_data: dict) -> Incident:
        relations = _relations(validated_data)
        return incident_save(
            incident=Incident(**validated_data),
            user=signed_in_user(self.context["request"].user),
            relations=relations,
        )

    def update(self, instance: Incident, validated_data: dict) -> Incident:
        relations = _relations(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return incident_save(
            incident=instance,
            user=signed_in_user(self.context["request"].user),
            relations=relations,
        )


def _relations(validated_data: dict) -> dict:
    """The many-to-many values, taken out of ``validated_data``."""
    return {
        field.name: validated_data.pop(field.name)
        for field in Incident._meta.many_to_many
        if field.name in validated_data
    }


class IncidentSubmissionSerializer(serializers.ModelSerializer):
    """A submission for one of the incident's clocks; ``recipient`` defaults to where the
    clock's regime reports (virk.dk for NIS2, Datatilsynet for GDPR)."""

    by = serializers.CharField(source="by.username", read_only=True)
    recipient = serializers.CharField(max_length=200, required=False)

    class Meta:
        model = IncidentSubmission
        fields = [
            "id",
            "incident",
            "kind",
            "submitted_at",
            "recipient",
            "reference",
            "late_reason",
            "reported_text",
            "by",
            "created_at",
        ]
        read_only_fields = ["incident", "by", "created_at"]
