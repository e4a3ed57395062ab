from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from portal.access import Action
from portal.access.choices import scope_choices
from portal.integer_bounds import bound_form_field
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
    """Adds the design system's CSS classes to every widget, and makes every field refuse
    whole numbers beyond 64 bits as a field error (``portal.integer_bounds``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bound_form_field(field)
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            # The nearest class in the widget's ancestry decides: a yes/no filter's select
            # (django-filter's BooleanWidget) looks like every other select.
            css = next(
                (_WIDGET_CLASSES[cls] for cls in type(widget).__mro__ if cls in _WIDGET_CLASSES),
                "form-input",
            )
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()


class _ScopedChoiceField:
    """Mixed into a form's own copy of a model choice field: every queryset given to it —
    by the form's declaration or later by the form's ``__init__`` ("the assets of this
    region") — is narrowed by ``scope_choices`` first, so that neither the rendered options
    nor the values accepted can reach past the permission layer."""

    scope: dict

    def _set_scoped_queryset(self, queryset) -> None:
        if queryset is not None:
            queryset = scope_choices(queryset, **self.scope)
        forms.ModelChoiceField._set_queryset(self, queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_scoped_queryset)


_SCOPED_FIELD_CLASSES: dict[type, type] = {}


def _scoped_field_class(field_class: type) -> type:
    if field_class not in _SCOPED_FIELD_CLASSES:
        _SCOPED_FIELD_CLASSES[field_class] = type(
            f"Scoped{field_class.__name__}", (_ScopedChoiceField, field_class), {}
        )
    return _SCOPED_FIELD_CLASSES[field_class]


class ScopedChoicesMixin:
    """A form whose related-object choices come from the permission layer for ``user``
    (``portal.access.choices``). Every project form with a model choice field has it (a test
    walks them); filter forms are narrowed by their FilterSet instead."""

    #: For a plain (non-model) form: the model of the objects it creates, so that its
    #: organisation field offers where the user may add them.
    creates: type[Model] | None = None

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        meta = getattr(self, "_meta", None)
        model = getattr(meta, "model", None)
        writing = None
        if model is not None:
            writing = Action.ADD if self.instance.pk is None else Action.CHANGE
        elif self.creates is not None:
            model, writing = self.creates, Action.ADD
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.__class__ = _scoped_field_class(type(field))
                field.scope = {
                    "user": user,
                    "model": model,
                    "field_name": name,
                    "writing": writing,
                    "instance": getattr(self, "instance", None),
                }
                field.queryset = field.queryset  # narrow what the declaration gave

    def full_clean(self) -> None:
        unscoped = [
            name
            for name, field in self.fields.items()
            if isinstance(field, forms.ModelChoiceField)
            and not isinstance(field, _ScopedChoiceField)
        ]
        if unscoped:
            raise ImproperlyConfigured(
                f"{type(self).__name__} added model choice fields after __init__: {unscoped}"
            )
        super().full_clean()


class VersionedModelForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.ModelForm):
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
        fields = ["name_da", "name_en", "name_en_in_text", "short_name", "description"]


class FilterForm(DesignSystemFormMixin, forms.Form):
    """Base for the forms django-filter builds, so filters get the same look."""


SEARCH_LABEL = _("Search")
