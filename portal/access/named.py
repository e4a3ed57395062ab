"""Named actions: rights that are not "may see / change this object" but a decision with a
name — approving a maturity campaign, requesting a report edition, exporting the audit
trail.

Each is declared once, as a ``NamedAction`` with a description and a ``Rule`` built from the
helpers in ``rules.py``, and asked through ``can(user, name, *args)``::

    can(request.user, "capabilities.approve", assessment)
    can(request.user, "reports.request", kind, organisation)
    can(request.user, "portal.export_audit")

The portal's own actions are registered in ``portal/named_actions.py``; a domain app
registers its actions in ``<app>/named_actions.py`` (imported when the portal is ready). A
registration names rules from ``portal.access.rules`` and may add conditions on its own
arguments (``when``), but reads no roles itself. Names are ``<app>.<verb>`` and never one of
the object actions (``view``, ``add``, ``change``, ``delete``), so ``can`` tells them apart.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.functional import Promise

from portal.access.actions import Action
from portal.access.principal import principal_for
from portal.access.rules import Rule, Scope


@dataclass(frozen=True)
class NamedAction:
    #: ``<app>.<verb>``, e.g. ``reports.request``.
    name: str
    #: What the action lets a user do, and who may (shown to developers, not users).
    description: str | Promise
    rule: Rule
    #: The arguments ``can`` expects after the name, for documentation and tests.
    arguments: tuple[str, ...] = ()


_REGISTRY: dict[str, NamedAction] = {}


def register(action: NamedAction) -> NamedAction:
    if action.name in Action._value2member_map_:
        raise ValueError(f"{action.name!r} is an object action, not a name")
    existing = _REGISTRY.get(action.name)
    if existing is not None and existing != action:
        raise ValueError(f"the named action {action.name!r} is registered already")
    _REGISTRY[action.name] = action
    return action


def named_action(name: str) -> NamedAction:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no named action {name!r} is registered") from None


def named_actions() -> Iterator[NamedAction]:
    """Every registered named action, by name."""
    return iter(sorted(_REGISTRY.values(), key=lambda action: action.name))


def is_named(action: str) -> bool:
    return action in _REGISTRY


def may(user: AbstractBaseUser | AnonymousUser | None, name: str, *args: Any) -> bool:
    """May ``user`` take the named action ``name`` (with its arguments)?"""
    action = named_action(name)
    principal = principal_for(user)
    if not principal.is_authenticated:
        return False
    return action.rule(principal, *args)


def organisations_where(user: AbstractBaseUser | AnonymousUser | None, name: str) -> Scope:
    """Ids of the organisations in which ``user`` may take the named action for some
    arguments — ``None`` for every organisation, an empty set for none (e.g. to offer the
    organisations of a form's select)."""
    action = named_action(name)
    principal = principal_for(user)
    if not principal.is_authenticated:
        return frozenset()
    return action.rule.scope(principal)


def autodiscover() -> None:
    """Import every installed app's ``named_actions`` module, which registers its actions."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("named_actions")
