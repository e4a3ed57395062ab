import copy

from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from portal.access import Action
from portal.access.choices import scope_choices
from portal.models import Organisation


def scope_related_fields(serializer: serializers.BaseSerializer, *, user) -> None:
    """Narrow every writable related field of ``serializer`` (and of the serializers nested
    in it) to what ``user`` may choose (``portal.access.choices``): the browsable API's
    forms list nothing else, and a body naming another region's object is answered as if
    that object did not exist."""
    if not isinstance(serializer, serializers.Serializer):
        return  # a list of objects is only ever read; its create form is a serializer of one
    meta = getattr(serializer, "Meta", None)
    model = getattr(meta, "model", None)
    creating = serializer.instance is None
    writing = Action.ADD if creating else Action.CHANGE
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        if isinstance(relation, RelatedField) and relation.queryset is not None:
            relation.queryset = scope_choices(
                relation.queryset,
                user=user,
                model=model,
                field_name=field.source or name,
                writing=writing,
                instance=None if creating else serializer.instance,
            )
        elif isinstance(field, serializers.BaseSerializer):
            scope_related_fields(field, user=user)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class AuditEntrySerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    region = serializers.CharField(
        allow_blank=True, help_text="The region the change was made for (a joint risk's)."
    )
    action = serializers.CharField(source="action_label")
    changes = FieldChangeSerializer(many=True)


class OrganisationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="slug"
    )
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "url",
            "slug",
            "name",
            "name_da",
            "name_en",
            "name_en_in_text",
            "short_name",
            "kind",
            "description",
        ]
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
