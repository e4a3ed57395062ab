from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from capabilities.frameworks import InvalidFramework
from capabilities.services import frameworks_load_file
from portal.rls import in_system_context
from portal.sync import SyncReport


class Command(BaseCommand):
    help = (
        "Load a framework catalogue (ISO/IEC 27001 Annex A, CIS Controls, …) from a YAML file "
        "in the format documented in capabilities/frameworks.py. A malformed file is refused "
        "with the line of each problem and changes nothing; loading twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    @in_system_context("load_framework")
    def handle(self, *args, file: Path, **options) -> None:
        report = SyncReport()
        try:
            frameworks_load_file(path=file, report=report)
        except InvalidFramework as error:
            raise CommandError(f"{file}: " + "; ".join(str(e) for e in error.errors)) from None
        for line in report.summary():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"{report.changed} objects written."))
