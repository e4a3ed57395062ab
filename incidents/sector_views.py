"""The sector's pages of incidents (issue 18, items 7 and 9):

* ``/incidents/sector/``: the TSI secretariat's view — the sector incidents with the regions
  each affects and their incidents' statuses, and a period's counts per region and for the
  sector, from the incidents' facts (``incidents.sector``); 403 for anyone the named action
  ``incidents.view_sector`` does not allow;
* a sector incident's page (every signed-in user reads the sector notices; a region sees of
  the affected regions only itself), and the secretariat's form to open or change one;
* ``/incidents/<pk>/sector/``: a region's decision to link its incident to a sector incident.
"""

from datetime import date
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import TemplateView

from incidents.forms import IncidentSectorLinkForm, SectorIncidentForm
from incidents.models import Incident, SectorIncident
from incidents.sector import (
    VIEW_SECTOR,
    SectorPeriod,
    affected_regions,
    sector_incident_picture,
)
from portal.access import Action, can, can_add_somewhere
from portal.periods import InvalidPeriod
from portal.views.generic import ObjectDetailView, ObjectEditView


class SectorIncidentsView(LoginRequiredMixin, TemplateView):
    """The sector incidents and the regions they affect, and the chosen period's counts
    (``?period=2026``, ``2026-Q3``; the current year by default; a period that is none is
    said, and the current year shown)."""

    template_name = "incidents/sector.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not can(user, VIEW_SECTOR):
            raise PermissionDenied
        today = date.today()
        asked = self.request.GET.get("period", "")
        period_error = False
        try:
            period = SectorPeriod.parse(asked) if asked else SectorPeriod.parse(str(today.year))
        except InvalidPeriod:
            period, period_error = SectorPeriod.parse(str(today.year)), True
        choices = SectorPeriod.choices(today)
        if period.label not in {choice.label for choice in choices}:
            choices.insert(0, period)  # a period asked for by its label, kept in the list
        sector_incidents = list(SectorIncident.objects.restrict(user, Action.VIEW))
        regions = affected_regions(sector_incidents, user=user)
        context.update(
            sector_incidents=[
                (sector_incident, regions.get(sector_incident.pk, []))
                for sector_incident in sector_incidents
            ],
            picture=sector_incident_picture(user=user, period=period),
            period=period,
            period_choices=choices,
            period_error=period_error,
            add_url=(
                reverse("incidents:sector_incident_add")
                if can_add_somewhere(user, SectorIncident)
                else None
            ),
        )
        return context


class SectorIncidentDetailView(ObjectDetailView):
    """A sector notice and the regions it affects, as the reader may know them."""

    queryset = SectorIncident.objects.all()
    template_name = "incidents/sector_incident_detail.html"
    edit_url_name = "incidents:sector_incident_edit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            affected=affected_regions([self.object], user=user).get(self.object.pk, []),
            sector_view_url=reverse("incidents:sector") if can(user, VIEW_SECTOR) else None,
            own_incidents=list(
                Incident.objects.restrict(user, Action.VIEW)
                .filter(sector_incident=self.object)
                .select_related("organisation")
                .order_by("organisation__name_da", "-aware_at", "pk")
            ),
        )
        return context


class SectorIncidentEditView(ObjectEditView):
    queryset = SectorIncident.objects.all()
    form_class = SectorIncidentForm
    list_url_name = "incidents:sector"


class IncidentSectorLinkView(ObjectEditView):
    """Links the incident to a sector incident, or undoes the link: the region's own decision,
    by whoever may change the incident (saved through ``incident_save``, in the audit trail)."""

    queryset = Incident.objects.all()
    form_class = IncidentSectorLinkForm

    def get_success_url(self) -> str:
        return f"{self.object.get_absolute_url()}#sector-incident"
