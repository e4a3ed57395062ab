"""What the permission layer knows about a user: their role memberships, read once."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied

from portal.access.roles import Role

_CACHE_ATTRIBUTE = "_portal_principal"


@dataclass(frozen=True)
class Principal:
    user: AbstractBaseUser | AnonymousUser
    is_sector_admin: bool = False
    roles_by_organisation: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_active)

    def organisations_with(self, roles: Iterable[str]) -> list[int]:
        """Ids of the organisations in which the user holds any of ``roles``."""
        wanted = set(roles)
        return sorted(
            org_id for org_id, held in self.roles_by_organisation.items() if held & wanted
        )

    def has_role(self, role: str, organisation_id: int | None = None) -> bool:
        if organisation_id is not None:
            return role in self.roles_by_organisation.get(organisation_id, frozenset())
        return any(role in held for held in self.roles_by_organisation.values())

    def has_any_role(self, roles: Iterable[str]) -> bool:
        return any(self.has_role(role) for role in roles)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*self.roles_by_organisation.values())


def principal_for(user: AbstractBaseUser | AnonymousUser | None) -> Principal:
    """The user's principal, computed with one query and kept on the user object."""
    if user is None:
        return Principal(user=AnonymousUser())
    cached: Principal | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if not (user.is_authenticated and user.is_active):
        principal = Principal(user=user)
    else:
        from portal.models import Membership

        roles: dict[int, set[str]] = {}
        for organisation_id, role in Membership.objects.filter(user_id=user.pk).values_list(
            "organisation_id", "role"
        ):
            roles.setdefault(organisation_id, set()).add(role)
        principal = Principal(
            user=user,
            is_sector_admin=bool(getattr(user, "is_superuser", False))
            or any(Role.SECTOR_ADMIN in held for held in roles.values()),
            roles_by_organisation={org: frozenset(held) for org, held in roles.items()},
        )
    setattr(user, _CACHE_ATTRIBUTE, principal)
    return principal


def signed_in_user(user: AbstractBaseUser | AnonymousUser) -> User:
    """The user of a view that requires sign-in (the login requirement has run; this says so
    to the type checker, and refuses anyone else rather than acting as them)."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def forget_principal(user: AbstractBaseUser | AnonymousUser) -> None:
    """Drop the cached principal, e.g. after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
