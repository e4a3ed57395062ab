"""What changed in a region's governance data, read from the audit trail."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone

from capabilities.models import MaturityAssessment
from initiatives.models import RegionalImplementation
from portal.access import Action
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


def _url(entry: LogEntry) -> str | None:
    if entry.action == LogEntry.Action.DELETE or entry.object_id is None:
        return None
    key = f"{entry.content_type.app_label}.{entry.content_type.model}"
    pk = entry.object_id
    return {
        "risks.risk": lambda: reverse("risks:risk_detail", kwargs={"pk": pk}),
        "risks.treatmentaction": lambda: reverse("risks:treatment_edit", kwargs={"pk": pk}),
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
    campaigns and implementation rows since ``since`` (two queries). Objects deleted since
    are not listed: their region can no longer be told from the trail."""
    first_visit = since is None
    since = since or timezone.now() - FIRST_VISIT_WINDOW
    watched = Q()
    for key, queryset in _watched(user, organisation).items():
        app_label, model = key.split(".")
        # EXISTS per entry, not IN (all of the region's ids): the recent entries are few,
        # the region's objects many.
        watched |= Q(content_type__app_label=app_label, content_type__model=model) & Q(
            Exists(queryset.order_by().filter(pk=OuterRef("object_id")))
        )
    entries = (
        LogEntry.objects.filter(watched, timestamp__gt=since)
        .exclude(action=LogEntry.Action.ACCESS)
        .exclude(actor=user)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    rows = list(entries.annotate(total=Window(Count("pk")))[:ROWS])
    total = rows[0].total if rows else 0
    return Changes(
        since=since,
        first_visit=first_visit,
        rows=[Change(entry=entry, url=_url(entry)) for entry in rows],
        total=total,
    )
