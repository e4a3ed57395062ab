"""Reads of confidential material, recorded in the audit trail and listed to those who audit.

Every path that hands out a region's confidential material as a whole — register, asset and
treatment-plan exports (pages and API), report PDFs and previews, the audit trail's own
export — calls ``record_read``. Each read becomes an entry with the action "accessed" per
organisation whose material it held (``AuditRead``), with who, when, from where, what and the
query it was asked with. ``reads_visible_to`` lists them through the permission layer: the
sector administrators see every read, a region's readers (internal audit) those of their
region's material.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict

from portal.access import Action
from portal.access.policies import policy_of
from portal.client_address import client_address, client_port
from portal.models import AuditRead, ReadKind
from portal.rls import system_context

#: Bounds on what a query string can put into the trail (a read is recorded, not its junk).
MAX_FILTERS = 30
MAX_FILTER_LENGTH = 200


def read_filters(query: QueryDict | Mapping[str, Any]) -> dict[str, str | list[str]]:
    """The query a read was asked with, bounded: at most ``MAX_FILTERS`` parameters, each
    value cut to ``MAX_FILTER_LENGTH`` characters; repeated parameters as lists."""
    filters: dict[str, str | list[str]] = {}
    items = (
        ((key, query.getlist(key)) for key in query)
        if isinstance(query, QueryDict)
        else ((key, value if isinstance(value, list) else [value]) for key, value in query.items())
    )
    for key, values in items:
        if len(filters) >= MAX_FILTERS:
            break
        cut = [str(value)[:MAX_FILTER_LENGTH] for value in values if value not in (None, "")]
        if cut:
            filters[str(key)[:MAX_FILTER_LENGTH]] = cut[0] if len(cut) == 1 else cut[:MAX_FILTERS]
    return filters


def record_read(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    kind: ReadKind,
    model: type[Model],
    organisation_ids: Iterable[int | None],
    obj: Model | None = None,
    filters: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    detail: Mapping[str, Any] | None = None,
) -> list[LogEntry]:
    """Record that ``user`` read ``kind`` material of ``model`` (``obj`` when it is one
    object) belonging to ``organisation_ids`` (``None`` for the sector's own) — one entry per
    organisation, at least one. ``request`` gives the client's address (through the trusted
    proxies only); ``filters`` the query asked with; ``detail`` anything else worth keeping
    (a format, a row count, who ran a command)."""
    actor = user if user is not None and user.is_authenticated else None
    organisations = sorted(set(organisation_ids), key=lambda pk: (pk is not None, pk)) or [None]
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    address = client_address(request) if request is not None else None
    port = client_port(request) if request is not None else None
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(obj.pk) if obj is not None else "",
            object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
            object_repr=str(obj) if obj is not None else str(model._meta.verbose_name_plural),
            action=LogEntry.Action.ACCESS,
            changes={},
            actor=actor,
            actor_email=getattr(actor, "email", None) or None,
            remote_addr=address,
            remote_port=port,
            additional_data={
                "kind": str(kind),
                "organisation": organisation,
                "filters": read_filters(filters or {}),
                **dict(detail or {}),
            },
        )
        for organisation in organisations
    ]
    # The trail records the read, not the reader: in the database's system context, so that
    # a read of another region's shared material is written into that region's trail.
    with system_context(f"audit trail: a read of {kind}"):
        for entry in entries:
            entry.save()  # one by one: the request's audit context fills in the same fields
    return entries


def organisations_read(queryset: QuerySet[Any]) -> list[int | None]:
    """The organisations whose objects ``queryset`` holds (one query), through the model's
    access policy's path to its organisation."""
    path = policy_of(queryset.model).organisation_path(queryset.model)
    if path is None:
        raise ImproperlyConfigured(f"{queryset.model.__name__} belongs to no organisation")
    return list(queryset.order_by().values_list(path, flat=True).distinct())


def reads_visible_to(user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[AuditRead]:
    """The recorded reads ``user`` may see, newest first (the permission layer decides)."""
    reads: QuerySet[AuditRead] = AuditRead.objects.restrict(user, Action.VIEW)
    return reads.select_related("actor", "content_type").order_by("-timestamp", "-pk")
