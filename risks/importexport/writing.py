"""What every import does around its writes: check that the user may add the objects, and
record the bulk-created objects in the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
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
    """Record the creation of bulk-created objects in the audit trail (bulk_create sends no
    signals), through django-auditlog's public API: the changes ``model_instance_diff``
    works out for a new object, with the many-to-many links in the same entry, written by
    ``LogEntry.objects.log_create``. The request's ``set_actor`` context (the middleware's)
    adds the remote address and port; the actor is ``user``, also in a job run outside any
    request. Honours ``disable_auditlog()`` and models auditlog does not track.

    One INSERT per object: auditlog's public API writes entries one at a time (the rows of
    the objects themselves are still written in batches)."""
    from auditlog.context import auditlog_disabled
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from auditlog.registry import auditlog

    if not objects or auditlog_disabled.get() or not auditlog.contains(type(objects[0])):
        return
    actor = user if getattr(user, "is_authenticated", False) else None
    identity = {"actor": actor, "actor_email": getattr(actor, "email", None)} if actor else {}
    json_changes = settings.AUDITLOG_STORE_JSON_CHANGES
    for obj in objects:
        changes = model_instance_diff(None, obj, use_json_for_changes=json_changes) or {}
        for name, names in (m2m(obj) if m2m else {}).items():
            if names:
                changes[name] = {"type": "m2m", "operation": "add", "objects": names}
        LogEntry.objects.log_create(
            obj, action=LogEntry.Action.CREATE, changes=changes, force_log=True, **identity
        )


@contextmanager
def acting_as(user: AbstractBaseUser | AnonymousUser | None) -> Iterator[None]:
    """The audit entries django-auditlog writes for saves inside the block name ``user`` as
    their actor. A request's live context (the middleware's, with the client's address) is
    left alone; outside a request — a job — the block gets one of its own."""
    from auditlog.context import auditlog_value, set_actor

    actor = user if getattr(user, "is_authenticated", False) else None
    current = auditlog_value.get(None)
    if actor is None or (_is_live(current) and current.get("actor") == actor):
        yield
        return
    try:
        with set_actor(actor):
            yield
    finally:
        # set_actor leaves its context behind when it ends: put back what was there.
        auditlog_value.set(current if current is not None else {"signal_duid": None})


def _is_live(context: dict[str, Any] | None) -> bool:
    """Whether an auditlog context still fills in entries: django-auditlog leaves a context
    in place after its block ends, only its signal receiver is disconnected."""
    from django.db.models.signals import pre_save

    if not context or context.get("signal_duid") is None:
        return False
    # A receiver is kept as ((dispatch_uid, sender id), receiver, is_async).
    return any(receiver[0][0] == context["signal_duid"] for receiver in pre_save.receivers)


# --------------------------------------------------------------------------------------------
