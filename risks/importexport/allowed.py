"""The values a column of an import accepts, as the user may write them: the template's
"Allowed values" sheet and the list an unknown value's error names. Related objects (owners,
assets, threats, regions) come through the permission layer, so that neither ever names an
object the user may not see."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from capabilities.models import Discipline
from portal.access import Action
from portal.access.choices import scope_choices
from portal.models import Membership, Organisation
from risks.importexport.layouts import (
    ACTION_STATUS_WORDS,
    ASSET_KIND_WORDS,
    ATTACK_SURFACE_WORDS,
    BOOLEAN_WORDS,
    RISK_STATUS_WORDS,
    TREATMENT_WORDS,
    Layout,
)
from risks.models import Asset, Risk, Threat, risk_matrix_for
from risks.models.dimension import dimension_field

#: The most values an error message lists; the template lists them all.
MAX_LISTED = 20

User = AbstractBaseUser | AnonymousUser | None


def listing(values: Sequence[str]) -> str:
    """``values`` for a sentence: the first ``MAX_LISTED``, then "…" when there are more."""
    shown = ", ".join(values[:MAX_LISTED])
    return f"{shown}, …" if len(values) > MAX_LISTED else shown


def with_allowed(problem: str, values: Sequence[str]) -> str:
    """An unknown value's message followed by the values the column accepts."""
    if not values:
        return problem
    return _("%(problem)s; allowed values: %(values)s") % {
        "problem": problem,
        "values": listing(values),
    }


def _words(words: dict[str, tuple[str, ...]] | dict[bool, tuple[str, ...]]) -> list[str]:
    return [spellings[0] for spellings in words.values()]


def owner_names(*, organisation: Organisation, user: User) -> list[str]:
    """User names of the organisation's active members that ``user`` may see named."""
    members = get_user_model()._default_manager.filter(
        is_active=True,
        pk__in=Membership.objects.filter(organisation=organisation).values("user_id"),
    )
    people: QuerySet[AbstractBaseUser] = scope_choices(members, user=user)
    field = get_user_model().USERNAME_FIELD
    return list(people.order_by(field).values_list(field, flat=True).distinct())


def visible_assets(*, organisation: Organisation, user: User) -> QuerySet[Asset]:
    """The organisation's assets ``user`` may see."""
    return Asset.objects.restrict(user, Action.VIEW).filter(organisation=organisation)


def asset_names(*, organisation: Organisation, user: User) -> list[str]:
    assets = visible_assets(organisation=organisation, user=user)
    return list(assets.order_by("name").values_list("name", flat=True).distinct())


def threat_names(*, user: User) -> list[str]:
    threats: QuerySet[Threat] = scope_choices(Threat.objects.all(), user=user)
    return list(threats.order_by("name_da").values_list("name_da", flat=True))


def region_slugs() -> list[str]:
    return list(Organisation.objects.regions().order_by("slug").values_list("slug", flat=True))


def allowed_values(
    *, layout: Layout, organisation: Organisation, user: User
) -> dict[str, list[str]]:
    """The values each column of ``layout`` with a fixed list accepts when ``user`` imports
    into ``organisation``, by field (free text, numbers without a scale and dates have none).
    Choices are given by their Danish word; the English word and the code are accepted too."""
    if layout.name == "risks":
        matrix = risk_matrix_for(organisation)
        likelihoods = [str(n) for n in range(1, matrix.likelihood_size + 1)]
        consequences = [str(n) for n in range(1, matrix.consequence_size + 1)]
        # The four disciplines of the strategy: reference data, the same for everyone.
        disciplines = Discipline.objects.order_by("order").values_list("name_da", flat=True)
        return {
            "threat": threat_names(user=user),
            "attack_surface": _words(ATTACK_SURFACE_WORDS),
            "discipline": list(disciplines),
            "inherent_likelihood": likelihoods,
            "inherent_consequence": consequences,
            **{dimension_field(dimension): consequences for dimension in matrix.dimensions},
            "residual_likelihood": likelihoods,
            "residual_consequence": consequences,
            "owner": owner_names(organisation=organisation, user=user),
            "status": _words(RISK_STATUS_WORDS),
            "treatment": _words(TREATMENT_WORDS),
            "assets": asset_names(organisation=organisation, user=user),
        }
    if layout.name == "assets":
        slugs = [slug for slug in region_slugs() if slug != organisation.slug]
        return {
            "kind": _words(ASSET_KIND_WORDS),
            "is_legacy": _words(BOOLEAN_WORDS),
            "shared_with": slugs,
        }
    risks = Risk.objects.restrict(user, Action.VIEW).filter(organisation=organisation)
    return {
        "risk": list(risks.order_by("title").values_list("title", flat=True).distinct()),
        "owner": owner_names(organisation=organisation, user=user),
        "status": _words(ACTION_STATUS_WORDS),
    }
