from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from portal.access.actions import Action
from portal.access.policies import AccessPolicy, policy_of
from portal.access.principal import principal_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from portal.models import Organisation


_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M, _M]):
    """A queryset that can be narrowed to what a user may see or do."""

    def restrict(
        self, user: "AbstractBaseUser | AnonymousUser | None", action: str = Action.VIEW
    ) -> Self:
        policy = policy_of(self.model)
        if not settings.PORTAL_ORM_RESTRICT:
            # Tests only: the database's row-level security is then the one filter.
            return self
        principal = principal_for(user)
        if not principal.is_authenticated:
            return self.none()
        if principal.is_sector_admin:
            return self
        q = policy.q(principal, self.model, Action(action))
        return self if q is None else self.filter(q)

    def restrict_to(
        self,
        user: "AbstractBaseUser | AnonymousUser | None",
        action: str,
        organisation: "Organisation",
    ) -> Self:
        """``restrict(user, action)`` narrowed to one organisation's objects — the same rows,
        but when the user's roles give them every object of that organisation the filter is
        just the organisation, without the branches for objects shared from elsewhere (which
        a planner cannot drop on its own, and which dashboards would pay for on every
        query)."""
        policy: AccessPolicy | None = getattr(self.model, "access_policy", None)
        path = policy.organisation_path(self.model) if policy is not None else None
        if policy is None or path is None:
            raise ImproperlyConfigured(f"{self.model.__name__} belongs to no organisation")
        principal = principal_for(user)
        if principal.is_authenticated and (
            principal.is_sector_admin
            or policy.covers(principal, self.model, Action(action), organisation.pk)
        ):
            return self.filter(**{path: organisation})
        return self.restrict(user, action).filter(**{path: organisation})


def restricted(model: type[_M]) -> "RestrictedQuerySet[_M]":
    """All objects of ``model`` through its default manager, which the permission layer's
    models build from ``RestrictedQuerySet``."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, RestrictedQuerySet):
        raise ImproperlyConfigured(f"{model.__name__}'s default manager does not restrict")
    return queryset
