"""The forms of an incident's timeline and lessons learned (``incidents.timeline``)."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import WRITTEN_KINDS, Incident, IncidentRiskLink, IncidentTimelineEntry
from incidents.timeline import (
    lesson_errors,
    lesson_risk_create,
    lesson_risk_link,
    timeline_entry_add,
)
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin
from risks.forms import RiskForm
from risks.models import Risk

#: Copenhagen wall-clock time to the minute, as the incident form has it.
_MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _members_of(incident: Incident):
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organisation_id=incident.organisation_id)
        .distinct()
        .order_by("username")
    )


class TimelineEntryForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.ModelForm):
    """A person's entry in the incident's timeline; an action has an owner of the region and
    a due date."""

    class Meta:
        model = IncidentTimelineEntry
        fields = ["kind", "occurred_at", "text", "owner", "due"]
        widgets = {
            "occurred_at": _MOMENT,
            "text": forms.Textarea(attrs={"rows": 3}),
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.instance.incident = incident
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [*BLANK_CHOICE_DASH, *((k.value, k.label) for k in WRITTEN_KINDS)]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = _members_of(incident)
        owner.help_text = _("For an action: who sees to it.")
        self.fields["due"].help_text = _("For an action: by when.")

    def save(self, commit: bool = True) -> IncidentTimelineEntry:
        values = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        values["text"] = values["text"] or ""
        self.instance = timeline_entry_add(
            incident=self.instance.incident, user=self.user, values=values
        )
        return self.instance


class LessonLinkForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.ModelForm):
    """Links a risk already in the register — of the incident's own region — as a lesson."""

    class Meta:
        model = IncidentRiskLink
        fields = ["risk"]

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.incident = incident
        risk = self.fields["risk"]
        assert isinstance(risk, forms.ModelChoiceField)
        # The region's own risks (a risk another region shares with it is not its lesson).
        risk.queryset = (
            Risk.objects.filter(organisation_id=incident.organisation_id)
            .exclude(incident_links__incident=incident)
            .order_by("title", "pk")
        )
        risk.label = _("Risk of the region")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for error in lesson_errors(self.instance.incident):
            self.add_error(None, error)
        return cleaned

    def save(self, commit: bool = True) -> IncidentRiskLink:
        self.instance = lesson_risk_link(
            incident=self.instance.incident, risk=self.cleaned_data["risk"], user=self.user
        )
        return self.instance


class LessonRiskForm(RiskForm):
    """A new risk of the incident's region, filled in from the incident, linked to it as a
    lesson once saved."""

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        self.incident = incident
        kwargs["instance"] = Risk(organisation=incident.organisation)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("title", incident.title)
        initial.setdefault("description", incident.description)
        initial.setdefault("assets", list(incident.affected_systems.values_list("pk", flat=True)))
        # Håndtere: the discipline an incident tests (read through the risk's own field, so
        # that the incidents do not import the floor below the registers).
        discipline = Risk._meta.get_field("discipline").related_model
        respond = discipline._default_manager.filter(code="respond").first()
        if respond is not None:
            initial.setdefault("discipline", respond.pk)
        super().__init__(*args, **kwargs)
        self.fields["organisation"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for error in lesson_errors(self.incident):
            self.add_error(None, error)
        return cleaned

    def save(self, commit: bool = True) -> Risk:
        values = {name: self.cleaned_data[name] for name in self._meta.fields or ()}
        self.instance = lesson_risk_create(incident=self.incident, user=self.user, values=values)
        return self.instance
