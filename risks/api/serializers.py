import copy

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from capabilities.models import Discipline
from portal.access import principal_for
from portal.access.roles import Role
from portal.api.links import LinkedPrimaryKeyRelatedField
from portal.api.serializers import ModelCleanMixin, OrganisationSlugField
from portal.models import Organisation
from risks.models import (
    Asset,
    CriticalFunction,
    Level,
    Risk,
    RiskMatrix,
    Threat,
    TreatmentAction,
)
from risks.services import check_acceptance


class AssetSerializer(serializers.ModelSerializer):
    organisation = OrganisationSlugField()
    shared_with = OrganisationSlugField(
        many=True,
        required=False,
        queryset=Organisation.objects.filter(kind=Organisation.Kind.REGION),
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "organisation",
            "name",
            "kind",
            "description",
            "supplier",
            "quantity",
            "is_legacy",
            "end_of_support",
            "shared_with",
        ]

    def validate_organisation(self, value: Organisation) -> Organisation:
        if self.instance is not None and value != self.instance.organisation:
            raise serializers.ValidationError(_("An asset cannot move to another organisation."))
        return value

    def validate(self, attrs: dict) -> dict:
        organisation = attrs.get("organisation") or getattr(self.instance, "organisation", None)
        if organisation in attrs.get("shared_with", []):
            raise serializers.ValidationError(
                {"shared_with": [_("An asset cannot be shared with its own organisation.")]}
            )
        return attrs


class ThreatSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Threat
        fields = [
            "slug",
            "name",
            "name_da",
            "name_en",
            "description_da",
            "description_en",
            "attack_surface",
        ]


class RiskSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """Scores and levels are read-only: the database computes likelihood × consequence and
    the region's matrix gives the level."""

    serializer_related_field = LinkedPrimaryKeyRelatedField

    organisation = OrganisationSlugField()
    threat = serializers.SlugRelatedField(slug_field="slug", queryset=Threat.objects.all())
    discipline = serializers.SlugRelatedField(
        slug_field="code", queryset=Discipline.objects.all(), allow_null=True, required=False
    )
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
    )
    accepted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    shared_with = serializers.SerializerMethodField()
    inherent_level = serializers.ChoiceField(choices=Level.choices, read_only=True)
    residual_level = serializers.ChoiceField(choices=Level.choices, read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "organisation",
            "title",
            "description",
            "threat",
            "attack_surface",
            "vulnerability",
            "assets",
            "discipline",
            "initiatives",
            "capabilities",
            "inherent_likelihood",
            "inherent_consequence",
            "residual_likelihood",
            "residual_consequence",
            "inherent_score",
            "residual_score",
            "inherent_level",
            "residual_level",
            "owner",
            "status",
            "treatment",
            "next_review",
            "acceptance_reason",
            "accepted_by",
            "accepted_at",
            "shared_with",
            "updated_at",
        ]
        read_only_fields = ["inherent_score", "residual_score", "accepted_at", "updated_at"]

    def get_shared_with(self, risk: Risk) -> list[str]:
        if hasattr(risk, "shared_slugs"):  # attached for a page by risks_links_attach
            return risk.shared_slugs
        slugs = {region.slug for asset in risk.assets.all() for region in asset.shared_with.all()}
        return sorted(slugs)

    def validate_organisation(self, value: Organisation) -> Organisation:
        if self.instance is not None and value != self.instance.organisation:
            raise serializers.ValidationError(_("A risk cannot move to another organisation."))
        return value

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        user = self.context["request"].user
        organisation = attrs.get("organisation") or self.instance.organisation
        errors: dict[str, list[str]] = {}
        owner = attrs.get("owner")
        if owner is not None and not owner.memberships.filter(organisation=organisation).exists():
            errors["owner"] = [_("The owner must work in the risk's organisation.")]
        if self.instance is not None and "owner" in attrs and attrs["owner"] != self.instance.owner:
            principal = principal_for(user)
            if not (principal.is_sector_admin or principal.has_role(Role.CISO, organisation.pk)):
                errors["owner"] = [_("Only the region's CISO assigns risk owners.")]
        if any(asset.organisation_id != organisation.pk for asset in attrs.get("assets", [])):
            errors["assets"] = [_("Choose assets of the risk's own organisation.")]
        if errors:
            raise serializers.ValidationError(errors)
        candidate = copy.copy(self.instance) if self.instance is not None else Risk()
        for key, value in attrs.items():
            if key not in ("assets", "initiatives", "capabilities"):
                setattr(candidate, key, value)
        try:
            check_acceptance(
                risk=candidate,
                user=user,
                previous_status=self.instance.status if self.instance else None,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        if candidate.accepted_by_id and (self.instance is None or not self.instance.accepted_by_id):
            attrs["accepted_by"] = candidate.accepted_by
            attrs["accepted_at"] = candidate.accepted_at
        return attrs


class TreatmentActionSerializer(ModelCleanMixin, serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = TreatmentAction
        fields = ["id", "risk", "title", "owner", "due", "status", "done_on", "overdue"]

    def get_overdue(self, action: TreatmentAction) -> bool:
        from datetime import date

        return action.is_overdue(date.today())

    def validate_risk(self, value: Risk) -> Risk:
        if self.instance is not None and value != self.instance.risk:
            raise serializers.ValidationError(_("An action stays with its risk."))
        return value


class CriticalFunctionSerializer(serializers.ModelSerializer):
    organisation = OrganisationSlugField()

    class Meta:
        model = CriticalFunction
        fields = ["id", "organisation", "name", "description", "systems"]

    def validate(self, attrs: dict) -> dict:
        organisation = attrs.get("organisation") or self.instance.organisation
        if any(system.organisation_id != organisation.pk for system in attrs.get("systems", [])):
            raise serializers.ValidationError(
                {"systems": [_("Choose systems of the function's own organisation.")]}
            )
        return attrs


class RiskMatrixSerializer(serializers.ModelSerializer):
    organisation = OrganisationSlugField(read_only=True)

    class Meta:
        model = RiskMatrix
        fields = [
            "id",
            "organisation",
            "likelihood_labels_da",
            "likelihood_labels_en",
            "consequence_labels_da",
            "consequence_labels_en",
            "low_max",
            "medium_max",
            "high_max",
            "colour_low",
            "colour_medium",
            "colour_high",
            "colour_critical",
        ]
