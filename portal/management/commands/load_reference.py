from django.core.management.base import BaseCommand

from capabilities.services import (
    capabilities_load_reference,
    disciplines_load_reference,
    frameworks_load_reference,
)
from initiatives.services import strategies_load_reference
from portal.services import organisations_load_reference
from portal.sync import SyncReport
from risks.services import threats_load_reference


class Command(BaseCommand):
    help = (
        "Load the reference data shipped with the portal (organisations, disciplines, "
        "strategies with objectives and initiatives, NIS2 Art. 21). Idempotent."
    )

    def handle(self, *args, **options) -> None:
        report = SyncReport()
        organisations_load_reference(report=report)
        disciplines_load_reference(report=report)
        capabilities_load_reference(report=report)
        frameworks_load_reference(report=report)
        strategies_load_reference(report=report)
        threats_load_reference(report=report)
        if options["verbosity"] < 1:
            return
        for line in report.summary():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded: {report.changed} objects written.")
        )
