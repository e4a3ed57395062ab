from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.translation import localized


class Discipline(models.Model):
    """One of the four defence disciplines (forsvarsdiscipliner): Forudse, Forebygge, …"""

    class Code(models.TextChoices):
        ANTICIPATE = "anticipate", _("Anticipate")
        PREVENT = "prevent", _("Prevent")
        DETECT = "detect", _("Detect")
        RESPOND = "respond", _("Respond")

    code = models.CharField(_("code"), max_length=20, choices=Code.choices, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    strategy_heading_da = models.CharField(_("strategy heading (Danish)"), max_length=200)
    strategy_heading_en = models.CharField(_("strategy heading (English)"), max_length=200)
    question_da = models.CharField(_("guiding question (Danish)"), max_length=300)
    question_en = models.CharField(_("guiding question (English)"), max_length=300)

    objects = RestrictedQuerySet.as_manager()
    access_policy = MemberReadable(edit_roles=())

    class Meta:
        ordering = ["order"]
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def question(self) -> str:
        return localized(self, "question")

    @property
    def strategy_heading(self) -> str:
        return localized(self, "strategy_heading")


audited(Discipline)
