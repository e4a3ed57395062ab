"""``manage.py rls_check``: is every organisation-owned table behind row-level security?"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from portal import rls

_TABLE = """
SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
       (SELECT coalesce(array_agg(DISTINCT p.cmd::text), '{}') FROM pg_policies p
         WHERE p.schemaname = n.nspname AND p.tablename = c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = to_regclass(%s)
"""
COMMANDS = {"SELECT", "INSERT", "UPDATE", "DELETE"}
_AUDIT_FUNCTION = """
SELECT p.prosrc FROM pg_proc p WHERE p.proname = 'portal_audit_object_readable'
"""
_CONSTRAINT = """
SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(%s) AND conname = %s AND contype = 'f'
"""


def rls_gaps(using: str = DEFAULT_DB_ALIAS, role: str | None = None) -> tuple[list[str], list[str]]:
    """(report lines, gaps): for each table of ``rls.protected_models()`` whether row-level
    security is enabled and forced and policies cover every command, and whether the
    application's role could bypass them (superuser, BYPASSRLS, owner of a table)."""
    role = role or settings.PORTAL_DB_APP_ROLE
    lines, gaps = [], []
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            gaps.append(f"role {role}: does not exist (manage.py rls_roles)")
        else:
            superuser, bypassrls = found
            lines.append(f"role {role}: superuser={superuser} bypassrls={bypassrls}")
            if superuser or bypassrls:
                gaps.append(f"role {role}: can bypass row-level security")
        for model in rls.protected_models():
            table = model._meta.db_table
            cursor.execute(_TABLE, [table])
            row = cursor.fetchone()
            if row is None:
                gaps.append(f"{table} ({model._meta.label}): no such table (migrate first)")
                continue
            enabled, forced, owner, commands = row
            covered = set(commands)
            covered = COMMANDS if "ALL" in covered else covered & COMMANDS
            lines.append(
                f"{table}: enabled={enabled} forced={forced} owner={owner} "
                f"policies={','.join(sorted(covered)) or '-'}"
            )
            if not enabled or not forced:
                gaps.append(f"{table} ({model._meta.label}): row-level security not enabled+forced")
            if covered != COMMANDS:
                missing = ", ".join(sorted(COMMANDS - covered))
                gaps.append(f"{table} ({model._meta.label}): no policy for {missing}")
            if owner == role:
                gaps.append(f"{table}: owned by {role}, which could switch the policies off")
            if rls.copies_parent_organisation(model):
                # The policy trusts the copy: the database must keep it the parent's.
                constraint = rls.parent_organisation_constraint(table)
                cursor.execute(_CONSTRAINT, [table, constraint])
                if cursor.fetchone() is None:
                    gaps.append(
                        f"{table} ({model._meta.label}): no {constraint} keeping its "
                        "organisation its parent's"
                    )
        gaps += _audit_gaps(cursor)
    return lines, gaps


def _audit_gaps(cursor) -> list[str]:
    """The audit trail's policy reads an entry through the object it names only for the
    content types its function lists (``portal.rls.audit_trail_policies``): an audited model
    that belongs to an organisation and is not listed would leave its entries written before
    organisations were recorded — and its shared objects' entries — to the wrong readers."""
    cursor.execute(_AUDIT_FUNCTION)
    found = cursor.fetchone()
    if found is None:
        return ["auditlog_logentry: no portal_audit_object_readable (migrate first)"]
    source = found[0]
    return [
        f"auditlog_logentry: portal_audit_object_readable does not name {label} "
        f"({model._meta.label}, audited and organisation-owned): a migration must list it"
        for model in rls.audited_organisation_models()
        if f"'{(label := f'{model._meta.app_label}.{model._meta.model_name}')}'" not in source
    ]


class Command(BaseCommand):
    help = (
        "Check that every organisation-owned table (found from the models) has row-level "
        "security enabled and forced with policies for every command, and that the application's "
        "role (PORTAL_DB_APP_ROLE) cannot bypass it. Exits non-zero on any gap."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--role", default=None, help="default: PORTAL_DB_APP_ROLE")

    def handle(self, *args, database: str, role: str | None, **options) -> None:
        if connections[database].vendor != "postgresql":
            self.stdout.write(
                "rls_check: not PostgreSQL, no row-level security (the ORM's layer only)."
            )
            return
        lines, gaps = rls_gaps(database, role)
        for line in lines:
            self.stdout.write(line)
        for gap in gaps:
            self.stderr.write(f"GAP {gap}")
        if gaps:
            raise CommandError(f"{len(gaps)} row-level security gap(s)")
        self.stdout.write(f"rls_check: {len(lines) - 1} tables protected, no gap.")
