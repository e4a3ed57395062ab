"""Generating the demo sector. Deterministic for a given seed and scale."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from capabilities.demo import seed_demo_maturity
from composition.reference_data import reference_data_load
from incidents.demo import seed_demo_incidents
from initiatives.demo import seed_demo_initiatives
from portal.access.roles import Role
from portal.models import Membership, Organisation
from portal.sync import SyncReport
from risks.demo import seed_demo_joint_risks, seed_demo_risks
from risks.models import Asset
from risks.services import risk_snapshots_take

Log = Callable[[str], None]

#: User name prefix per region role: ``ciso.hovedstaden``, ``riskowner.sjaelland`` …
REGION_ROLE_USERS = {
    Role.CISO: "ciso",
    Role.RISK_OWNER: "riskowner",
    Role.VIEWER: "viewer",
    Role.DIREKTION: "direktion",
}

SYSTEMS_PER_REGION = 1500  # at scale 1 (seed 000: "1500+ systemer og software")
BATCH_SIZE = 2000

_SYSTEM_AREAS = [
    "Akutmodtagelse",
    "Laboratorium",
    "Radiologi",
    "Kirurgi",
    "Medicin",
    "Psykiatri",
    "Ambulance",
    "Apotek",
    "Økonomi",
    "HR",
    "Forskning",
    "Patologi",
    "Onkologi",
    "Intensiv",
    "Fødsel",
    "Børn og unge",
    "Sterilcentral",
    "Logistik",
    "Køkken",
    "Bygningsdrift",
]
_SYSTEM_KINDS = [
    "booking",
    "dokumentation",
    "overvågning",
    "integration",
    "billedarkiv",
    "rapportering",
    "planlægning",
    "analyse",
    "kommunikation",
    "styring",
]
_SUPPLIERS = [
    "Systematic",
    "Epic",
    "Cerner",
    "Netcompany",
    "KMD",
    "Siemens Healthineers",
    "Philips",
    "GE HealthCare",
    "Atea",
    "Microsoft",
    "Oracle",
    "EG",
    "Trifork",
    "Agfa",
    "Roche",
]
# Systems that really are used by more than one region are shared: visible to each of them.
_SHARED_SYSTEMS = [
    ("Sundhedsplatformen", "Epic", "hovedstaden", ["sjaelland"]),
    (
        "Fælles præhospitalt journalsystem",
        "Systematic",
        "midtjylland",
        ["nordjylland", "syddanmark"],
    ),
    ("Tværregional vagtcentral-integration", "Netcompany", "syddanmark", ["sjaelland"]),
]


def _scaled(count: int, scale: Decimal) -> int:
    return max(1, int(Decimal(count) * scale))


@transaction.atomic
def seed_users(*, log: Log) -> None:
    """One user per role per region, the TSI secretariat and a sector administrator."""
    User = get_user_model()
    password = make_password(settings.DEMO_PASSWORD)  # hashed once: same for every demo user
    organisations = {organisation.slug: organisation for organisation in Organisation.objects.all()}

    def user(username: str, first_name: str, last_name: str, *, superuser: bool = False):
        account, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.invalid",
                "password": password,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        return account

    memberships = []
    for organisation in organisations.values():
        if not organisation.is_region:
            continue
        for role, prefix in REGION_ROLE_USERS.items():
            account = user(
                f"{prefix}.{organisation.slug}", str(Role(role).label), organisation.name_da
            )
            memberships.append(Membership(user=account, organisation=organisation, role=role))
    secretariat = user("secretariat", "TSI", "Sekretariatet")
    memberships.append(
        Membership(
            user=secretariat, organisation=organisations["danske-regioner"], role=Role.SECRETARIAT
        )
    )
    admin = user("admin", "Sektor", "Administrator", superuser=True)
    memberships.append(
        Membership(
            user=admin, organisation=organisations["danske-regioner"], role=Role.SECTOR_ADMIN
        )
    )
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    log(f"Users: {User.objects.count()} (password from DEMO_PASSWORD)")


def seed_assets(*, scale: Decimal, rng: random.Random, log: Log) -> None:
    """Each region's systems, with a few shared systems and some legacy near end of support."""
    regions = {region.slug: region for region in Organisation.objects.filter(kind="region")}
    today = date.today()
    per_region = _scaled(SYSTEMS_PER_REGION, scale)
    for region in regions.values():
        if Asset.objects.filter(organisation=region).exists():
            log(f"Assets of {region.name_da}: already there, kept")
            continue
        batch = []
        for number in range(1, per_region + 1):
            area = rng.choice(_SYSTEM_AREAS)
            is_legacy = rng.random() < 0.12
            batch.append(
                Asset(
                    organisation=region,
                    name=f"{area} {rng.choice(_SYSTEM_KINDS)} {number:04d}",
                    kind=Asset.Kind.SYSTEM,
                    supplier=rng.choice(_SUPPLIERS),
                    is_legacy=is_legacy,
                    end_of_support=(
                        today + timedelta(days=rng.randint(-200, 900)) if is_legacy else None
                    ),
                )
            )
        with transaction.atomic():
            Asset.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        log(f"Assets of {region.name_da}: {len(batch)} systems")
    for name, supplier, owner, partners in _SHARED_SYSTEMS:
        asset, created = Asset.objects.get_or_create(
            organisation=regions[owner],
            name=name,
            kind=Asset.Kind.SYSTEM,
            defaults={"supplier": supplier},
        )
        if created:
            asset.shared_with.set([regions[partner] for partner in partners])


def seed_demo_sector(*, scale: Decimal, seed: int, log: Log) -> None:
    rng = random.Random(seed)
    report = SyncReport()
    reference_data_load(report=report)
    log(f"Reference data: {report.changed} objects written")
    seed_users(log=log)
    seed_assets(scale=scale, rng=rng, log=log)
    seed_demo_initiatives(rng=rng, log=log)
    seed_demo_risks(scale=scale, rng=rng, log=log)
    # Their own generator: the data seeded before stays what it was for the same seed.
    seed_demo_joint_risks(rng=random.Random(f"joint-{seed}"), log=log)
    # The current quarter's snapshot, as the daily beat takes it: the sector's picture shows
    # this quarter from the start, and the past quarters' demo snapshots lead up to it.
    log(f"Risk snapshots of the current quarter: {risk_snapshots_take()} regions")
    seed_demo_maturity(rng=rng, log=log)
    # Their own generator: the data seeded before stays what it was for the same seed.
    seed_demo_incidents(rng=random.Random(f"incidents-{seed}"), log=log)
