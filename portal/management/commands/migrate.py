"""``migrate`` in an explicit, logged system context: the owner's session is subject to the
row-level security policies too (they are forced), so a data migration would otherwise see
no row of an organisation-owned table (``portal.rls``)."""

from django.core.management.commands.migrate import Command as MigrateCommand

from portal.rls import in_system_context


class Command(MigrateCommand):
    @in_system_context("migrate")
    def handle(self, *args, **options):
        return super().handle(*args, **options)
