"""Demo data for the portfolio: TSI's groups (after seed 003), members, milestones, a status
update per half-year since 2023, deliverables and the regions' implementation status — with
their history (the groups' topics since the group began, each region's way to its status),
so that a past period's report has something to show."""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from initiatives.models import (
    Deliverable,
    ImplementationRecord,
    Milestone,
    RegionalImplementation,
    StatusUpdate,
    Strategy,
    WorkingGroup,
    WorkingGroupMember,
    WorkingGroupTopics,
)
from initiatives.selectors import current_strategy
from portal.access.roles import Role
from portal.models import Membership, Organisation
from portal.periods import Period, current_period, periods_between

Log = Callable[[str], None]

# (slug, kind, Danish name, English name, topics, initiative numbers)
GROUPS = [
    (
        "tsi",
        "steering",
        "Tværregional styregruppe for informationssikkerhed (TSI)",
        "Cross-regional steering group for information security (TSI)",
        ["Prioritering af tværregionale leverancer", "Statusbilag til regionsrådene"],
        [],
    ),
    (
        "jura",
        "working",
        "Arbejdsgruppen for jura og databeskyttelse",
        "Working group on law and data protection",
        [
            "Fællesregional databehandleraftaleskabelon",
            "EU-standardkontrakter og tredjelande",
            "Opslag i egen journal",
            "Cpr-abonnementer og -udtræk",
        ],
        ["2.5", "2.9"],
    ),
    (
        "risiko",
        "working",
        "Arbejdsgruppen for risikostyring",
        "Working group on risk management",
        ["Fælles model for risiko- og sårbarhedsanalyser på fælles systemer", "Legacy-systemer"],
        ["1.2", "2.3", "2.8"],
    ),
    (
        "operationel",
        "working",
        "Arbejdsgruppen for operationel sikkerhed",
        "Working group on operational security",
        [
            "Regionernes SOC (Security Operations Center)",
            "Sårbarhedsscanning",
            "Medicoteknisk udstyr",
        ],
        ["2.2", "2.6", "2.7", "3.1", "3.2"],
    ),
    (
        "beredskab",
        "working",
        "Arbejdsgruppen for it-beredskab",
        "Working group on IT preparedness",
        ["Samfundsvigtige funktioner", "Beredskabsøvelser for fælles systemer"],
        ["1.1", "4.3"],
    ),
    (
        "awareness",
        "exchange",
        "Erfaringsudvekslingsgruppen for awareness",
        "Experience-exchange group on awareness",
        ["Awarenesstiltag, kampagner og materialer", "Sikkerhed på de sundhedsfaglige uddannelser"],
        ["2.1"],
    ),
    (
        "log",
        "exchange",
        "Erfaringsudvekslingsgruppen for log og logopfølgning",
        "Experience-exchange group on logging",
        ["Automatiseret log og logopfølgning"],
        [],
    ),
    (
        "sletning",
        "exchange",
        "Erfaringsudvekslingsgruppen for sletning",
        "Experience-exchange group on deletion",
        ["Slettepolitikker og slettefrister"],
        [],
    ),
    (
        "iso",
        "exchange",
        "Erfaringsudvekslingsgruppen for ISO 27001",
        "Experience-exchange group on ISO 27001",
        ["ISO-retningslinjer", "ISO-krav fra NDIS"],
        [],
    ),
    (
        "brud",
        "exchange",
        "Erfaringsudvekslingsgruppen for brud på persondatasikkerheden",
        "Experience-exchange group on personal data breaches",
        ["Anmeldelse af brud", "Interne procedurer", "Typer af sager"],
        [],
    ),
]

# (group, initiative number or None, title, due, delivered?) — after seed 003's deliverables.
DELIVERABLES = [
    (
        "jura",
        None,
        "Revideret instruks til den fællesregionale databehandleraftaleskabelon",
        date(2023, 5, 31),
        True,
    ),
    (
        "jura",
        None,
        "Tilpasset databehandleraftaleskabelon ved overførsel til databehandlere uden for EU/EØS",
        date(2023, 11, 30),
        True,
    ),
    (
        "jura",
        None,
        "Vejledning i udfyldelse af EU-standardkontrakten ved overførsel til usikre tredjelande",
        date(2024, 4, 30),
        True,
    ),
    (
        "jura",
        None,
        "Fællesregionalt juridisk notat om opslag i egen journal",
        date(2024, 10, 31),
        True,
    ),
    (
        "jura",
        None,
        "Fællesregionalt notat om fælles tilgang til cpr-abonnementer og -udtræk",
        date(2025, 5, 31),
        True,
    ),
    (
        "jura",
        "2.9",
        "Fælles skabelon for konsekvensanalyser (DPIA) ved nye digitale løsninger",
        date(2025, 11, 30),
        True,
    ),
    (
        "jura",
        "2.5",
        "Katalog over sikkerhedskrav i regionernes it-kontrakter",
        date(2026, 5, 31),
        True,
    ),
    (
        "jura",
        None,
        "Information til opfyldelse af oplysningspligten på regionernes sociale medier",
        date(2026, 12, 15),
        False,
    ),
    (
        "risiko",
        "1.2",
        "Fælles model for risiko- og sårbarhedsanalyser på fælles systemer",
        date(2024, 6, 30),
        True,
    ),
    (
        "risiko",
        "2.3",
        "Kortlægning af legacy-systemer i kritisk it-infrastruktur",
        date(2025, 12, 31),
        True,
    ),
    (
        "risiko",
        "2.8",
        "Vejledning om cybersikkerhed til mindre aktører i sundhedssektoren",
        date(2026, 10, 31),
        True,
    ),
    (
        "operationel",
        "3.2",
        "Fælles kravspecifikation for regionernes SOC",
        date(2024, 12, 31),
        True,
    ),
    (
        "operationel",
        "3.1",
        "Fælles ramme for penetrationstest af fælles systemer",
        date(2025, 6, 30),
        True,
    ),
    (
        "operationel",
        "2.7",
        "Sikkerhedskrav til borgernært behandlingsudstyr",
        date(2026, 6, 30),
        True,
    ),
    (
        "operationel",
        "2.6",
        "Referencearkitektur for netværkssegmentering",
        date(2027, 3, 31),
        False,
    ),
    (
        "beredskab",
        "1.1",
        "Overblik over samfundsvigtige funktioner og deres systemer",
        date(2024, 3, 31),
        True,
    ),
    (
        "beredskab",
        "4.3",
        "Øvelseskoncept for beredskabsøvelser på fælles systemer",
        date(2025, 9, 30),
        True,
    ),
    (
        "beredskab",
        "4.3",
        "Tværregional beredskabsøvelse med leverandører",
        date(2026, 12, 31),
        False,
    ),
    (
        "awareness",
        "2.1",
        "Undervisningsmateriale om informationssikkerhed til sundhedsfaglige uddannelser",
        date(2025, 3, 31),
        True,
    ),
]

_NARRATIVES = [
    "Arbejdet skrider frem efter planen, og regionerne er inddraget gennem arbejdsgruppen.",
    "Leverancen er forsinket, fordi ressourcerne i regionerne er presset.",
    "Afhængighed af nationale aktører har givet udfordringer, som drøftes i TSI.",
    "Fokus har været på fælles tilgange, så den enkelte regions ressourceforbrug reduceres.",
    "Implementeringen i regionerne er i gang, men ikke ensartet endnu.",
]
#: The phases an initiative's milestones follow, in order (the demo's milestone titles).
_MILESTONES = [
    "Kortlægning af regionernes nuværende praksis afsluttet",
    "Fælles anbefaling godkendt i TSI",
    "Implementering påbegyndt i alle regioner",
    "Evaluering og erfaringsopsamling afrapporteret",
]

_NEXT = [
    "Udkast sendes i høring i regionerne.",
    "Arbejdsgruppen færdiggør materialet og forelægger det for TSI.",
    "Erfaringer fra pilotregionen deles med de øvrige regioner.",
]


def _member_users(
    group_slug: str, offset: int, count: int, regions: list[Organisation], password: str
):
    User = get_user_model()
    users = []
    for number in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=f"wg.{group_slug}.{number}",
            defaults={
                "first_name": f"Medlem {number}",
                "last_name": group_slug.capitalize(),
                "email": f"wg.{group_slug}.{number}@demo.invalid",
                "password": password,
            },
        )
        if created:
            region = regions[(offset + number) % len(regions)]
            Membership.objects.get_or_create(user=user, organisation=region, role=Role.VIEWER)
        users.append(user)
    return users


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


#: The way a region's implementation goes, step by step.
IMPLEMENTATION_STEPS = ["not_started", "planned", "in_progress", "implemented"]


def _implementation_history(strategy: Strategy, *, rng: random.Random, today: date) -> None:
    """Each region's status of each initiative of ``strategy`` (drawn from ``rng``) and the
    way to it: from "not started" when the strategy began through the steps, each recorded
    on a day between then and a month ago (``ImplementationRecord``; the days drawn from a
    generator of their own, so that the data seeded after stays what it was)."""
    days_rng = random.Random(f"implementation-history-{strategy.slug}")
    begun = date(strategy.start_year, 1, 1)
    span = max((today - timedelta(days=30) - begun).days, 1)
    statuses = ["not_started", "planned", "in_progress", "in_progress", "implemented"]
    rows = list(RegionalImplementation.objects.filter(initiative__strategy=strategy))
    records = []
    for row in rows:
        row.status = rng.choice(statuses)
        steps = IMPLEMENTATION_STEPS[1 : IMPLEMENTATION_STEPS.index(row.status) + 1]
        days = sorted(days_rng.sample(range(1, span), len(steps))) if span > len(steps) else []
        records += [
            ImplementationRecord(
                implementation=row,
                status=step,
                recorded_at=_moment(begun + timedelta(days=offset)),
            )
            for step, offset in zip(steps, days, strict=False)
        ]
        if len(days) < len(steps):  # a strategy begun this month: no way to tell
            records.append(ImplementationRecord(implementation=row, status=row.status))
    # The first record of each row (written when the row was made) is its start.
    ImplementationRecord.objects.filter(implementation__in=rows).update(recorded_at=_moment(begun))
    ImplementationRecord.objects.bulk_create(records, batch_size=1000)
    RegionalImplementation.objects.bulk_update(rows, ["status"])


@transaction.atomic
def seed_demo_initiatives(*, rng: random.Random, log: Log, today: date | None = None) -> None:
    today = today or date.today()
    strategy = current_strategy(today)
    if strategy is None:
        log("Initiatives: no strategy loaded, skipped")
        return
    if WorkingGroup.objects.exists():
        log("Initiatives: working groups already there, kept")
        return
    regions = list(Organisation.objects.regions().order_by("slug"))
    password = make_password(settings.DEMO_PASSWORD)
    initiatives = {i.number: i for i in strategy.initiatives.all()}
    groups = {}
    for offset, (slug, kind, name_da, name_en, topics, numbers) in enumerate(GROUPS):
        active_from = date(2019, 1, 1) if kind != "exchange" else date(2020, 1, 1)
        group = WorkingGroup.objects.create(
            slug=slug,
            kind=kind,
            name_da=name_da,
            name_en=name_en,
            topics="\n".join(topics),
            active_from=active_from,
        )
        groups[slug] = group
        # The group has worked on these topics since it began.
        WorkingGroupTopics.objects.filter(group=group).update(recorded_at=_moment(active_from))
        for index, user in enumerate(_member_users(slug, offset, 3, regions, password)):
            WorkingGroupMember.objects.create(
                group=group, user=user, role="chair" if index == 0 else "member"
            )
        for number in numbers:
            initiative = initiatives[number]
            initiative.working_group = group
            initiative.lead_organisation = regions[rng.randrange(len(regions))]
            initiative.save()

    periods = periods_between(
        Period.containing(date(strategy.start_year, 1, 1), "H"), current_period(today)
    )
    updates = []
    milestones = []
    for initiative in initiatives.values():
        authors = (
            [seat.user for seat in initiative.working_group.seats.all()]
            if initiative.working_group
            else []
        )
        author = authors[0] if authors else get_user_model().objects.get(username="secretariat")
        progress = 0
        # Some initiatives have not reported for the current period yet: it is "due".
        skip_current = rng.random() < 0.35
        for period in periods:
            if period == periods[-1] and skip_current:
                break
            progress = min(100, progress + rng.randint(5, 22))
            status = "completed" if progress == 100 else "in_progress"
            rag = rng.choices(["green", "amber", "red"], weights=[6, 3, 1])[0]
            updates.append(
                StatusUpdate(
                    initiative=initiative,
                    period=period.label,
                    period_start=period.start,
                    status=status,
                    rag="green" if status == "completed" else rag,
                    progress=progress,
                    narrative=rng.choice(_NARRATIVES),
                    next_steps="" if status == "completed" else rng.choice(_NEXT),
                    blockers="Mangel på ressourcer i regionerne." if rag == "red" else "",
                    author=author,
                )
            )
        # The phases follow one another: the first is due first.
        offsets = sorted(rng.randint(120, 1400) for _phase in range(rng.randint(2, 4)))
        done: date | None = date.min  # a phase is done only after the one before it
        for milestone_number, offset in enumerate(offsets, start=1):
            due = date(strategy.start_year, 1, 1) + timedelta(days=offset)
            done = (
                due - timedelta(days=rng.randint(0, 30))
                if done is not None and due < today and rng.random() < 0.8
                else None
            )
            milestones.append(
                Milestone(
                    initiative=initiative,
                    title=f"Delmål {milestone_number}: {_MILESTONES[milestone_number - 1]}",
                    due=due,
                    done_on=done,
                )
            )
    StatusUpdate.objects.bulk_create(updates, batch_size=1000)
    Milestone.objects.bulk_create(milestones)

    for slug, initiative_number, title, deliverable_due, delivered in DELIVERABLES:
        Deliverable.objects.create(
            working_group=groups[slug],
            initiative=initiatives.get(initiative_number) if initiative_number else None,
            title=title,
            due=deliverable_due,
            status="delivered"
            if delivered
            else ("in_progress" if deliverable_due - today < timedelta(days=240) else "planned"),
            delivered_on=(
                deliverable_due - timedelta(days=rng.randint(0, 20)) if delivered else None
            ),
        )

    _implementation_history(strategy, rng=rng, today=today)
    log(
        f"Initiatives: {len(groups)} groups, {len(updates)} status updates, "
        f"{len(milestones)} milestones, {len(DELIVERABLES)} deliverables"
    )
