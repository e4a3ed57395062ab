from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.models import VersionedModel
from portal.translation import localized


class Framework(VersionedModel):
    """A catalogue of requirements: NIS2 Art. 21(2), ISO/IEC 27001 Annex A, CIS Controls, …"""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    # The edition replaces the lock counter that ``VersionedModel`` declares as ``version``.
    version = models.CharField(_("edition"), max_length=100, blank=True)  # type: ignore[assignment]

    access_policy = MemberReadable()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Requirement(VersionedModel):
    """One requirement of a framework, e.g. NIS2 Art. 21(2)(c) business continuity."""

    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("framework"),
    )
    code = models.CharField(_("code"), max_length=30)
    title_da = models.CharField(_("title (Danish)"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    access_policy = MemberReadable()

    class Meta:
        ordering = ["framework", "code"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="requirement_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}) {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")


audited(Framework)
audited(Requirement)
