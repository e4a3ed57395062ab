from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.api.serializers import OrganisationSlugField
from portal.models import Organisation
from risks.models import Asset


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
