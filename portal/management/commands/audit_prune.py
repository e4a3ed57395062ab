import getpass

from django.core.management.base import BaseCommand, CommandError

from portal.audit.retention import (
    NotAPruningRole,
    RetentionTooShort,
    audit_prune,
    retention_configured,
)


class Command(BaseCommand):
    help = (
        "Delete the audit entries older than AUDIT_RETENTION_DAYS (at least five years) and "
        "record the pruning in the trail itself. Nothing younger is touched. On PostgreSQL it "
        "connects through AUDIT_PRUNE_DATABASE_URL as a member of portal_audit_pruner."
    )

    def handle(self, *args, **options) -> None:
        retention = retention_configured()
        try:
            prune = audit_prune(performed_by=f"{getpass.getuser()} (manage.py audit_prune)")
        except (RetentionTooShort, NotAPruningRole) as error:
            raise CommandError(f"Refused: {error}.") from None
        self.stdout.write(
            f"Deleted {prune.deleted} audit entries before {prune.cutoff.isoformat()} "
            f"(retention {retention.days} days); recorded as pruning #{prune.pk}."
        )
