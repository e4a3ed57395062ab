"""Everything ``load_reference`` writes, in dependency order; ``seed_demo`` starts with it."""

from capabilities.services import (
    capabilities_load_reference,
    disciplines_load_reference,
    frameworks_load_reference,
)
from initiatives.services import strategies_load_reference
from portal.services import organisations_load_reference
from portal.sync import SyncReport
from reports.schedules import schedules_ensure
from risks.services import attack_surface_profiles_load_reference, threats_load_reference


def reference_data_load(*, report: SyncReport) -> None:
    """Load the shipped reference data (idempotent) and give every region its quarterly
    report schedule."""
    organisations_load_reference(report=report)
    disciplines_load_reference(report=report)
    capabilities_load_reference(report=report)
    frameworks_load_reference(report=report)
    strategies_load_reference(report=report)
    threats_load_reference(report=report)
    attack_surface_profiles_load_reference(report=report)
    report["report schedules", "created"] += schedules_ensure()
