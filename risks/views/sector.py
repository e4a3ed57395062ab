"""``/risks/sector/``: the sector's risk picture for TSI (``risks.sector_picture``) as a page
and as a spreadsheet — counts only, read from the regions' quarterly snapshots; 403 for
anyone the named action ``risks.view_sector_picture`` does not allow."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from risks.importexport.exporting import XLSX_CONTENT_TYPE
from risks.importexport.xlsx import write_xlsx
from risks.sector_picture import (
    FIGURES,
    figure_labels,
    sector_picture_table,
    sector_risk_picture,
)


class SectorPictureView(LoginRequiredMixin, TemplateView):
    """The regions' counts of the newest quarter, by threat and attack surface, and the
    trend over eight quarters, as tables and a chart."""

    template_name = "risks/sector_picture.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        picture = sector_risk_picture(user=self.request.user)
        labels = figure_labels()
        context.update(
            picture=picture,
            figure_headers=[labels[name] for name in FIGURES],
            trend_chart=picture.trend_chart(),
        )
        return context


class SectorPictureExportView(LoginRequiredMixin, View):
    """The picture as an .xlsx file: a row per region and quarter, then the sector's."""

    def get(self, request: HttpRequest) -> HttpResponse:
        picture = sector_risk_picture(user=request.user)
        headers, rows = sector_picture_table(picture)
        content = write_xlsx(
            sheet_title=_("Sector risk picture"),
            headers=headers,
            rows=rows,
            widths=[22, 10, 10, *([14] * (len(headers) - 3))],
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        # Plain ASCII in every language, as the register's exports are named.
        name = f"{_('sector-risk-picture')}-{picture.latest}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
