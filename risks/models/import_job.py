from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.access import RestrictedQuerySet
from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role


class ImportKind(models.TextChoices):
    RISKS = "risks", _("Risks")
    ASSETS = "assets", _("Assets")
    TREATMENTS = "treatments", _("Treatment actions")


class ImportJob(models.Model):
    """A large import run by a Celery worker: the uploaded file, the progress, the result.

    The import is all or nothing, as in a request: the rows are written in one transaction,
    with the job's ``done``. The file is kept only until the job ends. A job names rows and
    values of the region's register in its errors: it is confidential to the region, like
    the register."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("import job", "Queued")
        RUNNING = "running", pgettext_lazy("import job", "Running")
        DONE = "done", pgettext_lazy("import job", "Done")
        FAILED = "failed", pgettext_lazy("import job", "Failed")

    organisation = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    rows_total = models.PositiveIntegerField(
        _("rows"), help_text=_("The file's data rows, as counted before the import.")
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    imported = models.PositiveIntegerField(_("imported"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(
        _("errors"),
        default=list,
        blank=True,
        help_text=_("The first problems found, each {row, column, message}."),
    )
    language = models.CharField(
        _("language"), max_length=5, default="da", help_text=_("The messages' language.")
    )

    objects = RestrictedQuerySet.as_manager()
    # Confidential to the region, as its register: read by the region's people, started by
    # those who may import into it (the import services check the right to add).
    access_policy = OrganisationOwned(read_roles=REGION_ROLES, edit_roles=(Role.CISO,))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("risks:import_job", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def never_started(self) -> bool:
        """Failed before a worker took it: the queue was unavailable (or lost it)."""
        return self.status == self.Status.FAILED and self.started_at is None

    @property
    def progress(self) -> int:
        """Percent done: reading the rows is the first half, checking them the second."""
        if self.status == self.Status.DONE:
            return 100
        total = max(self.rows_total, 1)
        done = min(self.rows_read, total) + min(self.rows_checked, total)
        return min(99, done * 50 // total)
