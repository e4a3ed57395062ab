from pathlib import Path

from django.db import transaction

from capabilities.models import Discipline, Framework, Requirement
from portal.reference import read_yaml
from portal.sync import SyncReport, sync_object

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

_DISCIPLINE_FIELDS = (
    "order",
    "name_da",
    "name_en",
    "strategy_heading_da",
    "strategy_heading_en",
    "question_da",
    "question_en",
)


@transaction.atomic
def disciplines_load_reference(*, report: SyncReport) -> list[Discipline]:
    """The four defence disciplines with their guiding questions."""
    data = read_yaml(REFERENCE_DIR / "disciplines.yaml")
    return [
        sync_object(
            Discipline,
            lookup={"code": row["code"]},
            values={field: row[field] for field in _DISCIPLINE_FIELDS},
            report=report,
        )
        for row in data["disciplines"]
    ]


@transaction.atomic
def frameworks_load_file(*, path: Path, report: SyncReport) -> list[Framework]:
    """Load framework catalogues (slug, names, requirements with code and titles)."""
    data = read_yaml(path)
    frameworks = []
    for row in data["frameworks"]:
        framework = sync_object(
            Framework,
            lookup={"slug": row["slug"]},
            values={
                "name_da": row["name_da"],
                "name_en": row.get("name_en", ""),
                "version": row.get("version", ""),
            },
            report=report,
        )
        for requirement in row.get("requirements", []):
            sync_object(
                Requirement,
                lookup={"framework": framework, "code": str(requirement["code"])},
                values={
                    "title_da": requirement["title_da"],
                    "title_en": requirement.get("title_en", ""),
                    "description_da": requirement.get("description_da", ""),
                    "description_en": requirement.get("description_en", ""),
                },
                report=report,
            )
        frameworks.append(framework)
    return frameworks


def frameworks_load_reference(*, report: SyncReport) -> list[Framework]:
    """The frameworks shipped with the portal: NIS2 Art. 21(2)."""
    return frameworks_load_file(path=REFERENCE_DIR / "nis2_art21.yaml", report=report)
