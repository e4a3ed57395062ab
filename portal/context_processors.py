from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import (
    Action,
    can,
    can_add_somewhere,
    organisations_for,
    organisations_where,
    principal_for,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    active: bool


def _items_for(request: HttpRequest) -> "list[tuple[str, StrOrPromise]]":
    user = request.user
    if not principal_for(user).is_authenticated:
        return []
    items: list[tuple[str, StrOrPromise]] = [
        (reverse("home"), _("Overview")),
        (reverse("my_tasks"), _("My tasks")),
    ]
    if not can(user, "portal.start_on_sector_dashboard"):
        # The secretariat's overview is the TSI dashboard itself.
        items.append((reverse("dashboard_tsi"), _("TSI dashboard")))
    items += [
        (reverse("initiatives:portfolio"), _("Initiatives")),
        (reverse("initiatives:implementation_matrix"), _("Implementation")),
        (reverse("initiatives:working_group_list"), _("Working groups")),
        (reverse("capabilities:overview"), _("Capabilities")),
        (reverse("reports:run_list"), _("Reports")),
        (reverse("organisation_list"), _("Organisations")),
    ]
    if can(user, "portal.read_registers"):
        items.append((reverse("risks:risk_list"), _("Risks")))
        items.append((reverse("risks:asset_list"), _("Assets")))
        items.append((reverse("incidents:incident_list"), _("Incidents")))
    items.append((reverse("api-docs"), _("API")))
    from portal.models import AuditRead

    if organisations_for(user, AuditRead, Action.VIEW) != []:
        items.append((reverse("audit_reads"), _("Reads")))
    if organisations_where(user, "portal.export_audit") != frozenset():
        items.append((reverse("audit_export"), _("Audit trail")))
    if organisations_where(user, "portal.manage_people") != frozenset():
        items.append((reverse("people"), _("People and roles")))
    if can(user, "portal.operate"):
        items.append((reverse("admin:index"), _("Administration")))
    return items


def navigation(request: HttpRequest) -> dict[str, object]:
    """The main navigation, fitted to the user's roles."""
    path = request.path
    entries = _items_for(request)
    # The active item is the one whose URL is the longest prefix of the page's path.
    matches = [
        url for url, _label in entries if path == url or (url != "/" and path.startswith(url))
    ]
    active_url = max(matches, key=len, default=None)
    items = [NavItem(url=url, label=str(label), active=url == active_url) for url, label in entries]
    return {"nav_items": items, "ACTION": Action, "can_add_somewhere": can_add_somewhere}
