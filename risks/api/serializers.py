import copy

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from capabilities.models import Discipline
from portal.access import Action, can_add_child, sees_all_of
from portal.api.links import LinkedPrimaryKeyRelatedField
from portal.api.serializers import ModelCleanMixin, OrganisationSlugField
from portal.models import Organisation
from risks.models import (
    DIMENSION_FIELDS,
    Asset,
    ConsequenceDimension,
    CriticalFunction,
    Level,
    Risk,
    RiskMatrix,
    Threat,
    TreatmentAction,
)
from risks.services import (
    NOT_FOUND,
    asset_sharing_validate,
    owner_validate,
    risk_create,
    risk_update,
    risk_validate,
    treatment_action_validate,
)

_RELATIONS = ("assets", "initiatives", "capabilities")


def _valid_or_none(field: serializers.Field, data):
    """``field``'s value for ``data``, or None when it is missing or invalid (the field then
    reports its own error)."""
    if data in (None, ""):
        return None
    try:
        return field.to_internal_value(data)
    except serializers.ValidationError:
        return None


def _rule_messages(
    serializer: serializers.Serializer, errors: dict[str, list[DjangoValidationError]]
) -> dict[str, list[str]]:
    """The register's rule errors as the API's field errors. A person or object outside the
    risk's organisation gets the field's own "does not exist" message, word for word the
    answer for one that does not exist."""
    detail: dict[str, list[str]] = {}
    for name, items in errors.items():
        field = serializer.fields.get(name)
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        for item in items:
            if item.code == NOT_FOUND and isinstance(relation, RelatedField):
                value = smart_str(item.params["value"])
                message = relation.error_messages["does_not_exist"].format(
                    slug_name=getattr(relation, "slug_field", ""), value=value, pk_value=value
                )
                detail.setdefault(name, []).append(message)
            else:
                detail.setdefault(name, []).extend(item.messages)
    return detail


class AssetSerializer(serializers.ModelSerializer):
    organisation = OrganisationSlugField()
    shared_with = OrganisationSlugField(
        many=True,
        required=False,
        queryset=Organisation.objects.regions(),
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
        try:
            shared = attrs.get("shared_with")
            if shared is None and self.instance is not None:  # a PATCH that leaves it
                shared = list(self.instance.shared_with.all())
            asset_sharing_validate(
                organisation_id=organisation.pk if organisation else None,
                shared_with_ids=[region.pk for region in shared or []],
                asset_id=self.instance.pk if self.instance is not None else None,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
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


class OwnerInOrganisationMixin:
    """An ``owner`` field checked by the risk service's rule against the organisation the
    object belongs to (``_organisation()``). Checked with the fields, so that the answer for
    a person outside the organisation is the one for a person who does not exist, whatever
    else the body holds."""

    def _organisation(self) -> Organisation | None:
        raise NotImplementedError

    def validate_owner(self, value):
        organisation = self._organisation()
        if value is not None and organisation is not None:
            try:
                owner_validate(owner=value, organisation=organisation)
            except DjangoValidationError as error:
                raise serializers.ValidationError(
                    _rule_messages(self, {"owner": [error]})["owner"]
                ) from None
        return value


class RiskSerializer(OwnerInOrganisationMixin, ModelCleanMixin, serializers.ModelSerializer):
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
    # The dimension that sets the consequence; null when none is scored.
    consequence_dimension = serializers.ChoiceField(
        choices=ConsequenceDimension.choices, read_only=True, allow_null=True
    )
    #: The id of the criteria version the acceptance was made under
    #: (``/api/v1/risk-acceptance-criteria/{id}/``).
    acceptance_criteria = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

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
            *DIMENSION_FIELDS,
            "consequence_dimension",
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
            "acceptance_criteria",
            "acceptance_expires_on",
            "last_reviewed",
            "shared_with",
            "joint",
            "updated_at",
        ]
        read_only_fields = [
            "inherent_score",
            "residual_score",
            "accepted_at",
            "joint",
            "last_reviewed",
            "updated_at",
        ]
        # With a consequence dimension scored the consequence follows it; without one the
        # register's rule asks for it (a field error on ``inherent_consequence``).
        extra_kwargs = {"inherent_consequence": {"required": False}}

    def to_representation(self, risk: Risk) -> dict:
        data = super().to_representation(risk)
        data["consequence_dimension"] = risk.consequence_dimension or None
        request = self.context.get("request")
        if request is not None and not sees_all_of(request.user, Asset, risk.organisation_id):
            # Another region reading a shared risk: its shared systems, not the owner's other
            # assets.
            visible = self._visible_assets(request.user, data["assets"])
            data["assets"] = [pk for pk in data["assets"] if pk in visible]
            data["shared_with"] = sorted({slug for pk in data["assets"] for slug in visible[pk]})
        return data

    def _visible_assets(self, user, asset_ids: list[int]) -> dict[int, set[str]]:
        """The assets ``user`` may see among those of the risks in this response, with the
        regions each is shared with: one query per response, not one per shared risk."""
        cache = getattr(self.root, "_visible_asset_cache", None)
        if cache is None:
            risks = self.root.instance if isinstance(self.root, serializers.ListSerializer) else []
            wanted = set(asset_ids)
            for other in risks or ():
                wanted.update(getattr(other, "_link_ids", {}).get("assets", ()))
            cache = {}
            rows = (
                Asset.objects.restrict(user, Action.VIEW)
                .filter(pk__in=wanted)
                .values_list("pk", "shared_with__slug")
            )
            for pk, slug in rows:
                cache.setdefault(pk, set()).update({slug} - {None})
            self.root._visible_asset_cache = cache
        return cache

    def get_shared_with(self, risk: Risk) -> list[str]:
        if hasattr(risk, "shared_slugs"):  # attached for a page by risks_links_attach
            return risk.shared_slugs
        slugs = {region.slug for asset in risk.assets.all() for region in asset.shared_with.all()}
        return sorted(slugs)

    def validate_organisation(self, value: Organisation) -> Organisation:
        if self.instance is not None and value != self.instance.organisation:
            raise serializers.ValidationError(_("A risk cannot move to another organisation."))
        return value

    def _organisation(self) -> Organisation | None:
        """The organisation written to: the risk's, or the one the body names (if valid)."""
        if self.instance is not None:
            return self.instance.organisation
        return _valid_or_none(self.fields["organisation"], self.initial_data.get("organisation"))

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        candidate = copy.copy(self.instance) if self.instance is not None else Risk()
        for key, value in attrs.items():
            if key not in _RELATIONS:
                setattr(candidate, key, value)
        try:
            risk_validate(
                risk=candidate,
                user=self.context["request"].user,
                previous=self.instance,
                assets=attrs.get("assets"),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_rule_messages(self, error.error_dict)) from None
        return attrs

    def create(self, validated_data: dict) -> Risk:
        return risk_create(user=self.context["request"].user, values=validated_data)

    def update(self, instance: Risk, validated_data: dict) -> Risk:
        return risk_update(risk=instance, user=self.context["request"].user, values=validated_data)


class TreatmentActionSerializer(
    OwnerInOrganisationMixin, ModelCleanMixin, serializers.ModelSerializer
):
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
        if self.instance is None and not can_add_child(
            self.context["request"].user, TreatmentAction, value
        ):
            # A risk the user reads but adds no action to (a joint risk's are the lead's).
            raise PermissionDenied
        return value

    def _organisation(self) -> Organisation | None:
        """The organisation of the action's risk: the stored one, or the one the body names."""
        risk = (
            self.instance.risk
            if self.instance is not None
            else _valid_or_none(self.fields["risk"], self.initial_data.get("risk"))
        )
        return risk.organisation if risk is not None else None

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        candidate = copy.copy(self.instance) if self.instance is not None else TreatmentAction()
        for key, value in attrs.items():
            setattr(candidate, key, value)
        try:
            treatment_action_validate(action=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_rule_messages(self, error.error_dict)) from None
        return attrs


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
    consequence_dimensions = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsequenceDimension.choices),
        required=False,
        allow_empty=True,
    )

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
            "consequence_dimensions",
            "colour_low",
            "colour_medium",
            "colour_high",
            "colour_critical",
        ]

    def validate_consequence_dimensions(self, value: list[str]) -> list[str]:
        return [dimension for dimension in ConsequenceDimension.values if dimension in value]
