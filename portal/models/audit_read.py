from auditlog.models import LogEntry
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned
from portal.access.roles import Role


class ReadKind(models.TextChoices):
    """What kind of confidential material was read (``portal.audit.reads.record_read``)."""

    RISK_EXPORT = "risk_export", _("Risk register export")
    ASSET_EXPORT = "asset_export", _("Asset export")
    TREATMENT_EXPORT = "treatment_export", _("Treatment plan export")
    REPORT_PDF = "report_pdf", _("Report PDF download")
    REPORT_PREVIEW = "report_preview", _("Report preview")
    AUDIT_EXPORT = "audit_export", _("Audit trail export")
    ACCESS_REVIEW = "access_review", _("Access review export (people and roles)")
    INCIDENT_EXPORT = "incident_export", _("Incident register export")
    INCIDENT_DRAFT = "incident_draft", _("Incident notification draft (PDF)")


class AuditReadManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> RestrictedQuerySet:
        return super().get_queryset().filter(action=LogEntry.Action.ACCESS)


class AuditRead(LogEntry):
    """A read of confidential material: an audit-trail entry with the action "accessed".

    The entry is the trail's own (append-only, kept and pruned with the rest); this proxy only
    gives the reads a permission policy. ``additional_data`` holds ``kind`` (a ``ReadKind``),
    ``organisation`` (the id of the organisation whose material was read, ``None`` for the
    sector's) and ``filters`` (the query the reader asked with). A region's readers — internal
    audit — see the reads of their region's material; sector administrators see every read.
    """

    access_policy = OrganisationOwned(
        field="additional_data__organisation", read_roles=(Role.VIEWER,), edit_roles=()
    )
    objects = AuditReadManager()

    class Meta:
        proxy = True
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("recorded read")
        verbose_name_plural = _("recorded reads")

    @property
    def kind(self) -> str:
        return (self.additional_data or {}).get("kind", "")

    @property
    def kind_label(self) -> str:
        return str(dict(ReadKind.choices).get(self.kind, self.kind))

    @property
    def filters(self) -> dict[str, str | list[str]]:
        return (self.additional_data or {}).get("filters") or {}
