"""Forms of signing in and of the account page: a code at sign-in, the first code of a new
authenticator, a personal API token, a service account, the person's preferences."""

from datetime import datetime, time

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access import Action
from portal.auth.tokens import DEFAULT_LIFETIME, MAX_LIFETIME
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin
from portal.models import ApiToken, Organisation, Preferences


class SecondFactorForm(DesignSystemFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "input-width-s",
            }
        ),
    )


class EnrolForm(DesignSystemFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        help_text=_("The six digits the app shows after you have added the portal."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "input-width-xs",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError(_("Enter the six digits the app shows."))
        return code


def _default_token_expiry():
    return (timezone.localdate() + DEFAULT_LIFETIME).isoformat()


class ApiTokenForm(DesignSystemFormMixin, forms.Form):
    """A new personal API token: what it is for, until when, and what it may do."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Power BI, risk register”."),
    )
    expires_on = forms.DateField(
        label=_("Expires"),
        help_text=_("At most one year from today; 90 days unless you choose otherwise."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, read_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = _default_token_expiry
        if read_only:
            del self.fields["scope"]

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise ValidationError(_("The expiry must be in the future."))
        if day > today + MAX_LIFETIME:
            raise ValidationError(_("A token lives at most one year."))
        return day

    @property
    def expires_at(self):
        """The end of the chosen day, in the portal's time zone."""
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.combine(day, time.max))


class ServiceAccountForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Account name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("E.g. “powerbi.hovedstaden”. Letters, digits and @ . + - _ only."),
    )
    description = forms.CharField(label=_("Purpose"), max_length=200)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Reads the data of"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The account reads what a viewer of these organisations reads."),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.restrict(
            user, Action.VIEW
        ).order_by("name_da")


class PreferencesForm(DesignSystemFormMixin, forms.ModelForm):
    """The person's own settings on the account page: the daily digest and its language."""

    class Meta:
        model = Preferences
        fields = ["daily_digest", "language"]
