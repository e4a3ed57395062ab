import getpass
from datetime import date

from auditlog.models import LogEntry
from django.core.management.base import BaseCommand, CommandError

from portal.audit.export import FORMATS, entries_between, write_export
from portal.audit.reads import record_read
from portal.models import ReadKind
from portal.rls import in_system_context


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = (
        "Export the audit trail for an auditor: who changed what, when, from what to what. "
        "Days are inclusive; without --from/--to the whole trail."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="start", type=_day, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", type=_day, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="csv")
        parser.add_argument("--output", help="file to write (default: standard output)")

    @in_system_context("audit_export: the whole trail, for an auditor")
    def handle(self, *args, start, end, fmt, output, **options) -> None:
        if start and end and end < start:
            raise CommandError("--to is before --from")
        entries = entries_between(LogEntry.objects.all(), start=start, end=end)
        record_read(
            user=None,
            kind=ReadKind.AUDIT_EXPORT,
            model=LogEntry,
            organisation_ids=[None],
            filters={"start": start, "end": end, "format": fmt},
            detail={"performed_by": f"{getpass.getuser()} (manage.py audit_export)"},
        )
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                write_export(entries, fmt, stream)
        else:
            write_export(entries, fmt, self.stdout)
