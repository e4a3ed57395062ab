"""Reads of the risk register, restricted by the permission layer, in constant queries."""

from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from portal.access import Action
from portal.api.links import link_ids_attach
from portal.charts import Heatmap
from portal.models import Organisation
from risks.models import Asset, Risk, RiskMatrix, RiskSnapshot, TreatmentAction
from risks.services import risk_matrix_for


def risk_register(*, user: AbstractBaseUser) -> QuerySet[Risk]:
    """The risks the user may see (their regions' and those on systems shared with them)."""
    return Risk.objects.restrict(user, Action.VIEW).select_related(
        "organisation", "threat", "owner", "discipline"
    )


def with_review_state(queryset: QuerySet[Risk], *, today: date | None = None) -> QuerySet[Risk]:
    today = today or date.today()
    overdue_actions = TreatmentAction.objects.filter(
        risk=OuterRef("pk"), status__in=["open", "in_progress"], due__lt=today
    )
    return queryset.annotate(has_overdue_actions=Exists(overdue_actions))


def heatmap_counts(queryset: QuerySet[Risk], *, kind: str) -> dict[tuple[int, int], int]:
    """``{(likelihood, consequence): count}`` for ``kind`` "inherent" or "residual" (1 query)."""
    rows = (
        queryset.order_by()
        .values(f"{kind}_likelihood", f"{kind}_consequence")
        .annotate(n=Count("pk"))
    )
    return {(row[f"{kind}_likelihood"], row[f"{kind}_consequence"]): row["n"] for row in rows}


def level_counts(queryset: QuerySet[Risk], *, kind: str = "residual") -> dict[str, int]:
    rows = queryset.order_by().values(f"{kind}_level").annotate(n=Count("pk"))
    return {row[f"{kind}_level"]: row["n"] for row in rows}


def register_heatmap(
    *,
    queryset: QuerySet[Risk],
    matrix: RiskMatrix,
    kind: str,
    url_for: Callable[[int, int], str | None],
) -> Heatmap:
    """``queryset``'s risks on ``matrix``'s grid, each cell linking to ``url_for(l, c)``."""
    title = _("Inherent risk") if kind == "inherent" else _("Residual risk")
    counts = heatmap_counts(queryset, kind=kind)
    return Heatmap(
        title=title,
        description=_("%(total)s risks by likelihood and consequence.")
        % {"total": sum(counts.values())},
        likelihood_labels=matrix.likelihood_labels,
        consequence_labels=matrix.consequence_labels,
        counts=counts,
        level_for=matrix.level_for,
        colour_for=matrix.colour_for,
        url_for=url_for,
        axis_likelihood=_("Likelihood"),
        axis_consequence=_("Consequence"),
    )


def matrix_of(user: AbstractBaseUser, organisation: Organisation | None) -> RiskMatrix:
    """The matrix to draw: the organisation's, or a default one for a mixed view."""
    if organisation is not None:
        return risk_matrix_for(organisation)
    return RiskMatrix()


def treatment_plan(
    queryset: QuerySet[TreatmentAction], *, today: date | None = None
) -> QuerySet[TreatmentAction]:
    """Open actions of ``queryset`` (already restricted), overdue first, then by due date."""
    today = today or date.today()
    return (
        queryset.filter(status__in=["open", "in_progress"])
        .select_related("risk", "risk__organisation", "owner")
        .annotate(overdue=Q(due__lt=today))
        .order_by("-overdue", "due", "pk")
    )


def snapshots_for(organisation: Organisation) -> QuerySet[RiskSnapshot]:
    return RiskSnapshot.objects.filter(organisation=organisation).order_by("period")


def inventory_counts(organisation: Organisation) -> dict[str, int]:
    """What the asset inventory says about the digital attack surface."""
    rows = Asset.objects.filter(organisation=organisation).aggregate(
        systems=Count("pk", filter=Q(kind=Asset.Kind.SYSTEM)),
        medical_devices=Sum("quantity", filter=Q(kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY)),
    )
    return {key: value or 0 for key, value in rows.items()}


def systems_near_end_of_support(
    *, organisation: Organisation, today: date | None = None, months: int = 12
) -> QuerySet[Asset]:
    """Systems whose support ends within ``months`` ("teknologiske udløbsdatoer er nær")."""
    today = today or date.today()
    return Asset.objects.filter(
        organisation=organisation,
        end_of_support__isnull=False,
        end_of_support__lte=today + timedelta(days=round(months * 30.44)),
    ).order_by("end_of_support")


def risks_links_attach(risks: list[Risk]) -> None:
    """For a page of risks shown by id: their assets', initiatives' and capabilities' ids and
    the regions their assets are shared with (``shared_slugs``), in four queries."""
    link_ids_attach(risks, "assets", "initiatives", "capabilities")
    asset_ids = {asset for risk in risks for asset in risk._link_ids["assets"]}
    shared: dict[int, set[str]] = {}
    rows = Asset.shared_with.through.objects.filter(asset_id__in=asset_ids).values_list(
        "asset_id", "organisation__slug"
    )
    for asset, slug in rows:
        shared.setdefault(asset, set()).add(slug)
    for risk in risks:
        risk.shared_slugs = sorted(
            {slug for asset in risk._link_ids["assets"] for slug in shared.get(asset, ())}
        )
