"""A small demo-like sector on top of the personas: reference data and, in both regions,
assets, risks with treatments, a critical function, an attack-surface profile, a maturity
campaign, implementation status, a report run, a narrative draft and an incident with a
submission and a reminder.

Region B's risks carry marker titles and ids far above anything else, so that a test can
search any response for them: a region-A user must never see one.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.management import call_command
from django.utils import timezone

from capabilities.maturity import assessment_start
from incidents.facts import incident_facts_sync
from incidents.models import (
    Incident,
    IncidentReminder,
    IncidentRiskLink,
    IncidentSubmission,
    IncidentTimelineEntry,
    SectorIncident,
)
from initiatives.models import (
    Deliverable,
    Initiative,
    Milestone,
    RegionalImplementation,
    WorkingGroup,
    WorkingGroupMember,
)
from initiatives.services import initiative_record_status, strategy_periods
from portal.models import Organisation
from reports.models import NarrativeDraft, ReportRun
from risks.acceptance import acceptance_criteria_draft
from risks.models import (
    Asset,
    AttackSurfaceProfile,
    CriticalFunction,
    ImportJob,
    Risk,
    Threat,
    TreatmentAction,
)
from tests.conftest import Personas

#: In every region-B risk title; no other data contains it.
REGION_B_MARKER = "QZX-REGION-B-SECRET"
#: Region B's risks get ids from here on (no other risk comes near).
REGION_B_FIRST_RISK_ID = 970_001


@dataclass
class Sector:
    personas: Personas
    risks: dict[str, list[Risk]] = field(default_factory=dict)
    assets: dict[str, list[Asset]] = field(default_factory=dict)
    runs: dict[str, ReportRun] = field(default_factory=dict)
    sector_incident: SectorIncident | None = None

    @property
    def region_b_markers(self) -> list[str]:
        """Strings that identify region B's risks in any response."""
        markers = [REGION_B_MARKER]
        for risk in self.risks["b"]:
            markers += [risk.title, str(risk.pk)]
        return markers


def _region(sector: Sector, region: Organisation, suffix: str, *, first_risk_id=None) -> None:
    personas = sector.personas
    ciso = personas.by_name(f"ciso_{suffix}")
    owner = personas.by_name(f"riskowner_{suffix}")
    # Only the risk register (risks and their treatments) carries the marker: the rest of
    # region B's data may be legitimately shared (e.g. implementation status).
    label = f"Region {suffix.upper()}"
    risk_label = REGION_B_MARKER if suffix == "b" else label
    today = date.today()
    system = Asset.objects.create(
        organisation=region,
        name=f"Laboratoriesystem {suffix.upper()}",
        supplier="Leverandør A/S",
        is_legacy=True,
        end_of_support=today + timedelta(days=90),
    )
    devices = Asset.objects.create(
        organisation=region,
        name=f"Infusionspumper {suffix.upper()}",
        kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY,
        quantity=40,
    )
    sector.assets[suffix] = [system, devices]
    function = CriticalFunction.objects.create(organisation=region, name="Akutmodtagelse")
    function.systems.add(system)
    threats = list(Threat.objects.order_by("slug")[:3])
    risks = []
    for n, threat in enumerate(threats):
        risk = Risk(
            organisation=region,
            title=f"{risk_label} risiko {n + 1}: {threat.name_da}",
            description=f"{risk_label}: beskrivelse af risikoen",
            threat=threat,
            attack_surface="digital",
            inherent_likelihood=4,
            inherent_consequence=3 + n % 3,
            residual_likelihood=2,
            residual_consequence=2 + n % 3,
            owner=owner if n == 0 else None,
            next_review=today + timedelta(days=30 * n),
        )
        if first_risk_id is not None:
            risk.pk = first_risk_id + n
        risk.full_clean()
        risk.save()
        risk.assets.add(system)
        TreatmentAction.objects.create(
            risk=risk,
            title=f"{risk_label}: indfør MFA",
            owner=owner,
            due=today + timedelta(days=14),
        )
        risks.append(risk)
    sector.risks[suffix] = risks
    AttackSurfaceProfile.objects.create(
        organisation=region, period="2026-H1", note=f"{label}: profil"
    )
    assessment_start(organisation=region, period="2026-H1", user=ciso)
    for initiative in Initiative.objects.order_by("sort_key")[:2]:
        RegionalImplementation.objects.update_or_create(
            initiative=initiative,
            organisation=region,
            defaults={"status": "in_progress", "note": f"{label}: i gang"},
        )
    sector.runs[suffix] = ReportRun.objects.create(
        kind="ciso_quarterly", organisation=region, period="2026-Q1", requested_by=ciso
    )
    # An import job names rows of the register: confidential like it.
    ImportJob.objects.create(
        organisation=region,
        kind="risks",
        file_name=f"{risk_label} risici.xlsx",
        created_by=ciso,
        status=ImportJob.Status.FAILED,
        rows_total=2_000,
        error_count=1,
        errors=[{"row": 2, "column": "Titel", "message": f"{risk_label}: for lang"}],
    )
    # An incident with a reporting clock met: confidential like the register.
    incident = Incident.objects.create(
        organisation=region,
        title=f"{risk_label}: ransomware på laboratoriesystemet",
        description=f"{risk_label}: krypterede filer på laboratoriesystemet",
        category="ransomware",
        severity="critical",
        detected_at=timezone.now() - timedelta(hours=30),
        aware_at=timezone.now() - timedelta(hours=29),
        owner=owner,
        nis2_significant=True,
        nis2_reason=f"{risk_label}: laboratoriet kører på nødprocedurer",
        # Both regions' part of the supplier's sector incident: the sector sees each region
        # as affected, with its incident's status, and nothing else of it.
        sector_incident=sector.sector_incident,
    )
    incident.affected_systems.add(system)
    IncidentSubmission.objects.create(
        incident=incident,
        kind="nis2_early_warning",
        submitted_at=incident.aware_at + timedelta(hours=20),
        recipient="virk.dk (CFCS og sektormyndigheden)",
        reference=f"{suffix.upper()}-2026-001",
        by=ciso,
    )
    incident_facts_sync(incident)
    IncidentReminder.objects.create(
        incident=incident,
        kind="nis2_early_warning",
        stage="due_soon",
        due_at=incident.aware_at + timedelta(hours=24),
        sent_at=incident.aware_at + timedelta(hours=18),
        recipients=1,
    )
    # Its timeline (an action with an owner) and a lesson learned: confidential like it.
    IncidentTimelineEntry.objects.create(
        incident=incident,
        kind="action",
        text=f"{risk_label}: gendan laboratoriesystemet fra backup",
        occurred_at=incident.aware_at + timedelta(hours=2),
        author=ciso,
        owner=owner,
        due=today + timedelta(days=7),
    )
    IncidentRiskLink.objects.create(incident=incident, risk=risks[0], created_by=ciso)
    NarrativeDraft.objects.create(
        kind="ciso_quarterly",
        organisation=region,
        period="2026-Q1",
        section="introduction",
        body=f"{label}: indledning",
    )


def make_sector(personas: Personas) -> Sector:
    """Reference data, a working group with a status update, and both regions' data."""
    call_command("load_reference", verbosity=0)
    sector = Sector(personas=personas)
    sector.sector_incident = SectorIncident.objects.create(
        title="Nedbrud hos Leverandør A/S",
        description="Leverandørens laboratoriesystem er nede i flere regioner.",
        supplier="Leverandør A/S",
        opened_at=timezone.now() - timedelta(hours=28),
    )
    group = WorkingGroup.objects.create(slug="alpha", name_da="Gruppe Alfa", kind="working")
    WorkingGroupMember.objects.create(group=group, user=personas.secretariat, role="chair")
    initiative = Initiative.objects.order_by("sort_key").first()
    initiative.working_group = group
    initiative.save()
    initiative.refresh_from_db()
    initiative_record_status(
        initiative=initiative,
        author=personas.secretariat,
        expected_version=None,
        period=strategy_periods(initiative.strategy)[-1].label,
        status="in_progress",
        rag="green",
        progress=40,
        narrative="Arbejdet skrider frem.",
    )
    Milestone.objects.create(initiative=initiative, title="Første leverance", due=date.today())
    Deliverable.objects.create(
        working_group=group, initiative=initiative, title="Vejledning", due=date.today()
    )
    _region(sector, personas.region_a, "a")
    _region(sector, personas.region_b, "b", first_risk_id=REGION_B_FIRST_RISK_ID)
    # Each region's acceptance criteria: the first version in force and a draft of the next.
    for region, ciso in (
        (personas.region_a, personas.ciso_a),
        (personas.region_b, personas.ciso_b),
    ):
        acceptance_criteria_draft(organisation=region, user=ciso, values={"note": "Udkast"})
    return sector
