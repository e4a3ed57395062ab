"""Who holds a role: the queries over memberships that other code needs (mail recipients,
service accounts' reading rights, counts), so that nothing outside the permission layer
filters memberships by role."""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from portal.access.principal import forget_principal
from portal.access.roles import Role

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
