"""A deterministic demo sector: users for every role, and generated data at a chosen scale.

Scale 1 is what a real sector holds (e.g. 1,500 systems per region, as Region Hovedstaden
reports), 10 stresses the portal, 0.05 is small enough for tests. Each domain app adds its own
generated data through a ``seed_demo_<app>`` function as its issue lands.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from composition.demo import seed_demo_sector
from portal.rls import in_system_context


def _scale(value: str) -> Decimal:
    try:
        scale = Decimal(value)
    except InvalidOperation:
        raise CommandError(f"--scale must be a decimal number, not {value!r}") from None
    if scale <= 0 or scale > 100:
        raise CommandError("--scale must be above 0 and at most 100")
    return scale


class Command(BaseCommand):
    help = "Create the demo sector: regions, users for every role, and generated data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=_scale, default=Decimal("1"))
        parser.add_argument("--seed", type=int, default=2026, help="random seed (deterministic)")
        parser.add_argument(
            "--force", action="store_true", help="run even though DEBUG is off (not a demo)"
        )

    @in_system_context("seed_demo")
    def handle(self, *args, scale: Decimal, seed: int, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a shared, published password: it refuses to run "
                "with DEBUG off. Use --force if this really is a demo or benchmark database."
            )
        seed_demo_sector(scale=scale, seed=seed, log=self._log)
        self.stdout.write(self.style.SUCCESS("Demo sector ready."))

    def _log(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
