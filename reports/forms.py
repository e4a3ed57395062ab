"""The forms of the report pages: requesting a run and writing the narrative sections."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy

from initiatives.models import Strategy
from portal.access import Action
from portal.forms import DesignSystemFormMixin, ScopedChoicesMixin
from portal.models import Organisation
from reports.models import Classification, ReportKind
from reports.services import may_request, requestable_regions


class ReportRequestForm(ScopedChoicesMixin, DesignSystemFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices, label=gettext_lazy("Report"))
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=gettext_lazy("Region"),
        empty_label=gettext_lazy("The sector (all regions)"),
    )
    period = forms.CharField(
        max_length=7,
        label=gettext_lazy("Period"),
        help_text=gettext_lazy("2025, or 2026-Q3 for a quarter"),
    )
    language = forms.ChoiceField(
        choices=[("da", gettext_lazy("Danish")), ("en", gettext_lazy("English"))],
        label=gettext_lazy("Language"),
    )
    classification = forms.ChoiceField(
        choices=[("", gettext_lazy("The report's default")), *Classification.choices],
        required=False,
        label=gettext_lazy("Classification"),
        help_text=gettext_lazy(
            "The councils' appendix is public and holds no risk figures; a region's "
            "confidential edition adds its risk picture. The quarterly risk report and the "
            "sector's risk picture are always confidential."
        ),
    )
    strategy = forms.ModelChoiceField(
        queryset=Strategy.objects.none(),
        required=False,
        to_field_name="slug",
        label=gettext_lazy("Strategy"),
        empty_label=gettext_lazy("The strategy in force at the end of the period"),
        help_text=gettext_lazy(
            "The strategy whose implementation the appendix and the portfolio report show."
        ),
    )
    notify = forms.BooleanField(
        required=False, label=gettext_lazy("E-mail me a link when the report is ready")
    )

    def __init__(self, *args, user, **kwargs) -> None:
        # Its own ids: the runs' filter form on the same page has fields of the same names.
        kwargs.setdefault("auto_id", "request_%s")
        super().__init__(*args, user=user, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = requestable_regions(user)
        strategy = cast(forms.ModelChoiceField, self.fields["strategy"])
        strategy.queryset = Strategy.objects.restrict(user, Action.VIEW).order_by("-start_year")
        # Only the kinds and editions the user may request (the named action
        # ``reports.request``): the sector's edition, then each region's.
        editions: list[Organisation | None] = [None, *organisation.queryset]
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [
            (value, label)
            for value, label in ReportKind.choices
            if any(may_request(user, value, edition) for edition in editions)
        ]
        if not any(may_request(user, value, None) for value, _label in kind.choices):
            organisation.required = True
            organisation.empty_label = None
        #: Whether there is anything to request at all (else the page offers no form).
        self.offers_anything = bool(kind.choices)


class DraftForm(DesignSystemFormMixin, forms.Form):
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label=gettext_lazy("Text (Markdown)"),
        help_text=gettext_lazy("Paragraphs, **bold**, *italics*, lists and links. No HTML."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReportApprovalForm(DesignSystemFormMixin, forms.Form):
    """Approving a generated draft as final: the decision's reference and a confirmation."""

    reference = forms.CharField(
        max_length=200,
        required=False,
        label=gettext_lazy("Reference of the decision"),
        help_text=gettext_lazy(
            "E.g. the TSI meeting and agenda item; required for the sector edition."
        ),
    )
    confirm = forms.BooleanField(
        required=True,
        label=gettext_lazy(
            "I have read the draft and approve it as final. The approved report cannot be "
            "changed afterwards."
        ),
    )

    def __init__(self, *args, sector_edition: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The sector edition is approved in a TSI meeting: its reference is part of the record.
        self.fields["reference"].required = sector_edition
