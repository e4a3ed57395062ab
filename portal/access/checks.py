from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet

from portal.access.actions import Action
from portal.access.principal import principal_for

if TYPE_CHECKING:
    from portal.models import Organisation


def can(user: AbstractBaseUser | AnonymousUser | None, action: str, obj: Model) -> bool:
    """May ``user`` do ``action`` on ``obj``? Answered by the same filter as ``restrict``."""
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    if principal.is_sector_admin:
        return True
    manager = type(obj)._default_manager
    return manager.restrict(user, action).filter(pk=obj.pk).exists()


def sees_all_of(
    user: AbstractBaseUser | AnonymousUser | None, model: type[Model], organisation_id: int
) -> bool:
    """Whether the user reads every object of ``model`` that belongs to the organisation
    (its own region's readers do; another region reading what is shared with it does not)."""
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    return principal.is_sector_admin or model.access_policy.covers(  # type: ignore[attr-defined]
        principal, model, Action.VIEW, organisation_id
    )


def is_sector_admin(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Sector-wide operations (e.g. exporting the audit trail) are the sector admins' alone."""
    principal = principal_for(user)
    return principal.is_authenticated and principal.is_sector_admin


def can_add_somewhere(user: AbstractBaseUser | AnonymousUser | None, model: type[Model]) -> bool:
    """Whether the user could add an object of ``model`` at all (to show an "Add" button)."""
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    if principal.is_sector_admin:
        return True
    return model.access_policy.may_add(principal, model)  # type: ignore[attr-defined]


def organisations_for(
    user: AbstractBaseUser | AnonymousUser | None, model: type[Model], action: str
) -> list[int] | None:
    """Ids of the organisations in which the user may ``action`` objects of ``model``.

    ``None`` means every organisation (sector administrators, sector-wide readers).
    """
    principal = principal_for(user)
    if principal.is_sector_admin:
        return None
    if not principal.is_authenticated:
        return []
    return model.access_policy.organisations(principal, Action(action))  # type: ignore[attr-defined]


def dashboard_regions(user: AbstractBaseUser | AnonymousUser | None) -> "QuerySet[Organisation]":
    """The regions whose dashboard the user may open: those in which they hold a region role
    (CISO, risk owner, reader); every region for sector administrators."""
    from portal.access.roles import REGION_ROLES
    from portal.models import Organisation

    principal = principal_for(user)
    regions = Organisation.objects.filter(kind=Organisation.Kind.REGION).order_by("name_da")
    if principal.is_sector_admin:
        return regions
    return regions.filter(pk__in=principal.organisations_with(REGION_ROLES))
