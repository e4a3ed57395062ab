from django import forms
from django.utils.translation import gettext_lazy as _

from capabilities.models import MATURITY_LEVELS, MaturityAssessment
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin

LEVEL_CHOICES = [(level, f"{level} – {label}") for level, label in MATURITY_LEVELS.items()]


class StartAssessmentForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.Form):
    creates = MaturityAssessment

    organisation = forms.ModelChoiceField(queryset=None, label=_("Region"))
    period = forms.CharField(label=_("Period"), max_length=7, help_text=_("e.g. 2026-H1"))

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class EntryForm(DesignSystemFormMixin, forms.Form):
    """One capability's row in the assessment form."""

    capability = forms.IntegerField(widget=forms.HiddenInput)
    current_level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES, coerce=int, label=_("Current level")
    )
    target_level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES, coerce=int, label=_("Target level")
    )
    evidence = forms.CharField(
        required=False, label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2})
    )
    comment = forms.CharField(
        required=False, label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2})
    )


EntryFormSet = forms.formset_factory(EntryForm, extra=0)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(DesignSystemFormMixin, forms.Form):
    """The confirmation step before a campaign is submitted or approved: the box must be
    ticked (no script needed), and the version read guards against a stale page."""

    confirm = forms.BooleanField(required=True)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, confirm_label, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = confirm_label
        self.fields["confirm"].error_messages["required"] = _("Tick the box to confirm, or cancel.")


class ReopenForm(DesignSystemFormMixin, forms.Form):
    """Reopening a submitted campaign: why (recorded in the campaign and its history)."""

    reason = forms.CharField(
        label=_("Reason for reopening"),
        help_text=_("Recorded in the campaign's history, e.g. what must be corrected."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
