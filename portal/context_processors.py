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


@dataclass(frozen=True)
class NavGroup:
    """A top-level entry of the main menu: a submenu of its items, or — with one item — a
    plain link to it (``link``)."""

    key: str
    label: str
    items: list[NavItem]

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)

    @property
    def link(self) -> NavItem | None:
        return self.items[0] if len(self.items) == 1 else None


def _groups_for(
    request: HttpRequest,
) -> "list[tuple[str, StrOrPromise, list[tuple[str, StrOrPromise]]]]":
    """The main menu's groups (key, label, entries), each entry only for those who may use
    it; a group without entries is left out."""
    user = request.user
    if not principal_for(user).is_authenticated:
        return []
    overview: list[tuple[str, StrOrPromise]] = [
        (reverse("home"), _("Front page")),
        (reverse("my_tasks"), _("My tasks")),
    ]
    if not can(user, "portal.start_on_sector_dashboard"):
        # The secretariat's overview is the TSI dashboard itself.
        overview.append((reverse("dashboard_tsi"), _("TSI dashboard")))
    overview.append((reverse("organisation_list"), _("Organisations")))
    strategy: list[tuple[str, StrOrPromise]] = [
        (reverse("initiatives:portfolio"), _("Initiatives")),
        (reverse("initiatives:implementation_matrix"), _("Implementation")),
        (reverse("initiatives:working_group_list"), _("Working groups")),
    ]
    capabilities: list[tuple[str, StrOrPromise]] = [
        (reverse("capabilities:overview"), _("Capabilities")),
        (reverse("capabilities:assessment_list"), _("Maturity campaigns")),
        (reverse("capabilities:coverage"), _("NIS2 coverage")),
        (reverse("capabilities:sector"), _("Sector comparison")),
    ]
    risks: list[tuple[str, StrOrPromise]] = []
    incidents: list[tuple[str, StrOrPromise]] = []
    if can(user, "portal.read_registers"):
        risks = [
            (reverse("risks:risk_list"), _("Risk register")),
            (reverse("risks:heatmap"), _("Heatmap")),
            (reverse("risks:treatment_plan"), _("Treatment plan")),
            (reverse("risks:asset_list"), _("Assets")),
            (reverse("risks:critical_function_list"), _("Critical functions")),
            (reverse("risks:criteria"), _("Acceptance criteria")),
        ]
        incidents = [(reverse("incidents:incident_list"), _("Incidents"))]
    if can(user, "risks.view_sector_picture"):  # counts only, from the regions' snapshots
        risks.append((reverse("risks:sector_picture"), _("Sector risk picture")))
    if can(user, "incidents.view_sector"):  # counts and statuses only, from the facts
        incidents.append((reverse("incidents:sector"), _("Sector incidents")))
    reports: list[tuple[str, StrOrPromise]] = [
        (reverse("reports:run_list"), _("Reports")),
        (reverse("api-docs"), _("API")),
    ]
    from portal.models import AuditRead

    administration: list[tuple[str, StrOrPromise]] = []
    if organisations_where(user, "portal.manage_people") != frozenset():
        administration.append((reverse("people"), _("People and roles")))
    if organisations_where(user, "portal.export_audit") != frozenset():
        administration.append((reverse("audit_export"), _("Audit trail")))
    if organisations_for(user, AuditRead, Action.VIEW) != []:
        administration.append((reverse("audit_reads"), _("Reads")))
    if can(user, "portal.operate"):
        administration.append((reverse("admin:index"), _("Technical administration")))
    groups = [
        ("overview", _("Overview"), overview),
        ("strategy", _("Strategy"), strategy),
        ("capabilities", _("Capabilities"), capabilities),
        ("risks", _("Risks"), risks),
        ("incidents", _("Incidents"), incidents),
        ("reports", _("Reports"), reports),
        ("administration", _("Administration"), administration),
    ]
    return [group for group in groups if group[2]]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The main navigation, fitted to the user's roles: a few groups (``nav_groups``), each
    a submenu of the pages the user may use; ``nav_items`` is every page of it in order."""
    path = request.path
    groups = _groups_for(request)
    urls = [url for _key, _label, entries in groups for url, _entry in entries]
    # The active item is the one whose URL is the longest prefix of the page's path.
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    active_url = max(matches, key=len, default=None)
    nav_groups = [
        NavGroup(
            key=key,
            label=str(label),
            items=[
                NavItem(url=url, label=str(entry), active=url == active_url)
                for url, entry in entries
            ],
        )
        for key, label, entries in groups
    ]
    items = [item for group in nav_groups for item in group.items]
    return {
        "nav_groups": nav_groups,
        "nav_items": items,
        "ACTION": Action,
        "can_add_somewhere": can_add_somewhere,
    }
