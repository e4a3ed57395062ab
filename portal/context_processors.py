from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access import Action, can_add_somewhere, organisations_for, principal_for
from portal.access.roles import REGION_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    active: bool


def _items_for(request: HttpRequest) -> list[tuple[str, str]]:
    principal = principal_for(request.user)
    if not principal.is_authenticated:
        return []
    items = [(reverse("home"), _("Overview"))]
    if principal.is_sector_admin or not principal.has_role(Role.SECRETARIAT):
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
    if principal.is_sector_admin or principal.has_any_role(REGION_ROLES):
        items.append((reverse("risks:risk_list"), _("Risks")))
        items.append((reverse("risks:asset_list"), _("Assets")))
    items.append((reverse("api-docs"), _("API")))
    from portal.models import AuditRead

    if organisations_for(request.user, AuditRead, Action.VIEW) != []:
        items.append((reverse("audit_reads"), _("Reads")))
    if principal.is_sector_admin:
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
