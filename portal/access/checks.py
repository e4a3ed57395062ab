from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet

from portal.access.actions import Action
from portal.access.named import is_named, may, named_action
from portal.access.policies import policy_of
from portal.access.principal import principal_for
from portal.access.querysets import restricted

if TYPE_CHECKING:
    from portal.models import Organisation


def can(user: AbstractBaseUser | AnonymousUser | None, action: str, *args: Any) -> bool:
    """May ``user`` do ``action``?

    * an object action (``Action``: view, add, change, delete) on one object,
      ``can(user, Action.CHANGE, risk)``: answered by the same filter as ``restrict``;
    * a named action (``named.py``) with its arguments, ``can(user, "reports.request", kind,
      organisation)``: answered by the action's rule.
    """
    if is_named(action):
        return may(user, action, *args)
    if action not in Action._value2member_map_:
        named_action(action)  # raises LookupError: neither an object action nor a name
    (obj,) = args
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    if principal.is_sector_admin:
        return True
    return restricted(type(obj)).restrict(user, action).filter(pk=obj.pk).exists()


def sees_all_of(
    user: AbstractBaseUser | AnonymousUser | None, model: type[Model], organisation_id: int
) -> bool:
    """Whether the user reads every object of ``model`` that belongs to the organisation
    (its own region's readers do; another region reading what is shared with it does not)."""
    return can_all_of(user, Action.VIEW, model, organisation_id)


def can_all_of(
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    model: type[Model],
    organisation_id: int,
) -> bool:
    """Whether the user may ``action`` every object of ``model`` that belongs to the
    organisation — answered from the roles alone, without a query (e.g. to link a list's
    rows to their edit page: a region's CISO may; a reader, or a risk owner who changes only
    their own risks, is not sure to)."""
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    return principal.is_sector_admin or policy_of(model).covers(
        principal, model, Action(action), organisation_id
    )


def acting_organisation(user: AbstractBaseUser | AnonymousUser | None, obj: Model) -> int | None:
    """The id of the organisation in whose name ``user`` changes ``obj`` — its own, or for
    an object assessed jointly the sharing organisation the user changes it for (recorded
    with each change in the audit trail); None when the user changes it for none."""
    from portal.access.policies import OrganisationOwned

    principal = principal_for(user)
    policy = policy_of(type(obj))
    if not principal.is_authenticated or not isinstance(policy, OrganisationOwned):
        return None
    return policy.acting_organisation(principal, obj)


def can_add_child(
    user: AbstractBaseUser | AnonymousUser | None, model: type[Model], parent: Model
) -> bool:
    """Whether ``user`` may add an object of ``model`` (a ``ParentPolicy`` child) to
    ``parent`` — e.g. a treatment action to a risk: whoever may change the risk, but for a
    joint risk only its lead region."""
    from portal.access.policies import ParentPolicy

    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    if principal.is_sector_admin:
        return True
    policy = policy_of(model)
    if not isinstance(policy, ParentPolicy):
        return can(user, Action.CHANGE, parent)
    q = policy.parent_q(principal, type(parent), Action.CHANGE)
    parents = type(parent)._default_manager.filter(pk=parent.pk)
    if not settings.PORTAL_ORM_RESTRICT:
        # Tests only: the database's row-level security is then the one filter (``restrict``).
        return parents.exists()
    return (parents if q is None else parents.filter(q)).exists()


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
    return policy_of(model).may_add(principal, model)


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
    return policy_of(model).organisations(principal, Action(action))


def dashboard_regions(user: AbstractBaseUser | AnonymousUser | None) -> "QuerySet[Organisation]":
    """The regions whose dashboard the user may open: those in which they hold a region role
    (CISO, risk owner, reader); every region for sector administrators."""
    from portal.access.roles import REGION_ROLES
    from portal.models import Organisation

    principal = principal_for(user)
    regions = Organisation.objects.regions().order_by("name_da")
    if principal.is_sector_admin:
        return regions
    return regions.filter(pk__in=principal.organisations_with(REGION_ROLES))
