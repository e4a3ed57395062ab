"""Rules for named actions: the role logic of the portal, in one place.

A named action (``named.py``) is answered by a ``Rule``: given the user's ``Principal`` and
the action's arguments (an object, an organisation, a report kind …) it says yes or no, and
it says in which organisations it can say yes at all (``scope``), so that a form can offer
exactly those organisations. Apps compose their rules from the helpers below with ``|``,
``&`` and ``~``; only this module reads roles.

The organisation an action is about is found in its arguments: the last argument that is an
organisation, an organisation's id, or an object with an ``organisation_id``; ``None`` means
the action is about no organisation (e.g. a sector-wide report edition).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from portal.access.principal import Principal
from portal.access.roles import REGION_ROLES, Role

#: The organisations in which a rule can hold; ``None``: any organisation.
Scope = frozenset[int] | None

EVERYWHERE: Scope = None
NOWHERE: Scope = frozenset()


@dataclass(frozen=True)
class Rule:
    """``test(principal, *args)`` answers; ``scope(principal)`` bounds the organisations."""

    test: Callable[..., bool]
    scope: Callable[[Principal], Scope]

    def __call__(self, principal: Principal, *args: Any) -> bool:
        return bool(self.test(principal, *args))

    def __or__(self, other: "Rule") -> "Rule":
        return any_of(self, other)

    def __and__(self, other: "Rule") -> "Rule":
        return all_of(self, other)

    def __invert__(self) -> "Rule":
        # What a negation allows is not bounded by the organisations of what it negates.
        return Rule(test=lambda p, *args: not self(p, *args), scope=lambda p: EVERYWHERE)


def _union(scopes: Iterable[Scope]) -> Scope:
    result: set[int] = set()
    for scope in scopes:
        if scope is None:
            return None
        result |= scope
    return frozenset(result)


def _intersection(scopes: Iterable[Scope]) -> Scope:
    result: frozenset[int] | None = None
    for scope in scopes:
        if scope is not None:
            result = scope if result is None else result & scope
    return result


def any_of(*rules: Rule) -> Rule:
    return Rule(
        test=lambda p, *args: any(rule(p, *args) for rule in rules),
        scope=lambda p: _union(rule.scope(p) for rule in rules),
    )


def all_of(*rules: Rule) -> Rule:
    return Rule(
        test=lambda p, *args: all(rule(p, *args) for rule in rules),
        scope=lambda p: _intersection(rule.scope(p) for rule in rules),
    )


def organisation_id_of(*args: Any) -> int | None:
    """The id of the organisation the arguments are about (see the module's docstring)."""
    from portal.models import Organisation

    for arg in reversed(args):
        if arg is None:
            return None
        if isinstance(arg, Organisation):
            return arg.pk
        if isinstance(arg, int) and not isinstance(arg, bool):
            return arg
        if hasattr(arg, "organisation_id"):
            organisation_id: int | None = arg.organisation_id
            return organisation_id
    return None


def when(predicate: Callable[..., bool]) -> Rule:
    """Holds when ``predicate(*args)`` does — a condition on the arguments, not on roles
    (e.g. the report kind). It does not bound the organisations."""
    return Rule(test=lambda p, *args: bool(predicate(*args)), scope=lambda p: EVERYWHERE)


#: Holds for every signed-in user (the permission layer refuses anonymous users first).
signed_in = Rule(test=lambda p, *args: p.is_authenticated, scope=lambda p: EVERYWHERE)

#: Holds when the action is about no organisation (a sector-wide edition); never inside one.
about_no_organisation = Rule(
    test=lambda p, *args: organisation_id_of(*args) is None, scope=lambda p: NOWHERE
)

#: Sector administrators (and superusers): every organisation.
sector_admin = Rule(
    test=lambda p, *args: p.is_sector_admin,
    scope=lambda p: EVERYWHERE if p.is_sector_admin else NOWHERE,
)


def holds(*roles: str) -> Rule:
    """Holds when the user has one of ``roles`` in any organisation (a sector-wide right)."""
    return Rule(
        test=lambda p, *args: p.has_any_role(roles),
        scope=lambda p: EVERYWHERE if p.has_any_role(roles) else NOWHERE,
    )


def holds_in(*roles: str) -> Rule:
    """Holds when the user has one of ``roles`` in the organisation the action is about."""

    def test(p: Principal, *args: Any) -> bool:
        organisation_id = organisation_id_of(*args)
        return organisation_id is not None and any(
            p.has_role(role, organisation_id) for role in roles
        )

    return Rule(test=test, scope=lambda p: frozenset(p.organisations_with(roles)))


#: The TSI secretariat (a role held in the sector body, valid sector-wide).
secretariat = holds(Role.SECRETARIAT)
#: The CISO of the organisation the action is about.
ciso_of = holds_in(Role.CISO)

#: The region's management (direktion) of the organisation the action is about.
direktion_of = holds_in(Role.DIREKTION)

#: A region's readers (internal audit): they read the region's audit trail.
reader_of = holds_in(Role.VIEWER)
#: Anyone with a region role (CISO, risk owner, viewer, direktion) in the organisation.
member_of_region = holds_in(*REGION_ROLES)
#: Anyone with a region role in some region.
in_some_region = holds(*REGION_ROLES)
#: A region's CISO or a risk owner in some region: the people who work in a register.
works_in_region = holds(Role.CISO, Role.RISK_OWNER)

#: The roles a region's CISO gives and takes away in their own region; the sector
#: administrators give every role.
DELEGATED_ROLES = (Role.RISK_OWNER, Role.VIEWER)


def role_is(*roles: str) -> Rule:
    """Holds when the action is about one of ``roles``: its first argument is the role, or
    an object (a membership) whose ``role`` is."""

    def test(p: Principal, *args: Any) -> bool:
        if not args:
            return False
        role = getattr(args[0], "role", args[0])
        return role in roles

    return Rule(test=test, scope=lambda p: EVERYWHERE)


def _user_id_of(arg: Any) -> int | None:
    if hasattr(arg, "user_id"):
        return int(arg.user_id)
    pk = getattr(arg, "pk", None)
    return pk if isinstance(pk, int) else None


#: Holds when the action is about the user themselves (their own account or membership).
about_oneself = Rule(
    test=lambda p, *args: bool(args) and _user_id_of(args[0]) == p.user.pk,
    scope=lambda p: EVERYWHERE,
)


def is_service_account(account: Any) -> bool:
    """Whether ``account`` is a service account's user (kept on the service accounts' page)."""
    return hasattr(account, "service_account")


#: Holds when the action is about a service account.
about_service_account = Rule(
    test=lambda p, *args: bool(args) and is_service_account(args[0]),
    scope=lambda p: EVERYWHERE,
)


def delegated_account_of(p: Principal, account: Any) -> bool:
    """Whether ``account`` is one a region's CISO keeps: it holds at least one membership,
    and every membership it holds is a delegated role (``DELEGATED_ROLES``) in a region
    where ``p`` is CISO; never a service account, staff or a superuser."""
    if account is None or getattr(account, "pk", None) is None:
        return False
    if getattr(account, "is_staff", False) or getattr(account, "is_superuser", False):
        return False
    if is_service_account(account):
        return False
    own = set(p.organisations_with([Role.CISO]))
    if not own:
        return False
    held = [(m.organisation_id, m.role) for m in account.memberships.all()]
    return bool(held) and all(
        organisation in own and role in DELEGATED_ROLES for organisation, role in held
    )


#: The accounts a region's CISO keeps (``delegated_account_of``).
keeps_account = Rule(
    test=lambda p, *args: bool(args) and delegated_account_of(p, args[0]),
    scope=lambda p: frozenset(p.organisations_with([Role.CISO])),
)
