from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from initiatives.models import (
    Deliverable,
    Initiative,
    Milestone,
    RegionalImplementation,
    StatusUpdate,
    WorkingGroup,
)
from initiatives.models.status_update import explanation_errors
from initiatives.services import strategy_periods
from portal.forms import DesignSystemFormMixin, VersionedModelForm

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InitiativeForm(VersionedModelForm):
    class Meta:
        model = Initiative
        fields = [
            "description_da",
            "description_en",
            "lead_organisation",
            "working_group",
            "start_date",
            "end_date",
            "objectives",
            "objectives_confirmed",
        ]
        widgets = {
            "start_date": _DATE,
            "end_date": _DATE,
            "objectives": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, may_assign_group: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_assign_group:
            # Moving an initiative to another group moves edit rights, and which objectives it
            # serves is the strategy's reading: both the secretariat's call.
            for name in ("working_group", "objectives", "objectives_confirmed"):
                del self.fields[name]
        else:
            self.fields["objectives"].queryset = self.fields["objectives"].queryset.filter(
                strategy=self.instance.strategy_id
            )


class StatusUpdateForm(DesignSystemFormMixin, forms.ModelForm):
    """A new status update; carries the initiative's version. Its texts start empty: the
    latest update is shown beside the form to read, not copied in as if new."""

    initiative_version = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.ChoiceField(label=_("Period"))

    class Meta:
        model = StatusUpdate
        fields = [
            "period",
            "status",
            "rag",
            "progress",
            "narrative",
            "achievements",
            "next_steps",
            "blockers",
        ]
        widgets = {
            "rag": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 4}),
            "achievements": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "blockers": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, initiative: Initiative, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initiative = initiative
        periods = strategy_periods(initiative.strategy)
        self.fields["period"].choices = [(p.label, p.name) for p in reversed(periods)]
        self.fields["rag"].choices = [choice for choice in self.fields["rag"].choices if choice[0]]
        self.fields["progress"].widget.attrs.update(min=0, max=100)
        for name in ("narrative", "next_steps"):
            self.fields[name].help_text = _("Required when the status is amber or red.")
        if not self.is_bound:
            self.fields["initiative_version"].initial = initiative.version

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("rag"):
            for field, message in explanation_errors(
                rag=cleaned["rag"],
                narrative=cleaned.get("narrative", ""),
                next_steps=cleaned.get("next_steps", ""),
            ).items():
                self.add_error(field, message)
        return cleaned

    def _post_clean(self) -> None:
        # The service validates the update as a whole (periods of the strategy, model rules)
        # and its errors are put on the fields by the view.
        pass


class MilestoneForm(VersionedModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due", "done_on"]
        widgets = {"due": _DATE, "done_on": _DATE}

    def __init__(self, *args, initiative: Initiative, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.initiative = initiative
        start, end = initiative.planned_period()
        self.fields["due"].help_text = _("Within the initiative's period, %(start)s – %(end)s.") % {
            "start": date_format(start, "SHORT_DATE_FORMAT"),
            "end": date_format(end, "SHORT_DATE_FORMAT"),
        }


class DeliverableForm(VersionedModelForm):
    evidence_url = forms.URLField(
        label=_("Evidence link"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Deliverable
        fields = [
            "working_group",
            "initiative",
            "title",
            "description",
            "due",
            "status",
            "delivered_on",
            "evidence_url",
        ]
        widgets = {"due": _DATE, "delivered_on": _DATE}

    def __init__(self, *args, groups=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["working_group"].queryset = groups
        self.fields["initiative"].queryset = Initiative.objects.select_related("strategy")
        if self.instance.pk is not None:
            self.fields["working_group"].disabled = True


class WorkingGroupForm(VersionedModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["name_da", "name_en", "kind", "description", "topics", "active_from", "active_to"]
        widgets = {
            "active_from": _DATE,
            "active_to": _DATE,
            "topics": forms.Textarea(attrs={"rows": 5}),
        }


class RegionalImplementationForm(VersionedModelForm):
    class Meta:
        model = RegionalImplementation
        fields = ["status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
