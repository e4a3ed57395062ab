from typing import TYPE_CHECKING, Self

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from portal.access.actions import Action
from portal.access.principal import principal_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may see or do."""

    def restrict(
        self, user: "AbstractBaseUser | AnonymousUser | None", action: str = Action.VIEW
    ) -> Self:
        policy = getattr(self.model, "access_policy", None)
        if policy is None:
            raise ImproperlyConfigured(f"{self.model.__name__} declares no access_policy")
        principal = principal_for(user)
        if not principal.is_authenticated:
            return self.none()
        if principal.is_sector_admin:
            return self
        q = policy.q(principal, self.model, Action(action))
        return self if q is None else self.filter(q)
