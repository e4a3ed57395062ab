from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from incidents.models import INCIDENT_FIELDS, Incident, IncidentSubmission, SectorIncident
from incidents.reporting_rules import DeadlineKind
from incidents.timeline import incident_save
from portal.access.principal import signed_in_user
from portal.api.serializers import ModelCleanMixin, OrganisationSlugField
from portal.models import Organisation
from risks.models import Asset, CriticalFunction

#: The API's names of the incident's fields where they differ from the model's.
API_NAMES = {"gdpr_breach": "personal_data_breach"}


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
            *(API_NAMES.get(name, name) for name in INCIDENT_FIELDS),
            # The link to a sector incident: the region's own decision, on its own form on
            # the incident's page (``IncidentSectorLinkForm``), here beside the facts.
            "sector_incident",
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


class DraftFieldSerializer(serializers.Serializer):
    """One field of a stage's report: its label and value as the draft writes them, and
    whether the incident still leaves it empty."""

    # Declared in ``get_fields``: ``label`` is also an attribute of every field.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "name": serializers.CharField(),
            "label": serializers.CharField(),
            "value": serializers.CharField(),
            "missing": serializers.BooleanField(),
        }


class NotificationDraftSerializer(serializers.Serializer):
    """A stage's notification draft, to copy into the official form: exactly the fields the
    stage's report asks for, those still empty, and the draft's text."""

    # Declared in ``get_fields``: ``fields`` is also the serializer's own attribute.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "kind": serializers.ChoiceField(choices=DeadlineKind.choices),
            "title": serializers.CharField(),
            "language": serializers.CharField(),
            "due_at": serializers.DateTimeField(source="deadline.due_at", allow_null=True),
            "fields": DraftFieldSerializer(many=True),
            "missing": serializers.SerializerMethodField(),
            "text": serializers.CharField(),
        }

    def get_missing(self, draft) -> list[str]:
        return [field.name for field in draft.missing]
