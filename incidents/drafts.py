"""Notification drafts: for each reporting stage of an incident, the text to copy into the
official form (virk.dk for NIS2, Datatilsynet's form for a personal data breach) and the same
as a PDF.

A stage's draft holds exactly the incident's fields the stage's report asks for (``fields``
of the stage in ``reference/reporting_deadlines.yaml``), in that order, and says which of
them are still empty. The portal sends nothing to any authority: the region copies the text
into the form and records the submission, which keeps the draft's text as its frozen copy
unless another text is given (``incidents.services.incident_submission_record``).
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from incidents.clocks import COPENHAGEN, Deadline
from incidents.models import Incident
from incidents.reporting_rules import DeadlineKind, stage_rules

STATIC_DIR = Path(settings.BASE_DIR) / "static"

#: The languages a draft is written in (the portal's own).
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class DraftField:
    """One of the stage's fields: its label, its value as the draft writes it, and whether
    it is still empty on the incident (a yes/no or a choice is always answered)."""

    name: str
    label: str
    value: str
    missing: bool
    #: Free text: written as a block under its label rather than after it.
    block: bool


@dataclass(frozen=True)
class Draft:
    """The notification draft of one stage of an incident, in one language."""

    incident: Incident
    kind: DeadlineKind
    language: str
    title: str
    fields: tuple[DraftField, ...]
    deadline: Deadline | None
    text: str

    @property
    def missing(self) -> list[DraftField]:
        """The stage's fields the incident has not filled in yet."""
        return [field for field in self.fields if field.missing]


class UnknownStage(LookupError):
    """The incident's classification runs no such clock."""


def stage_fields(kind: DeadlineKind) -> tuple[models.Field, ...]:
    """The incident's fields the stage's report holds, from the reference file. Raises
    ``ValueError`` when the file names a field the incident does not have."""
    names = stage_rules()[kind].fields
    found = {field.name: field for field in Incident._meta.get_fields() if field.concrete}
    unknown = [name for name in names if name not in found]
    if unknown:
        raise ValueError(f"{kind}: the incident has no field {', '.join(unknown)}")
    return tuple(found[name] for name in names)


def every_draft_field() -> set[str]:
    """The names of every field any stage's draft holds."""
    return {name for kind in DeadlineKind for name in stage_rules()[kind].fields}


def _moment(value: datetime) -> str:
    return date_format(localtime(value, COPENHAGEN), "DATETIME_FORMAT")


def _field(incident: Incident, field: models.Field) -> DraftField:
    value = getattr(incident, field.attname)
    label = str(field.verbose_name)
    label = label[:1].upper() + label[1:]
    block = isinstance(field, models.TextField)
    if isinstance(field, models.BooleanField):
        return DraftField(field.name, label, _("Yes") if value else _("No"), False, block)
    if field.choices:
        shown = str(dict(field.flatchoices).get(value, value or ""))
        return DraftField(field.name, label, shown, not shown, block)
    if value is None or (isinstance(value, str) and not value.strip()):
        return DraftField(field.name, label, "", True, block)
    if isinstance(value, int):
        shown = number_format(value, force_grouping=True)
        return DraftField(field.name, label, shown, False, block)
    return DraftField(field.name, label, str(value).strip(), False, block)


def _text(incident: Incident, title: str, fields, deadline: Deadline | None) -> str:
    lines = [
        f"{_('Draft')}: {title}",
        f"{_('Incident')}: {incident.title}",
        f"{_('Region')}: {incident.organisation}",
        f"{_('Detected at')}: {_moment(incident.detected_at)}",
        f"{_('Aware at')}: {_moment(incident.aware_at)}",
    ]
    if deadline is not None:
        lines.append(f"{_('Due')}: {_moment(deadline.due_at)}")
        if deadline.provisional:
            lines.append(
                _("At the earliest: one month after the incident notification is submitted.")
            )
    not_filled = f"[{_('not filled in')}]"
    for field in fields:
        lines.append("")
        if field.block:
            lines.append(f"{field.label}:")
            lines.extend((field.value or not_filled).splitlines())
        else:
            lines.append(f"{field.label}: {field.value or not_filled}")
    return "\n".join(lines) + "\n"


def draft_for(incident: Incident, kind: str, *, language: str | None = None) -> Draft:
    """The draft of the stage ``kind`` of ``incident`` in ``language`` (the active language
    by default). Raises ``UnknownStage`` when the incident's classification runs no such
    clock."""
    try:
        stage = DeadlineKind(kind)
    except ValueError:
        raise UnknownStage(kind) from None
    if stage not in incident.clock_kinds():
        raise UnknownStage(kind)
    language = language if language in LANGUAGES else translation.get_language()
    with translation.override(language):
        deadline = next((d for d in incident.deadlines() if d.kind == stage), None)
        fields = tuple(_field(incident, field) for field in stage_fields(stage))
        title = str(stage.label)
        return Draft(
            incident=incident,
            kind=stage,
            language=language,
            title=title,
            fields=fields,
            deadline=deadline,
            text=_text(incident, title, fields, deadline),
        )


def render_html(draft: Draft) -> str:
    """The draft as the PDF's HTML, classified confidential like the incident."""
    with translation.override(draft.language):
        return render_to_string(
            "incidents/pdf/draft.html",
            {
                "draft": draft,
                "incident": draft.incident,
                "classification": _("Confidential"),
                "stylesheet": "css/print.css",
                "generated": localtime(timezone.now(), COPENHAGEN),
            },
        )


def render_pdf(draft: Draft) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(draft), base_url=str(STATIC_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", pdf_tags=True
    )


def download_name(draft: Draft) -> str:
    """The PDF's file name: the incident's number, the stage and the language."""
    return f"incident-{draft.incident.pk}-{draft.kind.replace('_', '-')}-{draft.language}.pdf"
