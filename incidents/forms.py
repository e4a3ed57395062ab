from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    INCIDENT_FIELDS,
    Incident,
    IncidentSubmission,
    SectorIncident,
    SectorIncidentStatus,
)
from incidents.services import incident_submission_record
from incidents.timeline import incident_save
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin, VersionedModelForm
from portal.integer_bounds import integer_key
from portal.models import Organisation
from risks.models import Asset, CriticalFunction

#: Copenhagen wall-clock time to the minute (the form's time zone is the user's, by default
#: Europe/Copenhagen); a time the change of daylight saving time skips or repeats is refused.
_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_TEXT = forms.Textarea(attrs={"rows": 3})


def _choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class IncidentForm(VersionedModelForm):
    """The register's incident form: the facts, the classification that starts the clocks,
    and the people and systems involved — all of the incident's own region."""

    class Meta:
        model = Incident
        fields = INCIDENT_FIELDS
        widgets = {
            "detected_at": _MOMENT,
            "aware_at": _MOMENT,
            "description": _TEXT,
            "personal_data_categories": forms.Textarea(attrs={"rows": 2}),
            "nis2_reason": forms.Textarea(attrs={"rows": 2}),
            "gdpr_exception_reason": forms.Textarea(attrs={"rows": 2}),
            "data_subject_categories": forms.Textarea(attrs={"rows": 2}),
            "breach_nature": _TEXT,
            "breach_consequences": _TEXT,
            "breach_measures": _TEXT,
            "contact_point": forms.Textarea(attrs={"rows": 2}),
            "impact": _TEXT,
            "indicators_of_compromise": _TEXT,
            "root_cause": _TEXT,
            "mitigation": _TEXT,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisation_id = (
            self.instance.organisation_id
            or self.data.get(self.add_prefix("organisation"))
            or self.initial.get("organisation")
        )
        if isinstance(organisation_id, Organisation):
            organisation_id = organisation_id.pk
        organisation_id = integer_key(organisation_id)  # posted: anything at all
        _choice_field(self, "organisation").queryset = Organisation.objects.regions()
        if self.instance.pk is not None:
            # An incident stays in its region: moving it would hand its history to another.
            self.fields["organisation"].disabled = True
        people = get_user_model().objects.filter(is_active=True).order_by("username")
        _choice_field(self, "owner").queryset = (
            people.filter(memberships__organisation_id=organisation_id).distinct()
            if organisation_id
            else people.none()
        )
        assets = Asset.objects.order_by("kind", "name", "pk")
        functions = CriticalFunction.objects.order_by("name", "pk")
        _choice_field(self, "affected_systems").queryset = (
            assets.filter(organisation_id=organisation_id) if organisation_id else assets.none()
        )
        _choice_field(self, "critical_functions").queryset = (
            functions.filter(organisation_id=organisation_id)
            if organisation_id
            else functions.none()
        )
        self.fields["affected_systems"].widget.attrs["size"] = 10
        if not organisation_id:
            help_text = _("Choose the region and save; then the region's own can be chosen.")
            for name in ("owner", "affected_systems", "critical_functions"):
                self.fields[name].help_text = help_text

    def save(self, commit: bool = True) -> Incident:
        """Saves through ``incident_save``: a change of status or severity enters the
        incident's timeline by itself."""
        relations = {
            field.name: self.cleaned_data[field.name]
            for field in Incident._meta.many_to_many
            if field.name in self.cleaned_data
        }
        return incident_save(incident=self.instance, user=self.user, relations=relations)


class IncidentSubmissionForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.ModelForm):
    """Records a report sent for one of the incident's clocks (the incident's classification
    decides which)."""

    class Meta:
        model = IncidentSubmission
        fields = ["kind", "submitted_at", "recipient", "reference", "late_reason", "reported_text"]
        widgets = {
            "submitted_at": _MOMENT,
            "late_reason": _TEXT,
            "reported_text": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.incident = incident
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [
            *BLANK_CHOICE_DASH,
            *((clock.value, clock.label) for clock in incident.clock_kinds()),
        ]
        self.fields["late_reason"].help_text = _(
            "Needed when the submission came after the deadline (GDPR Art. 33(1))."
        )

    def save(self, commit: bool = True) -> IncidentSubmission:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        self.instance = incident_submission_record(
            incident=self.instance.incident, user=self.user, values=values
        )
        return self.instance


class SectorIncidentForm(VersionedModelForm):
    """The sector incident the TSI secretariat opens: what every region may read."""

    class Meta:
        model = SectorIncident
        fields = ["title", "description", "supplier", "shared_system", "opened_at", "status"]
        widgets = {"opened_at": _MOMENT, "description": forms.Textarea(attrs={"rows": 5})}


class IncidentSectorLinkForm(VersionedModelForm):
    """The region's decision to link its incident to a sector incident (or to undo it): an
    open sector incident, or the one it is linked to already."""

    class Meta:
        model = Incident
        fields = ["sector_incident"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = _choice_field(self, "sector_incident")
        linked = self.instance.sector_incident_id
        field.queryset = SectorIncident.objects.filter(
            Q(status=SectorIncidentStatus.OPEN) | Q(pk=linked or 0)
        ).order_by("-opened_at", "-pk")
        field.empty_label = _("Not linked to a sector incident")

    def save(self, commit: bool = True) -> Incident:
        return incident_save(incident=self.instance, user=self.user)
