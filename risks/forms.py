from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import VersionedModelForm
from portal.models import Organisation
from risks.models import Asset


class AssetForm(VersionedModelForm):
    class Meta:
        model = Asset
        fields = [
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
        widgets = {
            "end_of_support": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "shared_with": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = Organisation.objects.filter(kind=Organisation.Kind.REGION)
        self.fields["organisation"].queryset = regions
        self.fields["shared_with"].queryset = regions
        if self.instance.pk is not None:
            # Moving an asset to another region is not an edit; it would leak its history.
            self.fields["organisation"].disabled = True

    def clean(self) -> dict:
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        shared_with = cleaned.get("shared_with")
        if organisation and shared_with and organisation in shared_with:
            self.add_error("shared_with", _("An asset cannot be shared with its own organisation."))
        return cleaned
