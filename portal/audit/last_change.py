"""Who made the newest change of an object, and when — for the message that tells a person
their save lost an edit conflict ("Anne Hansen saved a newer version at 10:14").

The answer comes from the audit trail (the object's own entries and those of the parts that
change with it, e.g. an initiative's status updates), falling back on the object's
``updated_by`` / ``updated_at``. It is given only to a reader who may see the object, and
parts are counted only where the reader may see them: the message never names anyone the
reader could not find on the object's history.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from portal.access import Action, can

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class LastChange:
    #: The person's full name, or their user name when they have none; None if unknown.
    actor: str | None
    #: Their user name (shown on hover), or None.
    username: str | None
    timestamp: datetime


def _person(user: Any) -> tuple[str | None, str | None]:
    if user is None:
        return None, None
    username = user.get_username()
    return (user.get_full_name() or username), username


def _newest_entry(which: Q) -> LogEntry | None:
    return (
        LogEntry.objects.filter(which)
        .exclude(action=LogEntry.Action.ACCESS)
        .select_related("actor")
        .order_by("-timestamp", "-pk")
        .first()
    )


def _from_entry(entry: LogEntry) -> LastChange:
    actor, username = _person(entry.actor)
    return LastChange(
        actor=actor or entry.actor_email or None, username=username, timestamp=entry.timestamp
    )


def last_change(
    obj: Model,
    reader: "AbstractBaseUser | AnonymousUser | None",
    *,
    parts: Iterable[QuerySet[Any]] = (),
) -> LastChange | None:
    """The newest change of ``obj`` (as stored now) or of any of ``parts`` — querysets of
    objects that belong to it — as ``reader`` may know it; None when the reader may not see
    ``obj`` or nothing is recorded.

    The object's own change is its ``updated_by`` / ``updated_at`` where it keeps them (the
    audit entry of an update is written just before ``updated_at`` is stamped), otherwise
    its newest audit entry."""
    if reader is None or not reader.is_authenticated:
        return None
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    if current is None or not can(reader, Action.VIEW, current):
        return None
    candidates: list[LastChange] = []
    updated_at = getattr(current, "updated_at", None)
    if hasattr(current, "updated_by") and updated_at is not None:
        actor, username = _person(current.updated_by)
        candidates.append(LastChange(actor=actor, username=username, timestamp=updated_at))
    else:
        own = _newest_entry(
            Q(
                content_type=ContentType.objects.get_for_model(type(current)),
                object_pk=str(current.pk),
            )
        )
        if own is not None:
            candidates.append(_from_entry(own))
        elif updated_at is not None:
            candidates.append(LastChange(actor=None, username=None, timestamp=updated_at))
    for queryset in parts:
        visible = queryset.restrict(reader, Action.VIEW)  # type: ignore[attr-defined]
        ids = [str(pk) for pk in visible.values_list("pk", flat=True)]
        if not ids:
            continue
        entry = _newest_entry(
            Q(content_type=ContentType.objects.get_for_model(queryset.model), object_pk__in=ids)
        )
        if entry is not None:
            candidates.append(_from_entry(entry))
    return max(candidates, key=lambda change: change.timestamp, default=None)
