from django.core.management.base import BaseCommand

from composition.reference_data import reference_data_load
from portal.rls import in_system_context
from portal.sync import SyncReport


class Command(BaseCommand):
    help = (
        "Load the reference data shipped with the portal (organisations, disciplines, "
        "strategies with objectives and initiatives, NIS2 Art. 21). Idempotent."
    )

    @in_system_context("load_reference")
    def handle(self, *args, **options) -> None:
        report = SyncReport()
        reference_data_load(report=report)
        if options["verbosity"] < 1:
            return
        for line in report.summary():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded: {report.changed} objects written.")
        )
