"""What can be moved in and out of the register as a file: one entry per kind, read by the
import and export pages, the API's transfer actions and the background import jobs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.models import ReadKind
from risks.filtersets import AssetFilterSet, RiskFilterSet, TreatmentActionFilterSet
from risks.importexport.exporting import export_assets, export_risks, export_treatments
from risks.importexport.importing import import_assets, import_risks, import_treatments
from risks.importexport.layouts import ASSETS, RISKS, TREATMENTS, Layout
from risks.models import Asset, ImportKind, Risk, TreatmentAction

#: The formats an export is written in.
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class TransferKind:
    """One kind of object imported and exported as a file."""

    #: The URL's and the import job's name of the kind (an ``ImportKind`` value).
    key: str
    #: The model exported and imported.
    model: type[models.Model]
    #: The model whose right to add an import needs (treatment actions are added to risks).
    added: type[models.Model]
    #: ``import_…(organisation=, user=, upload=)``: the number of rows imported.
    importer: Callable[..., int]
    #: ``export_…(queryset=, fmt=, …)``: the file's content, content type and suffix.
    exporter: Callable[..., Any]
    #: The list's FilterSet, which also filters the export.
    filterset_class: type[Any]
    #: The exported file's name, without its suffix.
    file_name: str
    #: The URL name of the list an import returns to.
    list_url_name: str
    #: What an export of it is called in the audit trail's reads.
    read_kind: ReadKind
    #: The columns of the file.
    layout: Layout
    #: The title of the import page.
    import_title: str | Promise


TRANSFER_KINDS: dict[str, TransferKind] = {
    kind.key: kind
    for kind in (
        TransferKind(
            key=ImportKind.RISKS,
            model=Risk,
            added=Risk,
            importer=import_risks,
            exporter=export_risks,
            filterset_class=RiskFilterSet,
            file_name="risikoregister",
            list_url_name="risks:risk_list",
            read_kind=ReadKind.RISK_EXPORT,
            layout=RISKS,
            import_title=_("Import risks"),
        ),
        TransferKind(
            key=ImportKind.ASSETS,
            model=Asset,
            added=Asset,
            importer=import_assets,
            exporter=export_assets,
            filterset_class=AssetFilterSet,
            file_name="aktiver",
            list_url_name="risks:asset_list",
            read_kind=ReadKind.ASSET_EXPORT,
            layout=ASSETS,
            import_title=_("Import assets"),
        ),
        TransferKind(
            key=ImportKind.TREATMENTS,
            model=TreatmentAction,
            added=Risk,
            importer=import_treatments,
            exporter=export_treatments,
            filterset_class=TreatmentActionFilterSet,
            file_name="behandlingsplan",
            list_url_name="risks:treatment_plan",
            read_kind=ReadKind.TREATMENT_EXPORT,
            layout=TREATMENTS,
            import_title=_("Import treatment actions"),
        ),
    )
}
