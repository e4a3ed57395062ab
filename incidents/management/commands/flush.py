"""``flush`` that empties the incident timeline too on SQLite.

The timeline is append-only in the database (``incidents`` migration 0005): on SQLite a
trigger refuses every DELETE of an entry — also the ``DELETE FROM`` with which ``flush``
empties the tables (the test runner's transactional tests, a demo reset). PostgreSQL empties
them with ``TRUNCATE``, which the row triggers do not see. Here the SQLite triggers are lifted
for the flush and put back after it, in the same transaction of the same connection: nothing
else can delete an entry in between."""

import importlib

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

_MIGRATION = importlib.import_module("incidents.migrations.0005_timeline")


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or ENTRIES_TABLE not in _tables(connection):
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                for statement in _MIGRATION.SQLITE_APPEND_ONLY_REVERSE:
                    cursor.execute(statement)
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for statement in _MIGRATION.SQLITE_APPEND_ONLY:
                        cursor.execute(statement)


ENTRIES_TABLE = _MIGRATION.ENTRIES


def _tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)
