"""django-guardian object permissions, expressed as a filter the permission layer can combine."""

from django.db.models import BigIntegerField, Model, Q
from django.db.models.functions import Cast
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from portal.access.principal import Principal


def object_permission_q(principal: Principal, model: type[Model], codename: str) -> Q:
    """Objects of ``model`` on which the user, or one of their groups, holds ``codename``.

    Built as two subqueries so that it adds no query of its own, whatever the data size.
    """
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    user_perms = (
        get_user_obj_perms_model()
        ._default_manager.filter(
            user_id=principal.user.pk,
            content_type=content_type,
            permission__codename=codename,
        )
        .annotate(object_id=Cast("object_pk", BigIntegerField()))
        .values("object_id")
    )
    group_perms = (
        get_group_obj_perms_model()
        ._default_manager.filter(
            group__user=principal.user.pk,
            content_type=content_type,
            permission__codename=codename,
        )
        .annotate(object_id=Cast("object_pk", BigIntegerField()))
        .values("object_id")
    )
    return Q(pk__in=user_perms) | Q(pk__in=group_perms)
