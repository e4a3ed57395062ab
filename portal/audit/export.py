"""The audit trail for an auditor: every entry of a period with who, when and what changed,
as CSV (one row an entry, the changes as JSON) or JSON Lines (one object a line)."""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.db.models import QuerySet
from django.utils import timezone

from portal.audit.trail import recording

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from portal.models import Organisation

COLUMNS = [
    "id",
    "timestamp",
    "actor",
    "actor_email",
    "remote_addr",
    "action",
    "object_type",
    "object_id",
    "object",
    "changes",
]
ACTIONS = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}
#: A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = tuple("=+-@\t\r＝＋－＠")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def entries_of(organisation: "Organisation | None") -> QuerySet[LogEntry]:
    """The whole trail (``None``), or one organisation's: the entries that record it —
    the changes of its data and the reads of its material (``additional_data``)."""
    entries: QuerySet[LogEntry] = LogEntry.objects.all()
    if organisation is None:
        return entries
    return entries.filter(recording(organisation.pk))


def entries_between(
    entries: QuerySet[LogEntry], *, start: date | None, end: date | None
) -> QuerySet[LogEntry]:
    """Entries from the start of ``start`` to the end of ``end`` (both days included)."""
    if start is not None:
        entries = entries.filter(timestamp__gte=_start_of(start))
    if end is not None:
        entries = entries.filter(timestamp__lt=_start_of(end + timedelta(days=1)))
    return entries.select_related("actor", "content_type").order_by("timestamp", "pk")


def export_rows(entries: QuerySet[LogEntry]) -> Iterator[dict[str, Any]]:
    for entry in entries.iterator(chunk_size=2000):
        yield {
            "id": entry.pk,
            "timestamp": timezone.localtime(entry.timestamp).isoformat(),
            "actor": entry.actor.get_username() if entry.actor else None,
            "actor_email": entry.actor_email or None,
            "remote_addr": entry.remote_addr,
            "action": ACTIONS.get(entry.action, str(entry.action)),
            "object_type": f"{entry.content_type.app_label}.{entry.content_type.model}",
            "object_id": entry.object_pk,
            "object": entry.object_repr,
            "changes": entry.changes_dict,
        }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object whose ``write`` hands back the line (csv.writer into a generator)."""

    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow([_cell(row[column]) for column in COLUMNS])


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


LINES = {"csv": csv_lines, "jsonl": jsonl_lines}
FORMATS = tuple(LINES)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def write_export(entries: QuerySet[LogEntry], fmt: str, stream: "SupportsWrite[str]") -> None:
    for line in LINES[fmt](export_rows(entries)):
        stream.write(line)
