"""The column layouts of the files (``RISKS``, ``ASSETS``, ``TREATMENTS``) and the
vocabularies of their values: Danish and English headers, the Danish word written on export
and every spelling accepted on import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from risks.models import Asset, AttackSurface, RiskStatus, TreatmentAction, TreatmentDecision
from risks.models.dimension import DIMENSION_FIELDS, ConsequenceDimension, dimension_field
from risks.models.matrix import Level

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection),
#: with their full-width forms, which some spreadsheet applications also honour.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
#: Separates several values in one cell (assets of a risk, regions an asset is shared with).
LIST_SEPARATOR = "|"


@dataclass(frozen=True)
class Column:
    """A column of a layout: the model field it fills and its Danish and English headers.

    ``export_only`` columns are written on export and recognised but ignored on import.
    ``former`` are headers the column was exported under before (Danish words since
    replaced): still recognised on import, so that an old file keeps importing.
    ``required_unless``: a required column that may be left out when one of these (fields)
    is in the file (the inherent consequence, when the file scores its dimensions).
    """

    field: str
    da: str
    en: str
    required: bool = False
    export_only: bool = False
    former: tuple[str, ...] = ()
    required_unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of file, in the order they are exported."""

    name: str
    columns: tuple[Column, ...]
    sheet_title: str
    lookup: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, Column] = {}
        for column in self.columns:
            for header in (column.da, column.en, column.field, *column.former):
                lookup[normalise_header(header)] = column
        object.__setattr__(self, "lookup", lookup)

    @property
    def headers(self) -> list[str]:
        return [column.da for column in self.columns]


def normalise_header(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


#: The consequence dimensions' columns: "Konsekvens for …" in the Danish of the dimension,
#: a whole number on the matrix's consequence scale, empty when not scored.
DIMENSION_HEADERS: dict[str, tuple[str, str]] = {
    ConsequenceDimension.PATIENT_SAFETY: (
        "Konsekvens for patientsikkerhed og drift",
        "Consequence for patient safety and operations",
    ),
    ConsequenceDimension.CONFIDENTIALITY: (
        "Konsekvens for fortrolighed",
        "Consequence for confidentiality",
    ),
    ConsequenceDimension.INTEGRITY: ("Konsekvens for integritet", "Consequence for integrity"),
    ConsequenceDimension.AVAILABILITY: (
        "Konsekvens for tilgængelighed",
        "Consequence for availability",
    ),
    ConsequenceDimension.DATA_SUBJECTS: (
        "Konsekvens for de registrerede",
        "Consequence for the data subjects",
    ),
    ConsequenceDimension.FINANCE: ("Konsekvens for økonomi", "Consequence for finance"),
    ConsequenceDimension.REPUTATION: ("Konsekvens for omdømme", "Consequence for reputation"),
}

RISKS = Layout(
    name="risks",
    sheet_title="Risici",
    columns=(
        Column("id", "ID", "ID"),
        Column("version", "Version", "Version"),
        Column("title", "Titel", "Title", required=True),
        Column("description", "Beskrivelse", "Description"),
        Column("threat", "Trussel", "Threat", required=True),
        Column("attack_surface", "Angrebsflade", "Attack surface", required=True),
        Column("vulnerability", "Sårbarhed", "Vulnerability"),
        Column("discipline", "Disciplin", "Discipline"),
        Column(
            "inherent_likelihood", "Iboende sandsynlighed", "Inherent likelihood", required=True
        ),
        Column(
            "inherent_consequence",
            "Iboende konsekvens",
            "Inherent consequence",
            required=True,
            required_unless=tuple(DIMENSION_FIELDS),
        ),
        Column("inherent_score", "Iboende score", "Inherent score", export_only=True),
        Column("inherent_level", "Iboende niveau", "Inherent level", export_only=True),
        Column(
            "residual_likelihood",
            "Sandsynlighed efter tiltag",
            "Residual likelihood",
            required=True,
            former=("Restsandsynlighed",),
        ),
        Column(
            "residual_consequence",
            "Konsekvens efter tiltag",
            "Residual consequence",
            required=True,
            former=("Restkonsekvens",),
        ),
        Column("residual_score", "Restscore", "Residual score", export_only=True),
        Column("residual_level", "Restniveau", "Residual level", export_only=True),
        Column("owner", "Ejer", "Owner"),
        Column("status", "Status", "Status"),
        Column("treatment", "Håndteringsbeslutning", "Treatment", former=("Behandling",)),
        Column("acceptance_reason", "Begrundelse for accept", "Acceptance reason"),
        Column("next_review", "Næste revurdering", "Next review", former=("Næste review",)),
        Column("assets", "Aktiver", "Assets"),
        Column("shared_with", "Delt med", "Shared with", export_only=True),
        # Added after the columns files had before, which keep their places.
        *(
            Column(dimension_field(dimension), da, en)
            for dimension, (da, en) in DIMENSION_HEADERS.items()
        ),
        Column(
            "consequence_dimension",
            "Konsekvens sat af",
            "Consequence set by",
            export_only=True,
        ),
    ),
)

ASSETS = Layout(
    name="assets",
    sheet_title="Aktiver",
    columns=(
        Column("name", "Navn", "Name", required=True),
        Column("kind", "Type", "Kind"),
        Column("description", "Beskrivelse", "Description"),
        Column("supplier", "Leverandør", "Supplier"),
        Column("quantity", "Antal", "Quantity"),
        Column("is_legacy", "Legacy", "Legacy"),
        Column("end_of_support", "Supportophør", "End of support"),
        Column("shared_with", "Delt med", "Shared with"),
    ),
)

TREATMENTS = Layout(
    name="treatments",
    sheet_title="Handlinger",
    columns=(
        Column("risk", "Risiko", "Risk", required=True),
        Column("title", "Titel", "Title", required=True),
        Column("owner", "Ejer", "Owner"),
        Column("due", "Frist", "Due", required=True),
        Column("status", "Status", "Status"),
        Column("done_on", "Udført den", "Done on"),
    ),
)


# --------------------------------------------------------------------------------------------
# Vocabularies: the Danish word written on export first, then everything accepted on import.

ATTACK_SURFACE_WORDS: dict[str, tuple[str, ...]] = {
    AttackSurface.PHYSICAL: ("fysisk", "physical"),
    AttackSurface.HUMAN: ("menneskelig", "human"),
    AttackSurface.DIGITAL: ("digital", "digital"),
}
RISK_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    RiskStatus.IDENTIFIED: ("identificeret", "identified"),
    RiskStatus.ASSESSED: ("vurderet", "assessed"),
    RiskStatus.TREATMENT_PLANNED: (
        "håndtering planlagt",
        "treatment planned",
        "behandling planlagt",  # the word of files exported before
    ),
    RiskStatus.ACCEPTED: ("accepteret", "accepted"),
    RiskStatus.CLOSED: ("lukket", "closed"),
}
TREATMENT_WORDS: dict[str, tuple[str, ...]] = {
    TreatmentDecision.REDUCE: ("reducer", "reduce", "reduktion"),
    TreatmentDecision.ACCEPT: ("accepter", "accept", "accept"),
    TreatmentDecision.TRANSFER: ("overfør", "transfer", "overførsel"),
    TreatmentDecision.AVOID: ("undgå", "avoid", "undgåelse"),
}
LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    Level.LOW: ("lav", "low"),
    Level.MEDIUM: ("middel", "medium"),
    Level.HIGH: ("høj", "high"),
    Level.CRITICAL: ("kritisk", "critical"),
}
DIMENSION_WORDS: dict[str, tuple[str, ...]] = {
    ConsequenceDimension.PATIENT_SAFETY: ("patientsikkerhed og drift", "patient safety"),
    ConsequenceDimension.CONFIDENTIALITY: ("fortrolighed", "confidentiality"),
    ConsequenceDimension.INTEGRITY: ("integritet", "integrity"),
    ConsequenceDimension.AVAILABILITY: ("tilgængelighed", "availability"),
    ConsequenceDimension.DATA_SUBJECTS: ("de registrerede", "data subjects"),
    ConsequenceDimension.FINANCE: ("økonomi", "finance"),
    ConsequenceDimension.REPUTATION: ("omdømme", "reputation"),
}
ASSET_KIND_WORDS: dict[str, tuple[str, ...]] = {
    Asset.Kind.SYSTEM: ("system", "system"),
    Asset.Kind.MEDICAL_DEVICE_CATEGORY: (
        "medicoteknisk udstyrskategori",
        "medical device category",
        "kategori af medicoteknisk udstyr",
        "medicoteknisk udstyr",
    ),
    Asset.Kind.INFRASTRUCTURE: ("infrastruktur", "infrastructure"),
}
ACTION_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    TreatmentAction.Status.OPEN: ("åben", "open"),
    TreatmentAction.Status.IN_PROGRESS: ("i gang", "in progress"),
    TreatmentAction.Status.DONE: ("udført", "done", "opfyldt"),
    TreatmentAction.Status.CANCELLED: ("annulleret", "cancelled", "aflyst", "canceled"),
}
BOOLEAN_WORDS = {
    True: ("ja", "true", "1", "x", "yes", "sand"),
    False: ("nej", "false", "0", "no", "falsk"),
}


def token(value: str) -> str:
    return " ".join(value.replace("_", " ").split()).casefold()


def _vocabulary(words: dict[Any, tuple[str, ...]]) -> dict[str, Any]:
    """Every accepted spelling (word or code, any case, ``_`` or space) → the value."""
    accepted: dict[str, Any] = {}
    for value, spellings in words.items():
        for spelling in (*spellings, str(value)):
            accepted[token(spelling)] = value
    return accepted


def danish(words: dict[str, tuple[str, ...]], value: str) -> str:
    spellings = words.get(value)
    return spellings[0] if spellings else value


ATTACK_SURFACE_VOCABULARY = _vocabulary(ATTACK_SURFACE_WORDS)
RISK_STATUS_VOCABULARY = _vocabulary(RISK_STATUS_WORDS)
TREATMENT_VOCABULARY = _vocabulary(TREATMENT_WORDS)
ASSET_KIND_VOCABULARY = _vocabulary(ASSET_KIND_WORDS)
ACTION_STATUS_VOCABULARY = _vocabulary(ACTION_STATUS_WORDS)
BOOLEAN_VOCABULARY: dict[str, bool] = _vocabulary(BOOLEAN_WORDS)
