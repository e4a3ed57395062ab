import copy

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils.formats import date_format
from django.utils.text import capfirst, format_lazy
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from portal.forms import ScopedChoicesMixin, VersionedModelForm
from portal.integer_bounds import integer_key
from portal.models import Organisation
from portal.widgets import SearchSelectFormMixin, SearchSelectMultiple
from risks.models import (
    DIMENSION_FIELDS,
    Asset,
    AttackSurfaceProfile,
    CriticalFunction,
    Risk,
    RiskMatrix,
    TreatmentAction,
)
from risks.models.dimension import ConsequenceDimension, dimension_field
from risks.models.profile import DERIVED_FIGURES, PROFILE_FIGURES
from risks.services import (
    NOT_FOUND,
    asset_sharing_validate,
    joint_owner_choices,
    risk_create,
    risk_update,
    risk_validate,
    treatment_action_validate,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_RELATIONS = ("assets", "initiatives", "capabilities")


def add_rule_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put the register's rule errors on the form's fields. An object outside the risk's
    organisation gets the field's own "not a valid choice" message — the answer for one
    that does not exist."""
    for name, errors in error.error_dict.items():
        field = form.fields.get(name)
        for item in errors:
            if item.code == NOT_FOUND and field is not None:
                item = ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params=item.params,
                )
            form.add_error(name if field is not None else None, item)


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
        widgets = {"end_of_support": _DATE, "shared_with": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = Organisation.objects.regions()
        self.fields["organisation"].queryset = regions
        self.fields["shared_with"].queryset = regions
        if self.instance.pk is not None:
            # Moving an asset to another region is not an edit; it would leak its history.
            self.fields["organisation"].disabled = True

    def clean(self) -> dict:
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        try:
            asset_sharing_validate(
                organisation_id=organisation.pk if organisation else None,
                shared_with_ids=[region.pk for region in cleaned.get("shared_with") or ()],
                asset_id=self.instance.pk,
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


def risk_asset_choices(organisation_id: int | None) -> QuerySet[Asset]:
    """The assets a risk of the organisation may name, before the permission layer narrows
    them to the user's (the risk form's field and its search endpoint alike)."""
    assets = Asset.objects.order_by("name", "pk")
    return assets.filter(organisation_id=organisation_id) if organisation_id else assets.none()


def _members_of(organisation_id: int | None):
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if organisation_id is None:
        return users.none()
    return users.filter(memberships__organisation_id=organisation_id).distinct()


#: Where the threats come from, said wherever one is chosen.
THREAT_CATALOGUE_NOTE = _(
    "The portal's threat catalogue, in its own words, drawn from the CFCS threat assessment "
    "the strategy quotes; the TSI secretariat extends it."
)


class RiskForm(SearchSelectFormMixin, VersionedModelForm):
    """The register's risk form. Scores and levels are not fields: they follow from the
    likelihood × consequence ratings and the region's matrix. The consequence dimensions the
    matrix has switched on are fields, on its consequence scale; when one is scored, the
    inherent consequence is the highest of them (``Risk.follow_dimensions``)."""

    class Meta:
        model = Risk
        fields = [
            "organisation",
            "title",
            "description",
            "threat",
            "attack_surface",
            "vulnerability",
            "assets",
            "discipline",
            "inherent_likelihood",
            *DIMENSION_FIELDS,
            "inherent_consequence",
            "residual_likelihood",
            "residual_consequence",
            "owner",
            "status",
            "treatment",
            "acceptance_reason",
            "acceptance_expires_on",
            "next_review",
            "initiatives",
            "capabilities",
        ]
        widgets = {
            "next_review": _DATE,
            "acceptance_expires_on": _DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "vulnerability": forms.Textarea(attrs={"rows": 3}),
            "acceptance_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, matrix: RiskMatrix | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["threat"].help_text = THREAT_CATALOGUE_NOTE
        organisation_id = (
            self.instance.organisation_id
            or self.data.get(self.add_prefix("organisation"))
            or self.initial.get("organisation")
        )
        if isinstance(organisation_id, Organisation):
            organisation_id = organisation_id.pk
        organisation_id = integer_key(organisation_id)  # posted: anything at all
        if self.instance.pk is not None:
            self.fields["organisation"].disabled = True
        self.fields["organisation"].queryset = Organisation.objects.regions()
        self.fields["owner"].queryset = (
            _members_of(organisation_id)
            if organisation_id
            else (
                get_user_model()
                .objects.filter(memberships__isnull=False)
                .distinct()
                .order_by("username")
            )
        )
        # A region has some 1,500 assets: the form shows the chosen ones and searches the rest.
        self.fields["assets"].widget = SearchSelectMultiple(
            search_url=reverse_lazy("risks:asset_search"), attrs={"class": "form-input"}
        )
        self.fields["assets"].queryset = risk_asset_choices(organisation_id)
        if matrix is not None:
            for prefix in ("inherent", "residual"):
                self.fields[f"{prefix}_likelihood"] = forms.TypedChoiceField(
                    label=self.fields[f"{prefix}_likelihood"].label,
                    coerce=int,
                    choices=[
                        (i, f"{i} – {label}") for i, label in enumerate(matrix.likelihood_labels, 1)
                    ],
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
                self.fields[f"{prefix}_consequence"] = forms.TypedChoiceField(
                    label=self.fields[f"{prefix}_consequence"].label,
                    coerce=int,
                    choices=[
                        (i, f"{i} – {label}")
                        for i, label in enumerate(matrix.consequence_labels, 1)
                    ],
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
        self._dimension_fields(matrix)

    def _dimension_fields(self, matrix: RiskMatrix | None) -> None:
        """The dimensions the matrix has switched on, on its consequence scale (without a
        matrix — no region chosen yet — every dimension, as numbers). A dimension switched
        off is left out; a score it holds stays, and no longer counts."""
        enabled = matrix.dimensions if matrix is not None else list(ConsequenceDimension.values)
        for dimension in ConsequenceDimension.values:
            name = dimension_field(dimension)
            if dimension not in enabled:
                del self.fields[name]
                continue
            if matrix is not None:
                self.fields[name] = forms.TypedChoiceField(
                    label=self.fields[name].label,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    choices=[
                        ("", _("Not scored")),
                        *(
                            (i, f"{i} – {label}")
                            for i, label in enumerate(matrix.consequence_labels, 1)
                        ),
                    ],
                    widget=forms.Select(attrs={"class": "form-select"}),
                )
        consequence = self.fields["inherent_consequence"]
        if enabled:
            # The rule asks for it when no dimension is scored.
            consequence.required = False
            if isinstance(consequence, forms.TypedChoiceField):
                consequence.empty_value = None
            consequence.help_text = _(
                "Set by the highest consequence dimension when one is scored."
            )

    @property
    def dimension_names(self) -> list[str]:
        """The form's dimension fields, for the template's group."""
        return [name for name in DIMENSION_FIELDS if name in self.fields]

    def clean(self) -> dict:
        cleaned = super().clean()
        organisation = (
            self.instance.organisation
            if self.instance.organisation_id
            else cleaned.get("organisation")
        )
        if organisation is None:
            return cleaned
        candidate = copy.copy(self.instance)
        for name, value in cleaned.items():
            if name in self._meta.fields and name not in _RELATIONS:
                setattr(candidate, name, value)
        try:
            risk_validate(
                risk=candidate,
                user=self.user,
                previous=self.instance if self.instance.pk is not None else None,
                assets=cleaned.get("assets"),
            )
        except ValidationError as error:
            add_rule_errors(self, error)
        return cleaned

    def save(self, commit: bool = True) -> Risk:
        """Saves through the register's service, which records or withdraws acceptances."""
        # (A region sharing a joint risk's system has no ``assets`` nor ``owner`` field.)
        values = {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields
        }
        if self.instance.pk is None:
            self.instance = risk_create(user=self.user, values=values)
        else:
            risk_update(risk=self.instance, user=self.user, values=values)
        return self.instance


class TreatmentActionForm(VersionedModelForm):
    class Meta:
        model = TreatmentAction
        fields = ["title", "owner", "due", "status", "done_on"]
        widgets = {"due": _DATE, "done_on": _DATE}

    def __init__(self, *args, risk: Risk, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.risk = risk
        self.fields["owner"].queryset = _members_of(risk.organisation_id)
        if risk.created_at is not None:
            self.fields["done_on"].help_text = _(
                "Not in the future, nor before the risk was recorded (%(date)s)."
            ) % {"date": date_format(localtime(risk.created_at).date(), "SHORT_DATE_FORMAT")}

    def clean(self) -> dict:
        cleaned = super().clean()
        candidate = copy.copy(self.instance)
        candidate.owner = cleaned.get("owner")
        try:
            treatment_action_validate(action=candidate)
        except ValidationError as error:
            add_rule_errors(self, error)
        return cleaned


class CriticalFunctionForm(SearchSelectFormMixin, VersionedModelForm):
    class Meta:
        model = CriticalFunction
        fields = ["organisation", "name", "description", "systems"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.regions()
        organisation_id = integer_key(
            self.instance.organisation_id or self.data.get("organisation")
        )
        self.fields["systems"].widget = SearchSelectMultiple(
            search_url=format_lazy(
                "{}?kind={}", reverse_lazy("risks:asset_search"), Asset.Kind.SYSTEM.value
            ),
            attrs={"class": "form-input"},
        )
        self.fields["systems"].queryset = risk_asset_choices(organisation_id).filter(
            kind=Asset.Kind.SYSTEM
        )
        if self.instance.pk is not None:
            self.fields["organisation"].disabled = True


class RiskMatrixForm(VersionedModelForm):
    """Labels are edited one per line; thresholds and colours as numbers and #rrggbb."""

    likelihood_labels_da = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Likelihood labels (Danish), one per line"),
    )
    likelihood_labels_en = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Likelihood labels (English), one per line"),
    )
    consequence_labels_da = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Consequence labels (Danish), one per line"),
    )
    consequence_labels_en = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Consequence labels (English), one per line"),
    )
    consequence_dimensions = forms.MultipleChoiceField(
        label=_("Consequence dimensions in use"),
        choices=ConsequenceDimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=RiskMatrix._meta.get_field("consequence_dimensions").help_text,
    )

    class Meta:
        model = RiskMatrix
        fields = [
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial["consequence_dimensions"] = self.instance.dimensions
        for name in (
            "likelihood_labels_da",
            "likelihood_labels_en",
            "consequence_labels_da",
            "consequence_labels_en",
        ):
            self.initial[name] = "\n".join(getattr(self.instance, name) or [])
        for name in ("colour_low", "colour_medium", "colour_high", "colour_critical"):
            self.fields[name].widget = forms.TextInput(
                attrs={"class": "form-input input-width-xs", "type": "color"}
            )

    def _labels(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data[name].splitlines() if line.strip()]

    def clean_likelihood_labels_da(self) -> list[str]:
        return self._labels("likelihood_labels_da")

    def clean_likelihood_labels_en(self) -> list[str]:
        return self._labels("likelihood_labels_en")

    def clean_consequence_labels_da(self) -> list[str]:
        return self._labels("consequence_labels_da")

    def clean_consequence_labels_en(self) -> list[str]:
        return self._labels("consequence_labels_en")

    def clean_consequence_dimensions(self) -> list[str]:
        chosen = set(self.cleaned_data["consequence_dimensions"])
        return [value for value in ConsequenceDimension.values if value in chosen]


class AttackSurfaceProfileForm(VersionedModelForm):
    lower_bounds = forms.MultipleChoiceField(
        label=_("Lower bounds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The figures that are at least this many, shown with a +."),
    )

    class Meta:
        model = AttackSurfaceProfile
        fields = ["period", *(name for name, _surface in PROFILE_FIGURES), "lower_bounds", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in DERIVED_FIGURES:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Counted from the asset inventory when saved.")
        self.fields["lower_bounds"].choices = [
            (name, capfirst(AttackSurfaceProfile._meta.get_field(name).verbose_name))
            for name, _surface in PROFILE_FIGURES
        ]

    def clean_period(self):
        """One profile per region and period: a second is a field error, not a database one.
        The region is the one being written to (set by the view before validation)."""
        period = self.cleaned_data["period"]
        organisation_id = self.instance.organisation_id
        if (
            organisation_id is not None
            and AttackSurfaceProfile.objects.filter(organisation_id=organisation_id, period=period)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise ValidationError(_("The region already has a profile for this period."))
        return period


class RiskJointForm(forms.Form):
    """Make a risk a joint assessment, or end one (``risk_joint_set``); the version is the
    copy the person saw, so that a change made meanwhile is a conflict, not overwritten."""

    joint = forms.BooleanField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class JointOwnersForm(ScopedChoicesMixin, forms.Form):
    """The risk owners a region sharing a joint risk's system names on it: the region's risk
    owners, among the people the permission layer shows the user."""

    owners = forms.ModelMultipleChoiceField(
        label=_("Risk owners who edit the risk for the region"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.organisation = organisation
        self.fields["owners"].queryset = joint_owner_choices(organisation)
        self.fields["owners"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
