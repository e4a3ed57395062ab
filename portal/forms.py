from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation

# DKFDS classes for each kind of widget, so forms look like every other Danish public form.
_WIDGET_CLASSES = {
    forms.CheckboxInput: "form-checkbox",
    forms.CheckboxSelectMultiple: "form-checkbox",
    forms.RadioSelect: "form-radio",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-input",
    forms.Textarea: "form-input",
}


class DesignSystemFormMixin:
    """Adds the design system's CSS classes to every widget."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = next(
                (css for cls, css in _WIDGET_CLASSES.items() if type(widget) is cls), "form-input"
            )
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()


class VersionedModelForm(DesignSystemFormMixin, forms.ModelForm):
    """A model form that carries the version it was read at, to detect concurrent edits."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self) -> None:
        super()._post_clean()
        version = self.cleaned_data.get("version")
        if self.instance.pk is not None and version is not None:
            # The save compares this with the row: a stale version raises ConcurrentUpdate.
            self.instance.version = version


class OrganisationForm(VersionedModelForm):
    class Meta:
        model = Organisation
        fields = ["name_da", "name_en", "short_name", "description"]


class FilterForm(DesignSystemFormMixin, forms.Form):
    """Base for the forms django-filter builds, so filters get the same look."""


SEARCH_LABEL = _("Search")
