from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from capabilities.frameworks import (
    FormatError,
    InvalidFramework,
    capability_lines,
    validate_framework_file,
)
from capabilities.models import (
    Capability,
    CapabilityRequirement,
    Discipline,
    Framework,
    Requirement,
)
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
def capabilities_load_reference(*, report: SyncReport) -> list[Capability]:
    """The capability catalogue of the seed presentation (capabilities added in the portal
    are kept)."""
    data = read_yaml(REFERENCE_DIR / "capabilities.yaml")
    disciplines = {discipline.code: discipline for discipline in Discipline.objects.all()}
    return [
        sync_object(
            Capability,
            lookup={"slug": row["slug"]},
            values={
                "discipline": disciplines[row["discipline"]],
                "order": row["order"],
                "name_da": row["name_da"],
                "name_en": row.get("name_en", ""),
            },
            report=report,
        )
        for row in data["capabilities"]
    ]


def frameworks_load_file(*, path: Path, report: SyncReport) -> list[Framework]:
    """Load framework catalogues from a YAML file (format: ``capabilities.frameworks``).

    The whole file is checked first; a malformed one raises ``InvalidFramework`` naming the
    line of each problem and changes nothing. Loading the same file again changes nothing.
    """
    data = validate_framework_file(path)
    known = dict(Capability.objects.values_list("slug", "pk"))
    unknown = [
        FormatError(line, _("unknown capability '%(slug)s'") % {"slug": slug})
        for (framework, code), line in capability_lines(path).items()
        for row in data["frameworks"]
        if row["slug"] == framework
        for requirement in row["requirements"]
        if str(requirement["code"]) == code
        for slug in requirement.get("capabilities") or []
        if slug not in known
    ]
    if unknown:
        raise InvalidFramework(unknown)
    with transaction.atomic():
        frameworks = []
        for row in data["frameworks"]:
            framework = sync_object(
                Framework,
                lookup={"slug": row["slug"]},
                values={
                    "name_da": row["name_da"],
                    "name_en": row.get("name_en", "") or "",
                    "version": str(row.get("version", "") or ""),
                },
                report=report,
            )
            for item in row["requirements"]:
                requirement = sync_object(
                    Requirement,
                    lookup={"framework": framework, "code": str(item["code"])},
                    values={
                        "title_da": item["title_da"],
                        "title_en": item.get("title_en", "") or "",
                        "description_da": item.get("description_da", "") or "",
                        "description_en": item.get("description_en", "") or "",
                    },
                    report=report,
                )
                if "capabilities" in item:
                    wanted = {known[slug] for slug in item["capabilities"] or []}
                    links = CapabilityRequirement.objects.filter(requirement=requirement)
                    present = set(links.values_list("capability_id", flat=True))
                    if wanted != present:
                        links.exclude(capability_id__in=wanted).delete()
                        CapabilityRequirement.objects.bulk_create(
                            [
                                CapabilityRequirement(capability_id=pk, requirement=requirement)
                                for pk in wanted - present
                            ]
                        )
                        report.record(CapabilityRequirement, "updated")
            frameworks.append(framework)
    return frameworks


def frameworks_load_reference(*, report: SyncReport) -> list[Framework]:
    """The frameworks shipped with the portal: NIS2 Art. 21(2)."""
    return frameworks_load_file(path=REFERENCE_DIR / "nis2_art21.yaml", report=report)
