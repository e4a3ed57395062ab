"""What every import does around its writes: check that the user may add the objects, and
record the bulk-created objects in the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _

from portal.access import Action, organisations_for
from portal.models import Organisation

#: Rows written per INSERT.
BATCH_SIZE = 1000


def require_add(
    user: AbstractBaseUser | AnonymousUser | None,
    model: type[models.Model],
    organisation: Organisation,
) -> None:
    allowed = organisations_for(user, model, Action.ADD)
    if allowed is not None and organisation.pk not in allowed:
        raise PermissionDenied(
            _("You may not add %(things)s in %(organisation)s.")
            % {"things": model._meta.verbose_name_plural, "organisation": organisation.name}
        )


def audit_creations(
    objects: Sequence[models.Model],
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    m2m: Callable[[models.Model], dict[str, list[str]]] | None = None,
) -> None:
    """Record the creation of bulk-created objects in the audit trail, as django-auditlog
    would have for each ``save()`` (bulk_create sends no signals), with the many-to-many
    links in the same entry. One INSERT per batch."""
    from auditlog.cid import get_cid
    from auditlog.context import auditlog_disabled, auditlog_value
    from auditlog.diff import get_field_value, get_fields_in_model, model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog

    if not objects or auditlog_disabled.get() or not auditlog.contains(type(objects[0])):
        return
    model = type(objects[0])
    content_type = ContentType.objects.get_for_model(model)
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    actor = user if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    cid = get_cid()
    registered = auditlog.get_model_fields(model)
    if registered["mask_fields"] or settings.AUDITLOG_STORE_JSON_CHANGES:
        diff: Callable[[models.Model], dict] = lambda obj: model_instance_diff(None, obj) or {}  # noqa: E731
    else:
        # model_instance_diff(None, obj), with the fields and their "before" values worked
        # out once rather than per object.
        fields = [
            (field, get_field_value(None, field))
            for field in get_fields_in_model(objects[0])
            if (not registered["include_fields"] or field.name in registered["include_fields"])
            and field.name not in registered["exclude_fields"]
        ]

        def diff(obj: models.Model) -> dict:
            changes = {}
            for field, before in fields:
                value = get_field_value(obj, field)
                if value != before:
                    changes[field.name] = (smart_str(before), smart_str(value))
            return changes

    entries = []
    for obj in objects:
        changes = diff(obj)
        for name, names in (m2m(obj) if m2m else {}).items():
            if names:
                changes[name] = {"type": "m2m", "operation": "add", "objects": names}
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj),
                action=LogEntry.Action.CREATE,
                changes=changes,
                actor=actor,
                actor_email=getattr(actor, "email", None) if actor else None,
                remote_addr=context.get("remote_addr"),
                remote_port=context.get("remote_port"),
                cid=cid,
                timestamp=now,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


# --------------------------------------------------------------------------------------------
