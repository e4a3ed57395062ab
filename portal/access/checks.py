from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model

from portal.access.actions import Action
from portal.access.principal import principal_for


def can(user: AbstractBaseUser | AnonymousUser | None, action: str, obj: Model) -> bool:
    """May ``user`` do ``action`` on ``obj``? Answered by the same filter as ``restrict``."""
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    if principal.is_sector_admin:
        return True
    manager = type(obj)._default_manager
    return manager.restrict(user, action).filter(pk=obj.pk).exists()


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
