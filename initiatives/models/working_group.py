from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access import RestrictedQuerySet
from portal.access.policies import MemberReadable, ParentPolicy
from portal.audit import audited
from portal.models import VersionedModel
from portal.translation import localized


class WorkingGroup(VersionedModel):
    """A group under TSI: the steering group, a working group or an experience-exchange group.

    Members edit their group's page (topics, description), its initiatives and deliverables:
    the access policy joins the membership, so a seat's rights come and go with the seat; the
    TSI secretariat manages everything. Every save that changes the topics also writes a
    ``WorkingGroupTopics`` record, so that a report of a past period lists the topics as
    they stood at its end (``initiatives.selectors.with_topics_at``).
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
        return topic_lines(self.topics)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._recorded_topics = instance.__dict__.get("topics")
        return instance

    def save(self, *args, **kwargs) -> None:
        """Save, and record the topics when they changed (or the group is new), dated with
        the group's own time stamp of the change — in one transaction."""
        using = kwargs.get("using") or self._state.db or "default"
        update_fields = kwargs.get("update_fields")
        changed = self._state.adding or self.topics != getattr(self, "_recorded_topics", None)
        if update_fields is not None and "topics" not in update_fields:
            changed = False
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            if changed:
                WorkingGroupTopics.objects.using(using).create(
                    group=self, topics=self.topics, recorded_at=self.updated_at or timezone.now()
                )
        self._recorded_topics = self.topics


def topic_lines(topics: str) -> list[str]:
    """A group's topics, one per line, blank lines left out."""
    return [line.strip() for line in (topics or "").splitlines() if line.strip()]


class WorkingGroupTopics(models.Model):
    """A group's current topics as recorded at ``recorded_at`` and until the next record:
    written by every change of them (``WorkingGroup.save``), never changed. Read by the
    reports of past periods: the latest record on or before the period's end."""

    group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.CASCADE,
        related_name="topic_records",
        verbose_name=_("group"),
    )
    topics = models.TextField(_("current topics"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    access_policy = ParentPolicy(field="group", append_only=True)

    class Meta:
        ordering = ["group", "recorded_at", "pk"]
        verbose_name = _("working-group topics record")
        verbose_name_plural = _("working-group topics records")
        indexes = [
            models.Index(fields=["group", "-recorded_at"], name="group_topics_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.recorded_at:%Y-%m-%d}"


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
