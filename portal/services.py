from pathlib import Path

from django.db import transaction

from portal.models import Organisation
from portal.reference import read_yaml
from portal.sync import SyncReport, sync_object

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@transaction.atomic
def organisations_load_reference(*, report: SyncReport) -> list[Organisation]:
    """Create or update the five regions and the sector bodies from the reference file."""
    data = read_yaml(REFERENCE_DIR / "organisations.yaml")
    return [
        sync_object(
            Organisation,
            lookup={"slug": row["slug"]},
            values={
                "kind": row["kind"],
                "name_da": row["name_da"],
                "name_en": row.get("name_en", ""),
                "name_en_in_text": row.get("name_en_in_text", ""),
                "short_name": row.get("short_name", ""),
                "description": (row.get("description") or "").strip(),
            },
            report=report,
        )
        for row in data["organisations"]
    ]
