"""The incident register as an ``.xlsx`` workbook: the list's incidents, filtered like the
list, with their classification and each reporting clock, written by the register's own
streaming writer (``risks.importexport.xlsx``) with spreadsheet formulas neutralised.

An export only: the workbook is not read back. Headers and choices are in the reader's
language; times are Copenhagen's, as the pages show them."""

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Field, Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from incidents.clocks import COPENHAGEN
from incidents.models import Incident
from incidents.reporting_rules import DeadlineKind
from incidents.selectors import with_submissions
from portal.access import Action
from risks.importexport.exporting import neutralise
from risks.importexport.xlsx import DATETIME_FORMAT, write_xlsx
from risks.models import Asset, CriticalFunction

#: Characters an .xlsx cell cannot hold (XML 1.0); removed.
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")

#: The exported file's name, without its suffix.
FILE_NAME = "haendelsesregister"

#: The incident's own columns: field names, in the order written.
FIELDS = (
    "id",
    "organisation",
    "title",
    "description",
    "category",
    "severity",
    "status",
    "detected_at",
    "aware_at",
    "owner",
    "supplier",
    "suspected_malicious",
    "cross_border",
    "personal_data",
    "personal_data_categories",
    "data_subjects_approx",
    "records_approx",
    "nis2_significant",
    "nis2_reason",
    "gdpr_breach",
    "gdpr_exception_unlikely_risk",
    "gdpr_exception_reason",
    "gdpr_art34_communication",
    "affected_systems",
    "critical_functions",
)
#: Column widths (characters), by field; 14 otherwise.
WIDTHS = {
    "title": 44,
    "description": 60,
    "organisation": 22,
    "nis2_reason": 40,
    "gdpr_exception_reason": 40,
    "personal_data_categories": 30,
    "affected_systems": 40,
    "critical_functions": 32,
    "detected_at": 17,
    "aware_at": 17,
    "owner": 24,
    "supplier": 24,
}


def _field(name: str) -> Field:
    field = Incident._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def headers() -> list[str]:
    """The header row: the fields' names, then the due and submission times of each clock,
    then the clocks overdue now."""
    names = ["ID" if name == "id" else capfirst(str(_field(name).verbose_name)) for name in FIELDS]
    for kind in DeadlineKind:
        names += [
            _("%(clock)s: due") % {"clock": kind.label},
            _("%(clock)s: submitted") % {"clock": kind.label},
        ]
    return [*names, _("Overdue reporting clocks")]


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(COPENHAGEN) if moment is not None else None


def _text(value: str) -> str:
    """A text cell: characters XML cannot hold removed, a formula start neutralised."""
    return neutralise(_ILLEGAL_XML.sub("", value)) if value else value


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _rows(incidents: QuerySet[Incident], now: datetime) -> Iterator[list[Any]]:
    yes, no = _("Yes"), _("No")

    def flag(value: bool) -> str:
        return yes if value else no

    for incident in incidents:
        clocks = {deadline.kind: deadline for deadline in incident.deadlines(now)}
        row: list[Any] = [
            incident.pk,
            str(incident.organisation),
            _text(incident.title),
            _text(incident.description),
            str(incident.get_category_display()),
            str(incident.get_severity_display()),
            str(incident.get_status_display()),
            _local(incident.detected_at),
            _local(incident.aware_at),
            _person(incident.owner),
            _text(incident.supplier),
            flag(incident.suspected_malicious),
            flag(incident.cross_border),
            flag(incident.personal_data),
            _text(incident.personal_data_categories),
            incident.data_subjects_approx,
            incident.records_approx,
            flag(incident.nis2_significant),
            _text(incident.nis2_reason),
            flag(incident.gdpr_breach),
            flag(incident.gdpr_exception_unlikely_risk),
            _text(incident.gdpr_exception_reason),
            flag(incident.gdpr_art34_communication),
            _text(", ".join(asset.name for asset in incident.affected_systems.all())),
            _text(", ".join(function.name for function in incident.critical_functions.all())),
        ]
        for kind in DeadlineKind:
            deadline = clocks.get(kind)
            row += [
                _local(deadline.due_at) if deadline else None,
                _local(deadline.submitted_at) if deadline else None,
            ]
        row.append(", ".join(str(d.label) for d in clocks.values() if d.overdue))
        yield row


def export_incidents(
    *,
    queryset: QuerySet[Incident],
    user: AbstractBaseUser | AnonymousUser | None,
    now: datetime | None = None,
) -> bytes:
    """The incidents of ``queryset`` (already restricted to what ``user`` may see) as an
    ``.xlsx`` workbook, in the queryset's order. The systems and critical functions named are
    those ``user`` may see. Four queries, whatever the number of incidents."""
    now = now or timezone.now()
    assets = Prefetch(
        "affected_systems",
        queryset=Asset.objects.restrict(user, Action.VIEW).order_by("name", "pk"),
    )
    functions = Prefetch(
        "critical_functions",
        queryset=CriticalFunction.objects.restrict(user, Action.VIEW).order_by("name", "pk"),
    )
    incidents = with_submissions(
        queryset.select_related("organisation", "owner")
        .prefetch_related(assets)
        .prefetch_related(functions)
    )
    return write_xlsx(
        sheet_title=_("Incidents"),
        headers=headers(),
        rows=_rows(incidents, now),
        widths=[WIDTHS.get(name, 14) for name in FIELDS] + [17] * (2 * len(DeadlineKind)) + [30],
        creator="Cyberrobusthedsportalen",
        datetime_format=DATETIME_FORMAT,
    )
