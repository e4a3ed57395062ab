"""``flush`` that empties the incident timeline too on SQLite.

The timeline is append-only in the database (``incidents`` migration 0005): on SQLite a
trigger refuses every DELETE of an entry — also the ``DELETE FROM`` with which ``flush``
empties the tables (the test runner's transactional tests, a demo reset). PostgreSQL empties
them with ``TRUNCATE``, which the row triggers do not see. Here the SQLite triggers are lifted
for the flush and put back after it, in the same transaction of the same connection: nothing
else can delete an entry in between."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from incidents.timeline_sql import ENTRIES, SQLITE_APPEND_ONLY, SQLITE_APPEND_ONLY_REVERSE


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or ENTRIES not in _tables(connection):
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                for statement in SQLITE_APPEND_ONLY_REVERSE:
                    cursor.execute(statement)
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for statement in SQLITE_APPEND_ONLY:
                        cursor.execute(statement)


def _tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)
