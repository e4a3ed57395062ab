"""Exporting risks, assets and treatment actions as ``.csv`` or ``.xlsx`` files in their
layouts, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from risks.importexport.layouts import (
    ACTION_STATUS_WORDS,
    ASSET_KIND_WORDS,
    ASSETS,
    ATTACK_SURFACE_WORDS,
    DIMENSION_WORDS,
    FORMULA_STARTS,
    LEVEL_WORDS,
    LIST_SEPARATOR,
    RISK_STATUS_WORDS,
    RISKS,
    TREATMENT_WORDS,
    TREATMENTS,
    Layout,
    danish,
)
from risks.importexport.xlsx import write_xlsx
from risks.models import DIMENSION_FIELDS, Asset, Risk, TreatmentAction

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Characters an .xlsx cell cannot hold (XML 1.0); removed on export.
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")

Format = Literal["csv", "xlsx"]
#: Rows fetched from the database at a time while a file is written.
CHUNK_SIZE = 2000


def export_risks(
    *, queryset: QuerySet[Risk], fmt: Format, assets: QuerySet[Asset] | None = None
) -> tuple[bytes, str, str]:
    """The risks of ``queryset`` (already restricted to what the user may see) as a file in
    the ``RISKS`` layout: ``(content, content type, file name suffix)``, the suffix without
    its dot (``"csv"`` or ``"xlsx"``, what ``fmt`` asked for). Rows in the queryset's order.
    ``assets`` are the assets the reader may see (None: all): a risk another region shares
    names only its shared systems, never the owner's other assets.

    Each row starts with the risk's ID and version: an import of the edited file updates
    the risk it names, provided it has not changed since (``import_risks``).

    Three queries whatever the number of risks: the risks with their threat, discipline and
    owner joined in, their assets, and the regions those assets are shared with (the last
    two filtered by the queryset as a subquery). The risks are read last, as tuples (not
    model instances: several times faster for a large register) streamed from the database
    in chunks while the file is written."""
    username = f"owner__{get_user_model().USERNAME_FIELD}"
    risks = queryset.values_list(
        "pk",
        "version",
        "title",
        "description",
        "threat__name_da",
        "attack_surface",
        "vulnerability",
        "discipline__name_da",
        "inherent_likelihood",
        "inherent_consequence",
        "inherent_score",
        "inherent_level",
        "residual_likelihood",
        "residual_consequence",
        "residual_score",
        "residual_level",
        username,
        "status",
        "treatment",
        "acceptance_reason",
        "next_review",
        "consequence_dimension",
        *DIMENSION_FIELDS,
    ).iterator(chunk_size=CHUNK_SIZE)
    links = Risk.assets.through.objects.filter(risk_id__in=queryset.values("pk"))
    if assets is not None:
        links = links.filter(asset_id__in=assets.values("pk"))
    names: dict[int, list[str]] = {}
    assets_of: dict[int, list[int]] = {}
    for risk_id, asset_id, name in links.order_by("asset__name", "asset_id").values_list(
        "risk_id", "asset_id", "asset__name"
    ):
        names.setdefault(risk_id, []).append(name)
        assets_of.setdefault(risk_id, []).append(asset_id)
    shared: dict[int, set[str]] = {}
    for asset_id, slug in Asset.shared_with.through.objects.filter(
        asset_id__in=links.values("asset_id")
    ).values_list("asset_id", "organisation__slug"):
        shared.setdefault(asset_id, set()).add(slug)

    rows = (
        [
            pk,
            version,
            title,
            description,
            threat,
            danish(ATTACK_SURFACE_WORDS, surface),
            vulnerability,
            discipline,
            inherent_likelihood,
            inherent_consequence,
            inherent_score,
            danish(LEVEL_WORDS, inherent_level),
            residual_likelihood,
            residual_consequence,
            residual_score,
            danish(LEVEL_WORDS, residual_level),
            owner,
            danish(RISK_STATUS_WORDS, status),
            danish(TREATMENT_WORDS, treatment) if treatment else None,
            reason,
            next_review,
            f" {LIST_SEPARATOR} ".join(names.get(pk, ())),
            LIST_SEPARATOR.join(
                sorted({slug for asset in assets_of.get(pk, ()) for slug in shared.get(asset, ())})
            ),
            *scores,
            danish(DIMENSION_WORDS, dimension) if dimension else None,
        ]
        for (
            pk,
            version,
            title,
            description,
            threat,
            surface,
            vulnerability,
            discipline,
            inherent_likelihood,
            inherent_consequence,
            inherent_score,
            inherent_level,
            residual_likelihood,
            residual_consequence,
            residual_score,
            residual_level,
            owner,
            status,
            treatment,
            reason,
            next_review,
            dimension,
            *scores,
        ) in risks
    )
    return _render(RISKS, rows, fmt)


def export_assets(*, queryset: QuerySet[Asset], fmt: Format) -> tuple[bytes, str, str]:
    """The assets of ``queryset`` as a file in the ``ASSETS`` layout (see ``export_risks``).
    Two queries, whatever the number of assets; the assets are streamed in chunks."""
    assets = queryset.values_list(
        "pk",
        "name",
        "kind",
        "description",
        "supplier",
        "quantity",
        "is_legacy",
        "end_of_support",
    ).iterator(chunk_size=CHUNK_SIZE)
    shared: dict[int, list[str]] = {}
    for asset_id, slug in (
        Asset.shared_with.through.objects.filter(asset_id__in=queryset.values("pk"))
        .order_by("organisation__slug")
        .values_list("asset_id", "organisation__slug")
    ):
        shared.setdefault(asset_id, []).append(slug)
    rows = (
        [
            name,
            danish(ASSET_KIND_WORDS, kind),
            description,
            supplier,
            quantity,
            "ja" if is_legacy else "nej",
            end_of_support,
            LIST_SEPARATOR.join(shared.get(pk, ())),
        ]
        for pk, name, kind, description, supplier, quantity, is_legacy, end_of_support in assets
    )
    return _render(ASSETS, rows, fmt)


def export_treatments(
    *, queryset: QuerySet[TreatmentAction], fmt: Format
) -> tuple[bytes, str, str]:
    """The treatment actions of ``queryset`` as a file in the ``TREATMENTS`` layout (see
    ``export_risks``); the risk is named by its title. One query."""
    actions = queryset.values_list(
        "risk__title",
        "title",
        f"owner__{get_user_model().USERNAME_FIELD}",
        "due",
        "status",
        "done_on",
    ).iterator(chunk_size=CHUNK_SIZE)
    rows = (
        [risk, title, owner, due, danish(ACTION_STATUS_WORDS, status), done_on]
        for risk, title, owner, due, status, done_on in actions
    )
    return _render(TREATMENTS, rows, fmt)


def neutralise(value: str) -> str:
    """``value`` made safe from formula injection: a leading ``'`` when a spreadsheet would
    take it for a formula."""
    if value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def _render(layout: Layout, rows: Iterable[list[Any]], fmt: str) -> tuple[bytes, str, str]:
    if fmt == "csv":
        return _render_csv(layout, rows), CSV_CONTENT_TYPE, "csv"
    if fmt == "xlsx":
        return _render_xlsx(layout, rows), XLSX_CONTENT_TYPE, "xlsx"
    raise ValueError(f"unknown export format {fmt!r}; use 'csv' or 'xlsx'")


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _render_csv(layout: Layout, rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(layout.headers)
    writer.writerows([_csv_text(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


#: Column widths in the .xlsx export (characters), by field; 14 otherwise.
_WIDTHS = {
    "title": 48,
    "description": 60,
    "vulnerability": 40,
    "threat": 32,
    "name": 36,
    "risk": 48,
    "acceptance_reason": 40,
    "assets": 40,
    "supplier": 28,
}


def _render_xlsx(layout: Layout, rows: Iterable[list[Any]]) -> bytes:
    def text(value: str) -> str:
        # Written as a string cell (never a formula); the leading ' of a neutralised value
        # keeps the file the same when it is opened, re-saved and imported again.
        return neutralise(_ILLEGAL_XML.sub("", value)) if value else value

    return write_xlsx(
        sheet_title=layout.sheet_title,
        headers=layout.headers,
        rows=([text(value) if isinstance(value, str) else value for value in row] for row in rows),
        widths=[_WIDTHS.get(column.field, 14) for column in layout.columns],
        creator="Cyberrobusthedsportalen",
    )
