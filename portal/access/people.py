"""Who holds a role: the queries over memberships that other code needs (mail recipients,
service accounts' reading rights, counts), so that nothing outside the permission layer
filters memberships by role."""

from typing import TYPE_CHECKING, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from portal.access.named import may, organisations_where
from portal.access.principal import forget_principal, principal_for
from portal.access.roles import Role
from portal.access.rules import DELEGATED_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from portal.models import Organisation


def people_with_role(organisation: "Organisation", *roles: str) -> "QuerySet[User]":
    """The active users who hold one of ``roles`` in ``organisation``."""
    return (
        get_user_model()
        ._default_manager.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role__in=roles,
        )
        .distinct()
    )


def cisos_of(organisation: "Organisation") -> "QuerySet[User]":
    """The organisation's active CISOs (who receive its risk and report mail)."""
    return people_with_role(organisation, Role.CISO)


def risk_owners_of(organisation: "Organisation") -> "QuerySet[User]":
    """The organisation's active risk owners (e.g. those it may name on a joint risk)."""
    return people_with_role(organisation, Role.RISK_OWNER)


def grant_reading(user: "User", organisation: "Organisation") -> None:
    """Let ``user`` read the organisation's data, as a viewer (e.g. a service account)."""
    from portal.models import Membership

    Membership.objects.create(user=user, organisation=organisation, role=Role.VIEWER)
    forget_principal(user)


def member_counts_by_role() -> dict[str, Count]:
    """Annotations for an organisation queryset: for each role (by its value), how many
    people hold it in the organisation."""
    return {
        role: Count("memberships", filter=Q(memberships__role=role), distinct=True)
        for role in Role.values
    }


def people_managed_by(user: "AbstractBaseUser | AnonymousUser | None") -> "QuerySet[User]":
    """The accounts ``user`` may manage (the named action ``portal.manage_account``, as a
    queryset): for sector administrators every account but service accounts; for a region's
    CISO the accounts whose every membership is a risk owner's or a viewer's in their own
    region(s), with at least one such membership (no staff, no superusers); never the user's
    own account. Nobody else manages any."""
    from portal.models import Membership

    people = get_user_model()._default_manager.filter(service_account__isnull=True)
    principal = principal_for(user)
    if not principal.is_authenticated:
        return people.none()
    if principal.user is not None:  # signed in: never one's own account
        people = people.exclude(pk=cast(int, principal.user.pk))
    if principal.is_sector_admin:
        return people
    own = principal.organisations_with([Role.CISO])
    if not own:
        return people.none()
    memberships = Membership.objects.filter(user=OuterRef("pk"))
    kept = memberships.filter(organisation_id__in=own, role__in=DELEGATED_ROLES)
    other = memberships.exclude(organisation_id__in=own, role__in=DELEGATED_ROLES)
    return people.filter(Exists(kept), ~Exists(other), is_staff=False, is_superuser=False)


def people_holding(
    people: "QuerySet[User]", *, organisation: "Organisation | None", role: str | None
) -> "QuerySet[User]":
    """``people`` narrowed to those holding ``role`` (any role when None) in
    ``organisation`` (any organisation when None) — one membership holding both."""
    from portal.models import Membership

    if organisation is None and not role:
        return people
    memberships = Membership.objects.filter(user=OuterRef("pk"))
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    if role:
        memberships = memberships.filter(role=role)
    return people.filter(Exists(memberships))


def grantable_roles(
    user: "AbstractBaseUser | AnonymousUser | None", organisation: "Organisation | None" = None
) -> list[str]:
    """The roles ``user`` may give (``portal.grant_role``) in ``organisation``, or in some
    organisation when it is None — in the order of ``Role``."""
    if organisation is not None:
        return [role for role in Role.values if may(user, "portal.grant_role", role, organisation)]
    scope = organisations_where(user, "portal.grant_role")
    if scope is None:
        return list(Role.values)
    return [
        role
        for role in Role.values
        if any(may(user, "portal.grant_role", role, organisation_id) for organisation_id in scope)
    ]
