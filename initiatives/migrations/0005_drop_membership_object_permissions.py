"""Working-group rights now come from the membership itself (the access policy joins it):
delete the django-guardian object permissions that signals used to copy from it.

Every user object permission ``change_workinggroup`` / ``change_initiative`` was such a copy
(nothing else assigns them), and left in place a copy would outlive the seat it came from.
Going back copies the current membership into object permissions again, as the signals did.
"""

from django.db import migrations

COPIED = {"workinggroup": "change_workinggroup", "initiative": "change_initiative"}


def _copied(apps):
    permission = apps.get_model("guardian", "UserObjectPermission")
    rows = permission.objects.none()
    for model, codename in COPIED.items():
        rows |= permission.objects.filter(
            content_type__app_label="initiatives",
            content_type__model=model,
            permission__codename=codename,
        )
    return rows


def drop_copies(apps, schema_editor):
    _copied(apps).delete()


def copy_membership(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    user_permission = apps.get_model("guardian", "UserObjectPermission")
    seat = apps.get_model("initiatives", "WorkingGroupMember")
    initiative = apps.get_model("initiatives", "Initiative")
    found = {}
    for model, codename in COPIED.items():
        kind = content_type.objects.filter(app_label="initiatives", model=model).first()
        perm = permission.objects.filter(content_type=kind, codename=codename).first()
        if kind is None or perm is None:
            return  # a fresh database: nothing to copy yet
        found[model] = (kind, perm)
    rows = []
    for group_id, user_id in seat.objects.values_list("group_id", "user_id"):
        kind, perm = found["workinggroup"]
        rows.append(
            user_permission(
                user_id=user_id, content_type=kind, permission=perm, object_pk=str(group_id)
            )
        )
        kind, perm = found["initiative"]
        for pk in initiative.objects.filter(working_group_id=group_id).values_list("pk", flat=True):
            rows.append(
                user_permission(
                    user_id=user_id, content_type=kind, permission=perm, object_pk=str(pk)
                )
            )
    user_permission.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0004_row_level_security"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(drop_copies, copy_membership)]
