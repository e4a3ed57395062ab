from pathlib import Path

from django.db import transaction

from capabilities.models import Discipline
from initiatives.models import Initiative, StrategicObjective, Strategy
from portal.reference import read_yaml
from portal.sync import SyncReport, sync_object

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@transaction.atomic
def strategies_load_reference(*, report: SyncReport) -> list[Strategy]:
    """The sector strategies with their objectives and initiatives (needs the disciplines)."""
    data = read_yaml(REFERENCE_DIR / "strategies.yaml")
    disciplines = {discipline.code: discipline for discipline in Discipline.objects.all()}
    strategies: dict[str, Strategy] = {}
    for row in data["strategies"]:
        strategy = sync_object(
            Strategy,
            lookup={"slug": row["slug"]},
            values={
                "title_da": row["title_da"],
                "title_en": row.get("title_en", ""),
                "start_year": row["start_year"],
                "end_year": row["end_year"],
                "predecessor": strategies.get(row.get("predecessor", "")),
            },
            report=report,
        )
        strategies[strategy.slug] = strategy
        for objective in row.get("objectives", []):
            sync_object(
                StrategicObjective,
                lookup={"strategy": strategy, "number": objective["number"]},
                values={
                    "title_da": objective["title_da"],
                    "title_en": objective.get("title_en", ""),
                    "description_da": objective.get("description_da", ""),
                    "description_en": objective.get("description_en", ""),
                },
                report=report,
            )
        for initiative in row.get("initiatives", []):
            sync_object(
                Initiative,
                lookup={"strategy": strategy, "number": initiative["number"]},
                values={
                    "title_da": initiative["title_da"],
                    "title_en": initiative.get("title_en", ""),
                    "discipline": disciplines[initiative["discipline"]],
                },
                report=report,
            )
    return list(strategies.values())
