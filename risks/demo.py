"""Demo data for the risk registers at sector scale: per region (scale 1) about 1,500 systems
(see composition.demo), 40 medical-device categories holding 150,000 devices, 30 critical
functions, 2,000 risks with treatment actions, attack-surface profiles and quarterly
snapshots. Bulk inserts: levels are set here from the matrix since ``Risk.save`` is skipped."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from capabilities.models import Discipline
from portal.access.roles import Role
from portal.models import Organisation
from portal.periods import Period
from risks.models import (
    Asset,
    AttackSurfaceProfile,
    CriticalFunction,
    JointRiskOwner,
    Risk,
    RiskMatrix,
    RiskSnapshot,
    RiskSnapshotListing,
    Threat,
    TreatmentAction,
    risk_matrix_for,
)
from risks.models.dimension import ConsequenceDimension, dimension_field
from risks.sector_picture import sector_counts_live
from risks.selectors import quarter_listing_live, risk_picture_live

Log = Callable[[str], None]

DEVICE_CATEGORIES_PER_REGION = 40
DEVICES_PER_REGION = 150_000
CRITICAL_FUNCTIONS_PER_REGION = 30
RISKS_PER_REGION = 2000  # the largest region's; the others' in proportion to their staff
BATCH = 2000

#: Kinds of medical device: (kind, makers that sell it in Denmark, its share of a region's
#: devices in ‰) — many infusion pumps and home monitors, a handful of scanners and robots.
_DEVICE_KINDS: list[tuple[str, tuple[str, ...], int]] = [
    ("Infusionspumper", ("B. Braun", "Baxter", "ICU Medical"), 240),
    ("Sprøjtepumper", ("B. Braun", "BD", "Fresenius Kabi"), 130),
    ("Hjemmemonitorer (borgernært)", ("Philips", "Omron", "Medtronic"), 160),
    ("Patientmonitorer", ("Philips", "GE HealthCare", "Dräger", "Mindray"), 190),
    ("Insulinpumper (borgernært)", ("Medtronic", "Tandem Diabetes Care", "Insulet"), 60),
    ("Defibrillatorer", ("Stryker", "ZOLL", "Philips"), 40),
    ("EKG-apparater", ("GE HealthCare", "Philips", "Schiller"), 30),
    ("Ultralydsscannere", ("GE HealthCare", "Philips", "Siemens Healthineers", "Canon"), 30),
    ("Telemedicinske kufferter", ("Medtronic", "Philips"), 20),
    ("Respiratorer", ("Dräger", "Hamilton Medical", "Getinge"), 15),
    ("Laboratorieanalysatorer", ("Roche Diagnostics", "Abbott", "Siemens Healthineers"), 15),
    ("Dialysemaskiner", ("Fresenius Medical Care", "Baxter", "B. Braun"), 10),
    ("Endoskopiudstyr", ("Olympus", "Karl Storz", "Pentax Medical"), 10),
    ("Røntgenudstyr", ("Siemens Healthineers", "Philips", "Carestream", "Fujifilm"), 5),
    ("Blodgasanalysatorer", ("Radiometer", "Siemens Healthineers", "Abbott"), 5),
    ("Anæstesiapparater", ("Dräger", "GE HealthCare", "Mindray"), 4),
    ("CT-scannere", ("Siemens Healthineers", "GE HealthCare", "Philips", "Canon"), 1),
    ("MR-scannere", ("Siemens Healthineers", "GE HealthCare", "Philips"), 1),
    ("Strålebehandlingsudstyr", ("Varian", "Elekta"), 1),
    ("Operationsrobotter", ("Intuitive Surgical",), 1),
]
#: Why a region's CISO accepted a risk (the demo's accepted risks each carry one).
_ACCEPTANCE_REASONS = [
    "Kompenserende kontroller (netværkssegmentering og overvågning) holder restrisikoen på et "
    "acceptabelt niveau. Revurderes ved næste udskiftning.",
    "Systemet udfases inden for 12 måneder; en afløser er under indkøb. Yderligere tiltag står "
    "ikke mål med restrisikoen i perioden.",
    "Leverandøren understøtter ikke opdatering af udstyret; det er isoleret på eget netværkssegment "
    "og overvåges.",
    "Omkostningen ved yderligere tiltag står ikke mål med restrisikoen; drøftet med direktionen.",
]
_FUNCTIONS = [
    "Akutmodtagelse",
    "Laboratoriediagnostik",
    "Billeddiagnostik",
    "Operationsgang",
    "Intensiv",
    "Fødeafdeling",
    "Præhospital indsats (AMK)",
    "Medicinhåndtering",
    "Blodbank",
    "Dialyse",
    "Kræftbehandling",
    "Psykiatrisk akutmodtagelse",
    "Sterilcentral",
    "Patientjournal",
    "Booking og henvisning",
    "Vagtlægeordning",
    "Forsyning af strøm og vand",
    "Telefoni og kald",
    "Patologi",
    "Mikrobiologi",
    "Hjertemedicinsk afsnit",
    "Neonatal",
    "Transfusionsmedicin",
    "Logistik og forsyning",
    "Lønudbetaling",
    "Hjemmebehandling",
    "Ambulancekørsel",
    "Radiofarmaci",
    "Nuklearmedicin",
    "Servicecenter",
]
_RISK_TEMPLATES = [
    ("Ransomware rammer {asset}", "ransomware", "digital"),
    ("Ikke-patchet sårbarhed i {asset}", "new-vulnerabilities", "digital"),
    ("Phishing giver adgang til {asset}", "phishing", "human"),
    ("Leverandørens fjernadgang til {asset} misbruges", "supply-chain", "digital"),
    ("Fejlkonfiguration af {asset}", "insider-error", "human"),
    ("Udløbet support på {asset}", "legacy-failure", "digital"),
    ("Strømsvigt rammer {asset}", "power-water", "physical"),
    ("Uautoriseret fysisk adgang til {asset}", "physical-intrusion", "physical"),
    ("Overbelastningsangreb mod {asset}", "ddos", "digital"),
    ("Spionage mod data i {asset}", "cyber-espionage", "digital"),
]
#: The consequence dimensions each kind of risk weighs on most (the first the most); the
#: others are scored lower, or not at all.
_LEAD_DIMENSIONS = {
    "ransomware": ("patient_safety", "availability"),
    "new-vulnerabilities": ("confidentiality", "integrity"),
    "phishing": ("confidentiality", "data_subjects"),
    "supply-chain": ("confidentiality", "availability"),
    "insider-error": ("integrity", "patient_safety"),
    "legacy-failure": ("availability", "patient_safety"),
    "power-water": ("patient_safety", "availability"),
    "physical-intrusion": ("confidentiality", "reputation"),
    "ddos": ("availability", "reputation"),
    "cyber-espionage": ("data_subjects", "confidentiality"),
}
_STATUSES = [
    "identified",
    "assessed",
    "treatment_planned",
    "treatment_planned",
    "accepted",
    "closed",
]
_TREATMENTS = {"treatment_planned": "reduce", "accepted": "accept", "closed": "reduce"}


#: Each region's staff (about): the demo sizes its register and attack surface by it.
_EMPLOYEES = {
    "hovedstaden": 45000,
    "midtjylland": 37000,
    "syddanmark": 35000,
    "sjaelland": 18000,
    "nordjylland": 13000,
}


def _size(region: Organisation) -> float:
    """The region's size against the largest (1.0)."""
    return _EMPLOYEES.get(region.slug, 20000) / max(_EMPLOYEES.values())


def _scaled(count: int, scale: Decimal) -> int:
    return max(1, int(Decimal(count) * scale))


def _device_categories(
    region: Organisation, categories: int, devices: int, rng: random.Random
) -> list[Asset]:
    """``categories`` groups of medical devices holding about ``devices`` in all, each kind's
    share split over its groups, each group from one of the kind's makers."""
    kinds = [_DEVICE_KINDS[n % len(_DEVICE_KINDS)] for n in range(categories)]
    groups_of: dict[str, int] = {}
    for kind, _makers, _share in kinds:
        groups_of[kind] = groups_of.get(kind, 0) + 1
    shares = {kind: share for kind, _makers, share in kinds}
    total_share = sum(shares.values())
    return [
        Asset(
            organisation=region,
            name=f"{kind} gruppe {n // len(_DEVICE_KINDS) + 1}",
            kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY,
            supplier=rng.choice(makers),
            quantity=max(1, devices * share // total_share // groups_of[kind]),
            is_legacy=rng.random() < 0.2,
        )
        for n, (kind, makers, share) in enumerate(kinds)
    ]


def seed_demo_risks(
    *, scale: Decimal, rng: random.Random, log: Log, today: date | None = None
) -> None:
    today = today or date.today()
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    disciplines = list(Discipline.objects.order_by("order"))
    User = get_user_model()
    for region in Organisation.objects.regions().order_by("slug"):
        if Risk.objects.filter(organisation=region).exists():
            log(f"Risks of {region.name_da}: already there, kept")
            continue
        with transaction.atomic():
            matrix = risk_matrix_for(region)
            categories = _scaled(DEVICE_CATEGORIES_PER_REGION, scale)
            Asset.objects.bulk_create(
                _device_categories(region, categories, _scaled(DEVICES_PER_REGION, scale), rng)
            )
            systems = list(
                Asset.objects.filter(organisation=region, kind=Asset.Kind.SYSTEM).only("pk", "name")
            )
            functions = CriticalFunction.objects.bulk_create(
                [
                    CriticalFunction(
                        organisation=region,
                        name=_FUNCTIONS[n % len(_FUNCTIONS)]
                        + ("" if n < len(_FUNCTIONS) else f" {n // len(_FUNCTIONS) + 1}"),
                    )
                    for n in range(_scaled(CRITICAL_FUNCTIONS_PER_REGION, scale))
                ]
            )
            through = CriticalFunction.systems.through
            through.objects.bulk_create(
                [
                    through(criticalfunction_id=function.pk, asset_id=system.pk)
                    for function in functions
                    for system in rng.sample(systems, min(len(systems), 4))
                ]
            )
            people = list(
                User.objects.filter(
                    memberships__organisation=region,
                    memberships__role__in=[Role.CISO, Role.RISK_OWNER],
                ).distinct()
            )
            cisos = list(
                User.objects.filter(
                    memberships__organisation=region, memberships__role=Role.CISO
                ).distinct()
            )
            risks = []
            for n in range(_scaled(round(RISKS_PER_REGION * _size(region)), scale)):
                title, threat_slug, surface = _RISK_TEMPLATES[n % len(_RISK_TEMPLATES)]
                asset = systems[rng.randrange(len(systems))] if systems else None
                il, ic = rng.randint(1, 5), rng.randint(1, 5)
                rl, rc = max(1, il - rng.randint(0, 2)), max(1, ic - rng.randint(0, 1))
                status = rng.choice(_STATUSES)
                risk = Risk(
                    organisation=region,
                    title=title.format(asset=asset.name if asset else "regionens systemer"),
                    threat=threats[threat_slug],
                    attack_surface=surface,
                    vulnerability="Sårbarheden er beskrevet i regionens risikovurdering.",
                    discipline=disciplines[n % len(disciplines)] if disciplines else None,
                    inherent_likelihood=il,
                    inherent_consequence=ic,
                    residual_likelihood=rl,
                    residual_consequence=rc,
                    owner=rng.choice(people) if people else None,
                    status=status,
                    treatment=_TREATMENTS.get(status, ""),
                    accepted_by=rng.choice(cisos) if status == "accepted" and cisos else None,
                    accepted_at=timezone.now() - timedelta(days=rng.randint(14, 300))
                    if status == "accepted"
                    else None,
                    acceptance_reason=rng.choice(_ACCEPTANCE_REASONS)
                    if status == "accepted"
                    else "",
                    next_review=today + timedelta(days=rng.randint(-90, 365)),
                )
                _score_dimensions(risk, _LEAD_DIMENSIONS.get(threat_slug, ()), ic, rng)
                risk.follow_dimensions(matrix)
                risk.inherent_level, risk.residual_level = risk.level_from(matrix)
                risks.append(risk)
            risks = Risk.objects.bulk_create(risks, batch_size=BATCH)
            risk_assets = Risk.assets.through
            risk_assets.objects.bulk_create(
                [
                    risk_assets(risk_id=risk.pk, asset_id=systems[(index * 7) % len(systems)].pk)
                    for index, risk in enumerate(risks)
                    if systems
                ],
                batch_size=BATCH,
            )
            actions = []
            for risk in risks:
                if risk.status in ("treatment_planned", "assessed"):
                    for k in range(rng.randint(1, 2)):
                        due = today + timedelta(days=rng.randint(-120, 300))
                        actions.append(
                            TreatmentAction(
                                risk=risk,
                                organisation_id=risk.organisation_id,
                                title=rng.choice(
                                    [
                                        "Opdater til understøttet version",
                                        "Indfør MFA",
                                        "Segmentér netværket",
                                        "Test gendannelse fra backup",
                                        "Gennemfør awareness-kampagne",
                                        "Skærp leverandøraftalen",
                                    ]
                                ),
                                owner=risk.owner,
                                due=due,
                                status="open" if k == 0 else "in_progress",
                            )
                        )
            TreatmentAction.objects.bulk_create(actions, batch_size=BATCH)
            _profiles_and_snapshots(region=region, rng=rng, today=today, scale=scale)
        log(
            f"Risks of {region.name_da}: {len(risks)} risks, {len(actions)} treatment actions, {categories} device categories"
        )


def _score_dimensions(
    risk: Risk, leads: tuple[str, ...], consequence: int, rng: random.Random
) -> None:
    """Score a demo risk's consequence dimensions: its kind's first lead dimension at the
    consequence, the second at it or one below, the others lower or not scored; about one
    risk in seven keeps the single consequence of a register from before the dimensions."""
    if not leads or rng.random() < 0.15:
        return
    for dimension in ConsequenceDimension.values:
        if dimension == leads[0]:
            score: int | None = consequence
        elif dimension in leads:
            score = max(1, consequence - rng.randint(0, 1))
        elif rng.random() < 0.5:
            score = max(1, consequence - rng.randint(1, 3))
        else:
            score = None
        setattr(risk, dimension_field(dimension), score)


#: Joint assessments on the shared systems (issue 16, item 4): title, threat, surface.
_JOINT_RISKS = [
    (
        "Udfald af {asset} rammer patientbehandlingen i alle regioner, der deler systemet",
        "ransomware",
        "it",
    ),
    ("Uautoriseret adgang til {asset} via en leverandørkonto", "supply-chain", "it"),
]


def seed_demo_joint_risks(*, rng: random.Random, log: Log) -> None:
    """On each shared system, risks that the regions sharing it assess jointly (the owning
    region leads), with a risk owner named by each sharing region. Kept when there are
    joint risks already."""
    if Risk.objects.filter(joint=True).exists():
        log("Joint risks: already there, kept")
        return
    threats = {threat.slug: threat for threat in Threat.objects.all()}
    fallback = next(iter(threats.values()), None)
    User = get_user_model()
    made = 0
    shared = Asset.objects.filter(shared_with__isnull=False).distinct().order_by("name")
    for asset in shared.select_related("organisation"):
        region = asset.organisation
        matrix = risk_matrix_for(region)
        owners = list(
            User.objects.filter(
                memberships__organisation=region, memberships__role=Role.RISK_OWNER
            ).distinct()
        )
        for title, threat_slug, surface in _JOINT_RISKS:
            threat = threats.get(threat_slug, fallback)
            if threat is None:
                return
            il, ic = rng.randint(3, 5), rng.randint(3, 5)
            rl, rc = max(1, il - 1), max(1, ic - 1)
            with transaction.atomic():
                risk = Risk.objects.create(
                    organisation=region,
                    title=title.format(asset=asset.name),
                    threat=threat,
                    attack_surface=surface,
                    vulnerability="Vurderet i fællesskab af de regioner, der deler systemet.",
                    inherent_likelihood=il,
                    inherent_consequence=ic,
                    residual_likelihood=rl,
                    residual_consequence=rc,
                    inherent_level=matrix.level_for(il * ic),
                    residual_level=matrix.level_for(rl * rc),
                    owner=rng.choice(owners) if owners else None,
                    status="assessed",
                    joint=True,
                )
                risk.assets.add(asset)
                for partner in asset.shared_with.all():
                    named = (
                        User.objects.filter(
                            memberships__organisation=partner,
                            memberships__role=Role.RISK_OWNER,
                        )
                        .order_by("username")
                        .first()
                    )
                    if named is not None:
                        JointRiskOwner.objects.create(risk=risk, organisation=partner, user=named)
            made += 1
    log(f"Joint risks: {made} on the shared systems")


def _profiles_and_snapshots(
    *, region: Organisation, rng: random.Random, today: date, scale: Decimal
) -> None:
    systems = Asset.objects.filter(organisation=region, kind=Asset.Kind.SYSTEM).count()
    devices = sum(
        Asset.objects.filter(
            organisation=region, kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY
        ).values_list("quantity", flat=True)
    )
    base = _EMPLOYEES.get(region.slug, 20000)
    period = Period.containing(today, "H").previous().previous()
    for step in range(3):
        growth = 1 + 0.02 * step
        AttackSurfaceProfile.objects.create(
            organisation=region,
            period=period.label,
            locations=int(base / 500),
            buildings=int(base / 64),
            employees=int(base * growth),
            students=int(base * 0.08),
            temporary_staff=int(base * 0.05),
            researchers=int(base * 0.04),
            external_consultants=int(base * 0.01),
            systems=systems,
            medical_devices=devices,
            end_user_devices=int(base * 1.8 * growth),
            data_centres=2,
            physical_servers=int(base / 64),
            virtual_servers=int(base / 9 * growth),
        )
        period = period.next()
    _snapshot_history(region=region, rng=rng, today=today)


def _snapshot_history(*, region: Organisation, rng: random.Random, today: date) -> None:
    """The six quarters before this one as snapshots that lead up to the register as it is
    now (``risk_picture_live``), which the daily snapshot records for the current quarter:
    the trend runs into today's figures instead of jumping at them. Each region moves at its
    own pace (drawn once per region): fewer risks in the past, a larger share critical or
    high, more actions overdue."""
    now = risk_picture_live(region, today=today)
    sector_now = sector_counts_live(region)
    matrix = risk_matrix_for(region)
    growth = rng.uniform(0.01, 0.025)  # the register grows by this share each quarter
    critical_fall = rng.uniform(0.04, 0.10)  # … and its critical risks fall
    high_fall = rng.uniform(-0.02, 0.05)
    residual_now, inherent_now = now.residual or {}, now.inherent or {}
    quarter = Period.containing(today, "Q")
    for back in range(6, 0, -1):
        label = quarter
        for _ in range(back):
            label = label.previous()
        size = 1 - growth * back
        total = round(sum(residual_now.values()) * size)
        critical = round(residual_now.get("critical", 0) * size * (1 + critical_fall * back))
        high = round(residual_now.get("high", 0) * size * (1 + high_fall * back))
        medium = min(round(residual_now.get("medium", 0) * size), max(0, total - critical - high))
        residual = {
            "critical": critical,
            "high": high,
            "medium": medium,
            "low": max(0, total - critical - high - medium),
        }
        inherent = {
            level: round(inherent_now.get(level, 0) * size) for level in ("critical", "high")
        }
        inherent["medium"] = min(
            round(inherent_now.get("medium", 0) * size), max(0, total - sum(inherent.values()))
        )
        inherent["low"] = max(0, total - sum(inherent.values()))
        open_actions = round(now.open_actions * size)
        snapshot = RiskSnapshot.objects.create(
            organisation=region,
            period=label.label,
            **{f"residual_{level}": n for level, n in residual.items()},
            **{f"inherent_{level}": n for level, n in inherent.items()},
            residual_cells=_snapshot_cells(matrix, residual),
            inherent_cells=_snapshot_cells(matrix, inherent),
            open_actions=open_actions,
            overdue_actions=min(open_actions, round(now.overdue_actions * (1 + 0.08 * back))),
            accepted_risks=round(now.accepted_risks * (1 - 0.04 * back)),
            **_snapshot_sector_counts(sector_now, size, residual),
        )
        # The quarter's lists as the snapshot service writes them (the ten highest risks, the
        # acceptances and closures, the overdue reviews), read from the register as of the
        # quarter's end by the same selector (``risks.services.risk_snapshots_take``) — in
        # their own table, which the region alone reads.
        RiskSnapshotListing.objects.create(
            snapshot=snapshot, listing=quarter_listing_live(region, today=label.end).to_json()
        )


def _snapshot_sector_counts(
    now: dict[str, object], size: float, residual: dict[str, int]
) -> dict[str, object]:
    """What a past demo snapshot counts for the sector's risk picture (``RiskSnapshot``):
    the register's counts now (``sector_counts_live``) scaled to the quarter's size; the
    shared systems and critical functions at risk as now, at most one per risk above
    medium."""

    def scaled(key: str) -> dict[str, int]:
        return {name: round(n * size) for name, n in cast(dict[str, int], now[key]).items()}

    def count(key: str) -> int:
        return cast(int, now[key])

    above_medium = residual["high"] + residual["critical"]
    return {
        "threat_counts": scaled("threat_counts"),
        "surface_counts": scaled("surface_counts"),
        "dimension_counts": scaled("dimension_counts"),
        "accepted_above_medium": round(count("accepted_above_medium") * size),
        "shared_systems_at_risk": min(count("shared_systems_at_risk"), above_medium),
        "critical_functions_at_risk": min(count("critical_functions_at_risk"), above_medium),
    }


def _snapshot_cells(matrix: RiskMatrix, counts: dict[str, int]) -> dict[str, int]:
    """A snapshot's heatmap cells for ``counts`` per level: each level's count spread evenly
    over the matrix's cells of that level (``{"likelihood,consequence": count}``)."""
    by_level: dict[str, list[tuple[int, int]]] = {}
    for likelihood in range(1, len(matrix.likelihood_labels) + 1):
        for consequence in range(1, len(matrix.consequence_labels) + 1):
            level = matrix.level_for(likelihood * consequence)
            by_level.setdefault(level, []).append((likelihood, consequence))
    cells: dict[str, int] = {}
    for level, count in counts.items():
        places = by_level.get(level, [])
        for index, (likelihood, consequence) in enumerate(places):
            share = count // len(places) + (1 if index < count % len(places) else 0)
            if share:
                cells[f"{likelihood},{consequence}"] = share
    return cells
