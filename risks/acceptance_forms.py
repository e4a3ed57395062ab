"""The forms of the acceptance criteria's pages and of accepting a risk."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from risks.models import AcceptanceCriteria, Level

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

RULE_FIELDS = [
    f"{level}_{part}"
    for level in Level.values
    for part in ("acceptor", "max_months", "review_months")
]


class AcceptanceCriteriaForm(forms.ModelForm):
    """A new version as the CISO prepares it: per level who may accept, for how long at
    most, and the longest time between revurderinger."""

    class Meta:
        model = AcceptanceCriteria
        fields = [*RULE_FIELDS, "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for level in Level:
            for part in ("acceptor", "max_months", "review_months"):
                field = self.fields[f"{level.value}_{part}"]
                field.label = format_lazy("{}: {}", level.label, field.label)
        self.fields["note"].help_text = _("Why the criteria change, for the direktion.")

    def _post_clean(self) -> None:
        # The number and the organisation are the service's: check the rules only.
        try:
            self.instance.clean()
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


class ApprovalForm(forms.Form):
    approval_reference = forms.CharField(
        label=_("The direktion's decision"),
        max_length=300,
        help_text=_("Where the direktion decided it, e.g. the meeting and the item."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RiskAcceptForm(forms.Form):
    acceptance_reason = forms.CharField(
        label=_("Reason for acceptance"), widget=forms.Textarea(attrs={"rows": 3})
    )
    acceptance_expires_on = forms.DateField(
        label=_("Acceptance expires on"),
        required=False,
        widget=_DATE,
        help_text=_(
            "Leave empty for the longest the region's acceptance criteria allow, or choose an "
            "earlier date."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
