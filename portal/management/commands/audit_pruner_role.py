from django.core.management.base import BaseCommand

from portal.audit.retention import PRUNING_ROLE, pruning_role_sql


class Command(BaseCommand):
    help = (
        f"Print the SQL that creates the PostgreSQL role {PRUNING_ROLE}, whose members alone "
        "may delete audit entries, with the rights audit_prune needs. Run it as a superuser, "
        "e.g. manage.py audit_pruner_role | psql postgres://postgres@db/portal, then create a "
        f"login role IN ROLE {PRUNING_ROLE} for AUDIT_PRUNE_DATABASE_URL (docs/operations.md)."
    )

    def handle(self, *args, **options) -> None:
        for statement in pruning_role_sql():
            self.stdout.write(f"{statement};")
