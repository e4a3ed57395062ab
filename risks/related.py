"""What the floors above show on a risk's page.

The incidents sit a floor above the risk register, so this app cannot ask them for their
objects. Instead an app registers a provider when it starts (its ``AppConfig.ready``), and the
risk page shows a section for each, with whatever the provider returns for the person
reading it — each provider reads through the permission layer itself (as
``capabilities.related`` does for the capability page).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from risks.models import Risk


@dataclass(frozen=True)
class RelatedItem:
    url: str
    title: str
    note: str = ""


@dataclass(frozen=True)
class RelatedSection:
    #: The section's id on the page.
    anchor: str
    heading: Any
    items: Sequence[RelatedItem]
    #: What the section says when it lists nothing.
    empty: Any = ""


Provider = Callable[..., RelatedSection]

_providers: dict[str, Provider] = {}


def risk_related_register(name: str, provider: Provider) -> None:
    """``provider(user=…, risk=…)`` returns the section the risk page shows under ``name``."""
    _providers[name] = provider


def related_to_risk(risk: Risk, *, user: AbstractBaseUser | AnonymousUser) -> list[RelatedSection]:
    return [provider(user=user, risk=risk) for _name, provider in sorted(_providers.items())]
