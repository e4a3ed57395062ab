"""What the apps above show on a capability's page.

Capabilities are the floor that initiatives and risks stand on, so this app cannot ask them
for their objects. Instead they register a provider when they start (their ``AppConfig.ready``),
and the capability page lists whatever the providers return for the person reading it — each
provider reads through the permission layer itself.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from capabilities.models import Capability

Provider = Callable[..., Iterable[Any]]

_providers: dict[str, Provider] = {}


def related_register(name: str, provider: Provider) -> None:
    """``provider(user=…, capability=…)`` returns what the page lists under ``name``."""
    _providers[name] = provider


def related_to(
    capability: Capability, *, user: AbstractBaseUser | AnonymousUser
) -> dict[str, Iterable[Any]]:
    return {
        name: provider(user=user, capability=capability) for name, provider in _providers.items()
    }
