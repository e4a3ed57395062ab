from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import AdminOnly
from portal.audit import audited


class AuditPrune(models.Model):
    """One run of ``audit_prune``: what it deleted from the audit trail, on whose word.

    Rows are written only by ``portal.audit.retention.audit_prune``; being audited, each run
    also leaves an entry in the trail it pruned — pruning is never silent.
    """

    performed_at = models.DateTimeField(_("performed at"), auto_now_add=True)
    performed_by = models.CharField(_("performed by"), max_length=150)
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    cutoff = models.DateTimeField(_("entries before"))
    deleted = models.PositiveIntegerField(_("entries deleted"))

    access_policy = AdminOnly(readable=False)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_at"]
        verbose_name = _("audit trail pruning")
        verbose_name_plural = _("audit trail prunings")

    def __str__(self) -> str:
        return f"{self.deleted} entries before {self.cutoff:%Y-%m-%d}"


audited(AuditPrune)
