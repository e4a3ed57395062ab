from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import MemberReadable
from portal.audit import audited
from portal.models import VersionedModel
from portal.translation import localized


class WorkingGroup(VersionedModel):
    """A group under TSI: the steering group, a working group or an experience-exchange group.

    Members edit their group's page (topics, description), its initiatives and deliverables:
    the access policy joins the membership, so a seat's rights come and go with the seat; the
    TSI secretariat manages everything.
    """

    class Kind(models.TextChoices):
        STEERING = "steering", _("Steering group")
        WORKING = "working", _("Working group")
        EXCHANGE = "exchange", _("Experience-exchange group")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKING)
    description = models.TextField(_("description"), blank=True)
    topics = models.TextField(_("current topics"), blank=True, help_text=_("One topic per line."))
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="initiatives.WorkingGroupMember",
        related_name="working_groups",
        verbose_name=_("members"),
    )

    access_policy = MemberReadable(members="members", object_permissions=True)

    class Meta:
        ordering = ["kind", "name_da"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True)
                | models.Q(active_from__isnull=True)
                | models.Q(active_to__gte=models.F("active_from")),
                name="working_group_active_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:working_group_detail", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def topic_list(self) -> list[str]:
        return [line.strip() for line in self.topics.splitlines() if line.strip()]


class WorkingGroupMember(models.Model):
    """A person's seat in a working group; joining and leaving move their edit rights."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="seats", verbose_name=_("group")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="working_group_seats",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = MemberReadable()

    class Meta:
        ordering = ["group", "role", "user__username"]
        verbose_name = _("working-group member")
        verbose_name_plural = _("working-group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="working_group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.group}"


audited(WorkingGroup)
audited(WorkingGroupMember)
