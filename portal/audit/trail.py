"""The audit trail: who changed which governance data, when, and from what to what.

Built on django-auditlog: one append-only table of entries, each holding the changed fields as
``{field: [old, new]}``. Models opt in with ``audited(Model)``. Entries are never updated or
deleted — not through the ORM (``protect_entries``), not through the admin (read-only), and on
the database itself a trigger refuses UPDATE, DELETE and TRUNCATE (migrations ``portal.0002``,
``0008``). Reads of confidential material are entries too (``portal.audit.reads``).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    DateField,
    DateTimeField,
    Field,
    Model,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.access import Action, sees_all_of
from portal.access.choices import people_visible_to
from portal.access.policies import OrganisationOwned, ParentPolicy
from portal.access.querysets import RestrictedQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Reader = AbstractBaseUser | AnonymousUser | None

#: Bookkeeping fields that change on every save and say nothing about the data.
BOOKKEEPING_FIELDS = ("version", "created_at", "updated_at")

#: Said instead of a related object's name the reader may not see (or that no longer exists).
NOT_AVAILABLE = _("(not available)")

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("Created"),
    LogEntry.Action.UPDATE: _("Changed"),
    LogEntry.Action.DELETE: _("Deleted"),
    LogEntry.Action.ACCESS: _("Accessed"),
}


class AuditTrailIsAppendOnly(Exception):
    pass


def audited(model: type[Model], *, exclude: Iterable[str] = (), m2m: Iterable[str] = ()) -> None:
    """Record every create, update and delete of ``model`` in the audit trail.

    Only the model's own columns (and the named many-to-many fields) are tracked — not
    reverse relations, which say nothing about the object itself. Each entry records the
    organisation the object belongs to (``additional_data["organisation"]``, None for the
    sector's data): the trail's row-level security reads it (``portal.rls``).
    """
    if not hasattr(model, "get_additional_data"):
        model.get_additional_data = _recorded_with_entry  # type: ignore[attr-defined]
    skipped = {*BOOKKEEPING_FIELDS, *exclude}
    auditlog.register(
        model,
        include_fields=[
            field.name for field in model._meta.concrete_fields if field.name not in skipped
        ],
        exclude_fields=sorted(skipped),
        m2m_fields=set(m2m),
    )


def _recorded_with_entry(self: Model) -> dict[str, int | None]:
    # auditlog stores what an audited object's ``get_additional_data`` returns with each entry.
    return {"organisation": organisation_of(self)}


def organisation_of(obj: Model) -> int | None:
    """The id of the organisation ``obj`` belongs to — through its access policy's path, or
    its foreign key to an organisation — or None for the sector's data."""
    path = _organisation_path(type(obj))
    if path is None:
        return None
    *hops, last = path.split("__")
    target: Any = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    organisation: int | None = getattr(target, type(target)._meta.get_field(last).attname)
    return organisation


@cache
def _organisation_path(model: type[Model]) -> str | None:
    from portal.models import Organisation

    policy = getattr(model, "access_policy", None)
    if isinstance(policy, OrganisationOwned | ParentPolicy):
        path = policy.organisation_path(model)
        if path:
            return path
    if model is Organisation:
        return None
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is Organisation:
            return field.name
    return None


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    timestamp: datetime
    actor: str | None
    action: int
    action_label: str
    changes: list[FieldChange]
    #: What the entry is about ("Risk: Ransomware …"), for a trail of many objects.
    subject: str = ""
    #: The account behind ``actor`` (``actor`` is its user name), for ``{{ entry.person|person }}``:
    #: the full name with the user name on hover. None for the system or an e-mail only.
    person: Any = None
    #: The region the change was made for, when the entry records one (a joint risk's
    #: change: ``additional_data["acting_organisation"]``), else "".
    region: str = ""


#: Fields whose change says nothing to a reader (the primary key of a new object).
HIDDEN_FIELDS = frozenset({"id"})


def _field(model: type[Model] | None, name: str) -> "Field[Any, Any] | None":
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Reverse relations share names with nothing a person edited; only real fields count.
    if not isinstance(field, Field):
        return None
    return field if field.concrete or field.many_to_many else None


def _is_reference(field: "Field[Any, Any]") -> bool:
    return bool(field.many_to_one or field.one_to_one) and field.concrete


#: Related objects' names by (model, recorded id); a missing key: not available to the reader.
Names = dict[tuple[type[Model], str], str]


def _person_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def related_names(references: dict[type[Model], set[str]], reader: "Reader") -> Names:
    """The names of the related objects the entries record by id, one query per related
    model, through the permission layer: an object the reader may see
    (``restrict(reader, "view")``) — another region's is never named — and a person the
    reader may see named (``people_visible_to``). A model outside the permission layer is
    not named."""
    names: Names = {}
    user_model = get_user_model()
    for model, recorded in references.items():
        ids = []
        for value in recorded:
            try:
                ids.append(model._meta.pk.to_python(value))
            except ValidationError:
                continue
        if not ids:
            continue
        if model is user_model:
            people = people_visible_to(reader).filter(pk__in=ids)
            names |= {(model, str(person.pk)): _person_name(person) for person in people}
            continue
        queryset = model._default_manager.all()
        if not isinstance(queryset, RestrictedQuerySet) or not hasattr(model, "access_policy"):
            continue
        for obj in queryset.restrict(reader, Action.VIEW).filter(pk__in=ids):
            names[(model, str(obj.pk))] = str(obj)
    return names


def _local_time(text: str) -> str:
    # auditlog records a time as naive UTC ("2026-03-01 10:00:00.123456").
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _display_value(field: "Field[Any, Any]", value: object, names: Names) -> str:
    """auditlog stores values as text: "None" is no value, choices show their label,
    booleans read as yes/no, a related object its name (when the reader may see it), and
    dates and times in the user's format and time zone."""
    text = str(value)
    if text == "None":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if _is_reference(field):
        return names.get((field.related_model, text), str(NOT_AVAILABLE))  # type: ignore[arg-type]
    if isinstance(field, BooleanField) and text in ("True", "False"):
        return str(_("Yes") if text == "True" else _("No"))
    if isinstance(field, DateTimeField):
        return _local_time(text)
    if isinstance(field, DateField):
        try:
            return date_format(date.fromisoformat(text), "SHORT_DATE_FORMAT")
        except ValueError:
            return text
    return text


def _references(entries: Iterable[LogEntry]) -> dict[type[Model], set[str]]:
    """The ids of related objects the entries record, by related model."""
    references: dict[type[Model], set[str]] = defaultdict(set)
    for entry in entries:
        if entry.action == LogEntry.Action.ACCESS:
            continue
        model = entry.content_type.model_class()
        for name, values in entry.changes_dict.items():
            field = _field(model, name)
            if field is None or not _is_reference(field) or isinstance(values, dict):
                continue
            references[field.related_model].update(  # type: ignore[index]
                str(value) for value in values if str(value) != "None"
            )
    return references


def _subject(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    kind = capfirst(model._meta.verbose_name) if model is not None else entry.content_type.model
    return f"{kind}: {entry.object_repr}"


def history_entries(
    entries: QuerySet[LogEntry],
    *,
    shown: Callable[[str], set[str] | None] = lambda name: None,
    reader: "Reader" = None,
) -> list[HistoryEntry]:
    """Entries shaped for display, newest first, with field names in the user's language
    and related objects named as ``reader`` may see them (``related_names``).
    ``shown(name)`` is the set of related objects (as recorded, by name) that a many-to-many
    change may show, or None for all of them."""
    logged = list(entries.select_related("actor", "content_type").order_by("-timestamp", "-pk"))
    names = related_names(_references(logged), reader)
    regions = _acting_regions(logged)
    rows = []
    for entry in logged:
        model = entry.content_type.model_class()
        changes = []
        recorded = entry.changes_dict if entry.action != LogEntry.Action.ACCESS else {}
        for name, values in recorded.items():
            field = _field(model, name)
            if name in HIDDEN_FIELDS or field is None:
                continue
            if isinstance(values, dict):
                # many-to-many: {"type": "m2m", "operation": "add"|"delete", "objects": [...]}
                allowed = shown(name)
                objects = ", ".join(
                    str(value)
                    for value in values.get("objects", [])
                    if allowed is None or str(value) in allowed
                )
                added = values.get("operation", values.get("type")) == "add"
                old, new = ("", objects) if added else (objects, "")
            elif len(values) == 2:
                old = _display_value(field, values[0], names)
                new = _display_value(field, values[1], names)
            else:
                continue
            if old == new:
                continue
            changes.append(FieldChange(field=str(capfirst(field.verbose_name)), old=old, new=new))
        actor = entry.actor.get_username() if entry.actor else (entry.actor_email or None)
        rows.append(
            HistoryEntry(
                timestamp=timezone.localtime(entry.timestamp).replace(microsecond=0),
                actor=actor,
                action=entry.action,
                action_label=str(ACTION_LABELS.get(entry.action, entry.action)),
                changes=changes,
                subject=_subject(entry),
                person=entry.actor,
                region=regions.get(_acting_organisation(entry), ""),
            )
        )
    return rows


def _acting_organisation(entry: LogEntry) -> int | None:
    data = entry.additional_data
    value = data.get("acting_organisation") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _acting_regions(entries: list[LogEntry]) -> dict[int | None, str]:
    """The names of the regions the entries record changes as made for (one query, none
    when no entry records one). Organisations are the sector's data: every reader sees them."""
    from portal.models import Organisation

    ids = {pk for entry in entries if (pk := _acting_organisation(entry)) is not None}
    if not ids:
        return {}
    return {
        organisation.pk: str(organisation)
        for organisation in Organisation.objects.filter(pk__in=ids)
    }


def recording(organisation_id: int) -> Q:
    """The entries that record ``organisation_id`` (``organisation_of`` when written). On
    PostgreSQL a test of the trail's generated column (``portal/migrations/0014``): an
    integer comparison the database runs before the trail's row-level security policy, so
    other organisations' entries are skipped, not each tested by the policy; elsewhere the
    entry's JSON."""
    if connections[LogEntry.objects.db].vendor != "postgresql":
        return Q(additional_data__organisation=organisation_id)
    column = RawSQL(
        '"auditlog_logentry"."portal_organisation_id"', (), output_field=BigIntegerField()
    )
    return Q(Exact(column, organisation_id))


def entries_for(obj: Model) -> QuerySet[LogEntry]:
    """The changes of ``obj``. Reads ("accessed") are not an object's history: who read
    what is listed only to those who audit (``portal.audit.reads``)."""
    entries: QuerySet[LogEntry] = LogEntry.objects.get_for_object(obj)
    return entries.exclude(action=LogEntry.Action.ACCESS)


def history_for(obj: Model, reader: "Reader" = None) -> list[HistoryEntry]:
    """``obj``'s history as ``reader`` may read it: a many-to-many change names only the
    related objects the reader may see (e.g. another region reading a shared risk sees its
    shared systems come and go, never the owner's other assets)."""
    return history_entries(entries_for(obj), shown=related_shown(obj, reader), reader=reader)


def related_shown(obj: Model, reader: "Reader") -> Callable[[str], set[str] | None]:
    """For ``history_entries``: which related objects of ``obj``'s many-to-many fields the
    reader may see named — all of them where the reader reads every such object of ``obj``'s
    organisation, otherwise those the permission layer shows them now."""
    path = getattr(type(obj), "access_policy", None)
    path = path.organisation_path(type(obj)) if path is not None else None
    if reader is None or path is None:
        return lambda name: None
    if "__" not in path and getattr(obj, f"{path}_id", None) is not None:
        organisation_id = getattr(obj, f"{path}_id")  # the object's own column, as read
    else:
        organisation_id = (
            type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True)[0]
        )

    def shown(name: str) -> set[str] | None:
        field = _field(type(obj), name)
        related = getattr(field, "related_model", None)
        if related is None or not hasattr(related, "access_policy"):
            return None
        if sees_all_of(reader, related, organisation_id):
            return None
        return {str(o) for o in getattr(obj, name).restrict(reader, Action.VIEW)}

    return shown


def _refuse_update(sender: type[LogEntry], instance: LogEntry, **kwargs: Any) -> None:
    if instance.pk is not None and not instance._state.adding:
        raise AuditTrailIsAppendOnly("audit entries cannot be changed")


def _refuse_delete(sender: type[LogEntry], instance: LogEntry, **kwargs: Any) -> None:

    raise AuditTrailIsAppendOnly("audit entries cannot be deleted")


def protect_entries() -> None:
    pre_save.connect(_refuse_update, sender=LogEntry, dispatch_uid="audit-append-only-save")
    pre_delete.connect(_refuse_delete, sender=LogEntry, dispatch_uid="audit-append-only-delete")
