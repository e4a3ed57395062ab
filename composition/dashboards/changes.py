"""What changed in a region's governance data, read from the audit trail."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone

from capabilities.models import MaturityAssessment
from initiatives.models import RegionalImplementation
from portal.access import Action, can_all_of, sees_all_of
from portal.audit import recording
from portal.models import Organisation
from risks.models import Asset, Risk, TreatmentAction

#: Without a previous visit, the panel looks back this far.
FIRST_VISIT_WINDOW = timedelta(days=7)
ROWS = 10


@dataclass
class Change:
    entry: LogEntry
    url: str | None


@dataclass
class Changes:
    since: datetime
    first_visit: bool
    rows: list[Change]
    total: int


def _watched(user: AbstractBaseUser, organisation: Organisation) -> dict[str, QuerySet]:
    """``"app.model"`` → the region's objects of that model the user may see."""
    models = {
        "risks.risk": Risk,
        "risks.treatmentaction": TreatmentAction,
        "risks.asset": Asset,
        "capabilities.maturityassessment": MaturityAssessment,
        "initiatives.regionalimplementation": RegionalImplementation,
    }
    return {
        key: model.objects.restrict_to(user, Action.VIEW, organisation)
        for key, model in models.items()
    }


def _url(entry: LogEntry, *, edits_treatments: bool) -> str | None:
    if entry.action == LogEntry.Action.DELETE or entry.object_id is None:
        return None
    key = f"{entry.content_type.app_label}.{entry.content_type.model}"
    pk = entry.object_id
    # A treatment action has no page of its own, only its edit form: linked for those who
    # may change every one of the region's (no link that answers 403).
    return {
        "risks.risk": lambda: reverse("risks:risk_detail", kwargs={"pk": pk}),
        "risks.treatmentaction": lambda: (
            reverse("risks:treatment_edit", kwargs={"pk": pk}) if edits_treatments else None
        ),
        "risks.asset": lambda: reverse("risks:asset_detail", kwargs={"pk": pk}),
        "capabilities.maturityassessment": lambda: reverse(
            "capabilities:assessment_detail", kwargs={"pk": pk}
        ),
        "initiatives.regionalimplementation": lambda: reverse("initiatives:implementation_matrix"),
    }[key]()


def changes_since(
    *, user: AbstractBaseUser, organisation: Organisation, since: datetime | None
) -> Changes:
    """Changes others made to the region's risks, treatment actions, assets, maturity
    campaigns and implementation rows since ``since`` (two queries). Of the kinds the user
    reads whole in the region (``sees_all_of``), every entry recording the region (deletions
    too); of the others, the entries of objects the user may see now (deleted ones are not
    listed: their region can no longer be told from the trail)."""
    first_visit = since is None
    since = since or timezone.now() - FIRST_VISIT_WINDOW
    querysets = _watched(user, organisation)
    types = ContentType.objects.get_for_models(*(queryset.model for queryset in querysets.values()))
    kinds = [types[queryset.model].pk for queryset in querysets.values()]
    whole = [
        types[queryset.model].pk
        for queryset in querysets.values()
        if sees_all_of(user, queryset.model, organisation.pk)
    ]
    # An entry records the organisation its object belonged to when written (``portal.audit``):
    # for those kinds no look at the objects, which a database under row-level security would
    # plan with each table's policies on every visit.
    watched = Q(content_type_id__in=whole) & recording(organisation.pk)
    for queryset in querysets.values():
        if types[queryset.model].pk in whole:
            continue
        # EXISTS per entry, not IN (all of the region's ids): the recent entries are few,
        # the region's objects many.
        watched |= Q(content_type_id=types[queryset.model].pk) & Q(
            Exists(queryset.order_by().filter(pk=OuterRef("object_id")))
        )
    entries = (
        # The kinds of entry also as a test of the entry's own column, which the database's
        # row-level security may run before its policy (it reveals nothing): the policy then
        # looks only at the watched kinds' entries.
        LogEntry.objects.filter(watched, content_type_id__in=kinds, timestamp__gt=since)
        .exclude(action=LogEntry.Action.ACCESS)
        .exclude(actor=user)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    rows = list(entries.annotate(total=Window(Count("pk")))[:ROWS])
    edits = can_all_of(user, Action.CHANGE, TreatmentAction, organisation.pk)
    total = rows[0].total if rows else 0
    return Changes(
        since=since,
        first_visit=first_visit,
        rows=[Change(entry=entry, url=_url(entry, edits_treatments=edits)) for entry in rows],
        total=total,
    )
