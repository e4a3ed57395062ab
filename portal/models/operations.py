from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardVisit(models.Model):
    """When a user last looked at an organisation's dashboard, for "changed since your last
    visit". A visit is a sitting: views within ``composition.dashboards.visits.SITTING`` of the
    last one belong to it and keep its starting point."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_visits"
    )
    organisation = models.ForeignKey(
        "portal.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(_("seen"))
    previous_seen_at = models.DateTimeField(_("seen before"), null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard visit")
        verbose_name_plural = _("dashboard visits")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="dashboard_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.seen_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the beat's heartbeat task: proof that beat, the
    queue and a worker are all alive (shown on the sector admin's overview)."""

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.hostname} · {self.seen_at:%Y-%m-%d %H:%M:%S}"
