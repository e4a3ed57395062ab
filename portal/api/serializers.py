import copy

from rest_framework import serializers

from portal.models import Organisation


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class AuditEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    action = serializers.CharField(source="action_label")
    changes = FieldChangeSerializer(many=True)


class OrganisationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="slug"
    )
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["url", "slug", "name", "name_da", "name_en", "short_name", "kind", "description"]
        read_only_fields = ["slug", "kind"]


class OrganisationSlugField(serializers.SlugRelatedField):
    """An organisation named by its slug, e.g. ``hovedstaden`` (the API's stable form)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("slug_field", "slug")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Organisation.objects.all())
        super().__init__(**kwargs)


class ModelCleanMixin:
    """Runs the model's own ``clean()`` on the would-be object, so rules written once on the
    model (e.g. "a milestone cannot be due before its initiative starts") give the API the
    same field-level errors as the forms."""

    def validate(self, attrs: dict) -> dict:
        from django.core.exceptions import ValidationError as DjangoValidationError

        attrs = super().validate(attrs)
        model = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for key, value in attrs.items():
            if not model._meta.get_field(key).many_to_many:
                setattr(candidate, key, value)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        return attrs
