"""``manage.py rls_roles``: create or update the application's PostgreSQL role. Idempotent."""

import os
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT"


def app_role_sql(role: str, *, database: str, schema: str, login: bool) -> list[str]:
    """The statements that make ``role`` the application's role: no superuser, no BYPASSRLS,
    owner of nothing, with row rights on every table and sequence of ``schema`` — also on
    those that later migrations create (default privileges of the role that runs them)."""
    quoted = f'"{role}"'
    attributes = "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT"
    if login:
        attributes += " LOGIN PASSWORD %s"
    create = f"CREATE ROLE {quoted}"
    exists = f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'"  # noqa: S608 — a plain name
    return [
        f"DO $$ BEGIN IF NOT EXISTS ({exists}) THEN {create}; END IF; END $$",
        f"ALTER ROLE {quoted} {attributes}",
        f'GRANT CONNECT ON DATABASE "{database}" TO {quoted}',
        f'GRANT USAGE ON SCHEMA "{schema}" TO {quoted}',
        f'GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA "{schema}" TO {quoted}',
        f'GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA "{schema}" TO {quoted}',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT {TABLE_RIGHTS} ON TABLES TO {quoted}',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
        f"GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {quoted}",
    ]


class Command(BaseCommand):
    help = (
        "Create or update the PostgreSQL role the web and worker processes connect as "
        "(PORTAL_DB_APP_ROLE, default portal_app): not a superuser, no BYPASSRLS, owner of no "
        "table, with SELECT/INSERT/UPDATE/DELETE on the tables. Run it as the tables' owner "
        "(DATABASE_OWNER_URL) after migrate; idempotent. With the password in "
        "PORTAL_DB_APP_PASSWORD the role may log in with it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--password-env",
            default="PORTAL_DB_APP_PASSWORD",
            help="the environment variable with the role's login password (unset: unchanged)",
        )

    def handle(self, *args, database: str, password_env: str, **options) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError(
                "Row-level security needs PostgreSQL; the SQLite demo has the ORM's layer only."
            )
        role = settings.PORTAL_DB_APP_ROLE
        if not _NAME.match(role):
            raise CommandError(f"PORTAL_DB_APP_ROLE must be a plain lower-case name: {role!r}")
        password = os.environ.get(password_env, "")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database(), current_schema()")
            user, database_name, schema = cursor.fetchone()
            if user == role:
                raise CommandError(
                    f"Connected as {role} itself: run rls_roles as the tables' owner "
                    "(DATABASE_OWNER_URL), which the application's role must not be."
                )
            for statement in app_role_sql(
                role, database=database_name, schema=schema, login=bool(password)
            ):
                cursor.execute(statement, [password] if "%s" in statement else None)
        self.stdout.write(f"{role}: role and grants on {database_name}.{schema} up to date.")
