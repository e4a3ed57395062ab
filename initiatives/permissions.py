"""Working-group membership as django-guardian object permissions.

A member of a working group may change the group's page and deliverables
(``change_workinggroup`` on the group) and the group's initiatives with their milestones and
status updates (``change_initiative`` on each initiative; children follow their parent
through ``ParentPolicy``). The permissions follow the membership on every path — forms,
API, admin — because they are kept in step by signals: joining grants them, leaving revokes
them at once, and moving an initiative to another group moves them. Each change of rights
happens in the transaction of the change of membership: a seat and an initiative save inside
``transaction.atomic``, and deleting runs its signals inside the deletion's transaction —
deleting a group revokes its members' rights on its initiatives *before* the initiatives lose
their group (``pre_delete``), and removes every object permission on the group itself.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from initiatives.models import Initiative, WorkingGroup, WorkingGroupMember

CHANGE_GROUP = "initiatives.change_workinggroup"
CHANGE_INITIATIVE = "initiatives.change_initiative"


def grant_member(group: WorkingGroup, user: AbstractBaseUser) -> None:
    assign_perm(CHANGE_GROUP, user, group)
    initiatives = Initiative.objects.filter(working_group=group)
    if initiatives.exists():
        assign_perm(CHANGE_INITIATIVE, user, initiatives)


def revoke_member(group: WorkingGroup, user: AbstractBaseUser) -> None:
    remove_perm(CHANGE_GROUP, user, group)
    initiatives = Initiative.objects.filter(working_group=group)
    if initiatives.exists():
        remove_perm(CHANGE_INITIATIVE, user, initiatives)


def move_initiative(
    initiative: Initiative, old_group_id: int | None, new_group_id: int | None
) -> None:
    if old_group_id:
        for seat in WorkingGroupMember.objects.filter(group_id=old_group_id).select_related("user"):
            remove_perm(CHANGE_INITIATIVE, seat.user, initiative)
    if new_group_id:
        for seat in WorkingGroupMember.objects.filter(group_id=new_group_id).select_related("user"):
            assign_perm(CHANGE_INITIATIVE, seat.user, initiative)


@receiver(pre_save, sender=WorkingGroupMember, dispatch_uid="wg-member-before")
def _remember_seat(sender, instance: WorkingGroupMember, **kwargs) -> None:
    instance._previous_seat = (
        None
        if instance.pk is None or kwargs.get("raw")
        else WorkingGroupMember.objects.filter(pk=instance.pk)
        .select_related("group", "user")
        .first()
    )


@receiver(post_save, sender=WorkingGroupMember, dispatch_uid="wg-member-joined")
def _member_joined(sender, instance: WorkingGroupMember, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    previous = getattr(instance, "_previous_seat", None)
    if created:
        grant_member(instance.group, instance.user)
    elif previous is not None and (previous.group_id, previous.user_id) != (
        instance.group_id,
        instance.user_id,
    ):
        # A seat given to another person (or moved to another group) is a leave and a join.
        revoke_member(previous.group, previous.user)
        grant_member(instance.group, instance.user)


@receiver(post_delete, sender=WorkingGroupMember, dispatch_uid="wg-member-left")
def _member_left(sender, instance: WorkingGroupMember, **kwargs) -> None:
    revoke_member(instance.group, instance.user)


@receiver(pre_delete, sender=WorkingGroup, dispatch_uid="wg-deleted")
def _group_deleted(sender, instance: WorkingGroup, **kwargs) -> None:
    # Runs before the deletion sets the initiatives' group to NULL; afterwards the seats'
    # post_delete would no longer find the group's initiatives to revoke.
    for seat in WorkingGroupMember.objects.filter(group=instance).select_related("user"):
        revoke_member(instance, seat.user)
    content_type = ContentType.objects.get_for_model(WorkingGroup)
    for model in (get_user_obj_perms_model(), get_group_obj_perms_model()):
        model.objects.filter(content_type=content_type, object_pk=str(instance.pk)).delete()


@receiver(pre_save, sender=Initiative, dispatch_uid="initiative-group-before")
def _remember_group(sender, instance: Initiative, **kwargs) -> None:
    if instance.pk is None or kwargs.get("raw"):
        instance._previous_group_id = None
        return
    instance._previous_group_id = (
        Initiative._base_manager.filter(pk=instance.pk)
        .values_list("working_group_id", flat=True)
        .first()
    )


@receiver(post_save, sender=Initiative, dispatch_uid="initiative-group-after")
def _group_changed(sender, instance: Initiative, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    previous = getattr(instance, "_previous_group_id", None)
    if created or previous != instance.working_group_id:
        move_initiative(instance, previous, instance.working_group_id)
