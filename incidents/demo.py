"""Demo incidents: a few per region over the last two years, as a region's register holds
them — phishing, ransomware, a DDoS on the patient portal, a snooping employee, a supplier's
outage, misdirected letters — some with clocks met, some submitted late with the reasons for
the delay, one run out without a submission, and in some regions an incident under way whose
next clock runs out today. The same number at every scale (incidents are rare events, not
register rows). Two sector incidents at shared suppliers, with the incidents of two or three
regions linked, and every incident's facts for the sector. Bulk inserts, like the other demo
data: nothing enters the audit trail."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from incidents.clocks import due_at, first_submissions
from incidents.facts import incident_facts_rebuild
from incidents.models import (
    Incident,
    IncidentStatus,
    IncidentSubmission,
    IncidentTimelineEntry,
    SectorIncident,
    SectorIncidentStatus,
    TimelineKind,
)
from incidents.reporting_rules import DeadlineKind
from incidents.services import default_recipient
from portal.access.roles import Role
from portal.models import Organisation
from risks.models import Asset, CriticalFunction

Log = Callable[[str], None]

#: Each region's hospitals, which the incidents' texts name.
HOSPITALS = {
    "hovedstaden": ["Rigshospitalet", "Herlev og Gentofte Hospital", "Bispebjerg Hospital"],
    "sjaelland": ["Sjællands Universitetshospital, Køge", "Holbæk Sygehus", "Næstved Sygehus"],
    "syddanmark": ["Odense Universitetshospital", "Sydvestjysk Sygehus", "Sygehus Lillebælt"],
    "midtjylland": [
        "Aarhus Universitetshospital",
        "Regionshospitalet Gødstrup",
        "Regionshospitalet Randers",
    ],
    "nordjylland": ["Aalborg Universitetshospital", "Sygehus Vendsyssel", "Sygehus Thy-Mors"],
}
_DEFAULT_HOSPITALS = ["Regionshospitalet"]

#: What each clock's submission was late for, in the region's words (GDPR Art. 33(1): the
#: reasons for the delay).
LATE_REASONS = {
    DeadlineKind.NIS2_EARLY_WARNING: "Hændelsen blev først klassificeret som væsentlig efter "
    "vagtskiftet; den tidlige varsling blev sendt, så snart klassifikationen var på plads.",
    DeadlineKind.NIS2_NOTIFICATION: "Omfanget kunne ikke vurderes, før leverandørens "
    "foreløbige analyse forelå; hændelsesunderretningen blev sendt samme dag.",
    DeadlineKind.NIS2_FINAL_REPORT: "Den endelige rapport afventede leverandørens "
    "rodårsagsanalyse, som blev forsinket.",
    DeadlineKind.GDPR_NOTIFICATION: "Det tog længere tid end forventet at fastslå, hvilke "
    "patienter der var berørt; anmeldelsen blev sendt, da kredsen var afgrænset.",
}


@dataclass(frozen=True)
class Scenario:
    """One demo incident: its texts, classification, when it was detected (days ago) and
    how each clock was met — hours after becoming aware (after the notification for the
    final report: days), None for a clock left without a submission."""

    title: str
    description: str
    category: str
    severity: str
    days_ago: int
    status: str
    nis2: str = ""
    gdpr: bool = False
    gdpr_exception: str = ""
    art34: bool = False
    personal_data_categories: str = ""
    data_subjects: int | None = None
    records: int | None = None
    supplier: str = ""
    malicious: bool = False
    cross_border: bool = False
    submissions: dict[DeadlineKind, float | None] = field(default_factory=dict)
    # What the notifications report (each stage's draft lists what is still empty): filled
    # for every stage the scenario submitted, as a region would have before submitting.
    impact: str = ""
    indicators: str = ""
    root_cause: str = ""
    mitigation: str = ""
    breach_nature: str = ""
    data_subject_categories: str = ""
    breach_consequences: str = ""
    breach_measures: str = ""
    #: The timeline a person wrote: detection, containment, decision, communication,
    #: observation (``TIMELINE_KINDS``), at ``TIMELINE_HOURS`` after becoming aware.
    timeline: tuple[str, str, str, str, str] = ("", "", "", "", "")


#: The kinds of a scenario's ``timeline``, in its order, and when each happened: hours after
#: becoming aware (the detection: when the incident was detected).
TIMELINE_KINDS = (
    TimelineKind.DETECTION,
    TimelineKind.CONTAINMENT,
    TimelineKind.DECISION,
    TimelineKind.COMMUNICATION,
    TimelineKind.OBSERVATION,
)
TIMELINE_HOURS = (None, 2, 3, 5, 24)
#: The way to a status, and when each step was taken: hours after becoming aware.
STATUS_STEPS = (
    (IncidentStatus.INVESTIGATING, 0),
    (IncidentStatus.CONTAINED, 2),
    (IncidentStatus.RESOLVED, 72),
    (IncidentStatus.CLOSED, 35 * 24),
)


def contact_point(region: Organisation) -> str:
    """Where Datatilsynet and the data subjects learn more: the region's DPO."""
    return f"Databeskyttelsesrådgiveren (DPO), {region.name_da}, via regionens hovednummer"


def _scenarios(hospital: str, other: str) -> list[Scenario]:
    """The region's incidents, oldest first (the last two are under way)."""
    EW, NOTE, FINAL, DT = (
        DeadlineKind.NIS2_EARLY_WARNING,
        DeadlineKind.NIS2_NOTIFICATION,
        DeadlineKind.NIS2_FINAL_REPORT,
        DeadlineKind.GDPR_NOTIFICATION,
    )
    return [
        Scenario(
            title=f"Kompromitteret mailkonto hos læge på {hospital}",
            description="En læge indtastede sine loginoplysninger på en falsk Microsoft 365-side. "
            "Kontoen sendte phishingmails til 400 interne modtagere, og angriberen havde adgang "
            "til postkassen i ca. fire timer, herunder mails med patientoplysninger.",
            category="phishing",
            severity="medium",
            days_ago=690,
            status="closed",
            gdpr=True,
            personal_data_categories="Helbredsoplysninger, navne og CPR-numre i mails",
            data_subjects=35,
            records=60,
            malicious=True,
            submissions={DT: 40},
            breach_nature="Uvedkommende adgang til en læges postkasse i ca. fire timer; mails med "
            "patientoplysninger kan være læst eller videresendt.",
            data_subject_categories="Patienter",
            breach_consequences="Risiko for, at helbredsoplysninger og CPR-numre bliver kendt af "
            "uvedkommende og misbrugt, fx til identitetstyveri eller målrettet svindel.",
            breach_measures="Adgangskode nulstillet, sessioner afbrudt og MFA håndhævet; "
            "videresendelsesregler fjernet; de berørte patienter orienteret.",
            timeline=(
                "Servicedesk modtog henvendelser om mistænkelige mails fra lægens konto.",
                "Kontoen spærret, sessioner afbrudt og phishingmails fjernet fra postkasserne.",
                "Bruddet anmeldes til Datatilsynet; patienter med CPR-numre i mails orienteres.",
                "Medarbejdere advaret på intranettet om den falske login-side.",
                "Logs viser ingen videresendelse af mails ud af regionen.",
            ),
        ),
        Scenario(
            title=f"Ransomware på filservere i {other}",
            description="Krypterede filer på to filservere med afdelingsdrev; angrebet blev "
            "opdaget af EDR-løsningen. Servere isoleret og gendannet fra backup. Drevene "
            "indeholdt blandt andet vagtplaner og patientlister.",
            category="ransomware",
            severity="critical",
            days_ago=520,
            status="closed",
            nis2="Afdelingsdrev utilgængelige i tre døgn; flere afdelinger på nødprocedurer.",
            gdpr=True,
            art34=True,
            personal_data_categories="Navne, CPR-numre og diagnoser på patientlister",
            data_subjects=1800,
            records=2400,
            malicious=True,
            submissions={EW: 18, NOTE: 80, DT: 90, FINAL: 27},
            impact="Afdelingsdrev utilgængelige i tre døgn; vagtplaner og patientlister på papir; "
            "ingen påvirkning af patientbehandlingen ud over forsinkelser.",
            indicators="Krypterede filer med endelsen .lockbit; udgående forbindelser til to "
            "IP-adresser i udlandet; kompromitteret servicekonto svc-backup02.",
            root_cause="Kompromitteret servicekonto uden MFA, fundet via en sårbar VPN-gateway "
            "uden seneste sikkerhedsopdatering.",
            mitigation="Servere isoleret og gendannet fra backup; VPN-gateway opdateret; "
            "servicekonti gennemgået og MFA indført; EDR udrullet på alle filservere.",
            breach_nature="Filer med patientlister er krypteret og muligvis kopieret ud af "
            "angriberen (tab af tilgængelighed og mulig videregivelse).",
            data_subject_categories="Patienter og medarbejdere",
            breach_consequences="Risiko for offentliggørelse af diagnoser og CPR-numre; "
            "midlertidigt tab af overblik over planlagte behandlinger.",
            breach_measures="Gendannelse fra backup; overvågning af lækagesider; berørte "
            "patienter informeret efter artikel 34.",
            timeline=(
                "EDR-løsningen slog alarm om massekryptering på to filservere.",
                "Filserverne isoleret fra netværket; servicekontoen spærret.",
                "Beredskabsledelsen beslutter gendannelse fra backup frem for forhandling.",
                "Afdelingerne orienteret om nødprocedurer; tidlig varsling sendt til CFCS.",
                "Gendannelsen er verificeret; ingen tegn på kryptering andre steder.",
            ),
        ),
        Scenario(
            title="DDoS-angreb mod regionens patientportal",
            description="Overbelastningsangreb mod patientportalen og den offentlige hjemmeside "
            "i ca. seks timer. Borgere kunne ikke booke eller se svar; hospitalsdriften var ikke "
            "berørt. Trafikken blev filtreret hos netværksleverandøren.",
            category="ddos",
            severity="high",
            days_ago=330,
            status="resolved",
            nis2="Patientportalen utilgængelig for borgere i seks timer.",
            supplier="Netværksleverandør (DDoS-beskyttelse)",
            malicious=True,
            cross_border=True,
            submissions={EW: 6, NOTE: 50, FINAL: None},
            impact="Patientportalen og hjemmesiden utilgængelige for borgere i seks timer; "
            "hospitalsdriften ikke berørt.",
            indicators="Trafikspidser på 40 Gbit/s fra et botnet med adresser i flere lande.",
            root_cause="Volumetrisk DDoS-angreb fra et botnet, efter alt at dømme hacktivister.",
            mitigation="Trafikfiltrering hos netværksleverandøren; permanent DDoS-beskyttelse "
            "af patientportalen.",
            timeline=(
                "Overvågningen viste, at patientportalen ikke svarede.",
                "Netværksleverandøren aktiverede filtrering af angrebstrafikken.",
                "Hændelsen vurderes som væsentlig; tidlig varsling sendes.",
                "Borgerne orienteret om nedbruddet på regionens hjemmeside og sociale medier.",
                "Trafikken normaliseret; filtreringen fastholdes i et døgn.",
            ),
        ),
        Scenario(
            title=f"Uberettigede opslag i patientjournaler på {hospital}",
            description="Logopfølgning viste, at en medarbejder gennem et halvt år havde slået "
            "op i journaler på familie og naboer uden arbejdsbetinget grund. Adgangen er "
            "lukket, og sagen er overdraget til HR.",
            category="insider",
            severity="high",
            days_ago=170,
            status="closed",
            gdpr=True,
            art34=True,
            personal_data_categories="Journaloplysninger (helbredsoplysninger)",
            data_subjects=23,
            records=140,
            submissions={DT: 101},
            breach_nature="En medarbejder har uden arbejdsbetinget grund læst journaler "
            "(uberettiget adgang).",
            data_subject_categories="Patienter (familie og naboer til medarbejderen)",
            breach_consequences="Krænkelse af privatlivet; risiko for, at helbredsoplysninger "
            "bliver kendt i de berørtes nærmiljø.",
            breach_measures="Medarbejderens adgang lukket; sagen overdraget til HR; de berørte "
            "patienter informeret; skærpet logopfølgning.",
            timeline=(
                "Den stikprøvevise logopfølgning viste opslag uden behandlingsrelation.",
                "Medarbejderens adgang til journalsystemet lukket.",
                "Sagen overdrages til HR; bruddet anmeldes til Datatilsynet.",
                "De berørte patienter informeret med brev.",
                "Udvidet logkontrol finder ingen andre uberettigede opslag.",
            ),
        ),
        Scenario(
            title="Nedbrud hos driftsleverandør af laboratoriesystemet",
            description="Fejl i leverandørens datacenter gjorde laboratoriesystemet "
            "utilgængeligt i 90 minutter. Prøvesvar blev givet telefonisk efter nødproceduren.",
            category="supplier",
            severity="medium",
            days_ago=75,
            status="closed",
            supplier="Driftsleverandør af laboratoriesystemet",
            impact="Laboratoriesystemet utilgængeligt i 90 minutter; prøvesvar givet telefonisk.",
            root_cause="Strømsvigt i leverandørens datacenter, hvor nødstrømmen ikke slog til.",
            mitigation="Leverandøren har testet nødstrømsanlægget og indført månedlig afprøvning.",
            timeline=(
                "Afdelingerne meldte, at laboratoriesystemet ikke svarede.",
                "Nødproceduren for prøvesvar aktiveret.",
                "Hændelsen vurderes ikke som væsentlig; ingen anmeldelse.",
                "Leverandøren orienterede løbende om genoprettelsen.",
                "Systemet kører igen; ingen tab af data.",
            ),
        ),
        Scenario(
            title="Indkaldelsesbreve sendt til forkerte modtagere",
            description="En fejl i flettefeltet sendte 12 indkaldelser til ambulant kontrol til "
            "forkerte modtagere. Brevene angav kun tid og sted, ikke diagnose.",
            category="personal_data_breach",
            severity="low",
            days_ago=40,
            status="closed",
            gdpr=True,
            gdpr_exception="Brevene indeholdt navn, tid og sted, men ingen helbredsoplysninger "
            "eller CPR-numre; modtagerne har bekræftet at have destrueret dem.",
            personal_data_categories="Navne og adresser",
            data_subjects=12,
            records=12,
            breach_nature="Indkaldelser sendt til forkerte modtagere (videregivelse).",
            data_subject_categories="Patienter",
            breach_consequences="Lav: modtagerne har kun set navn, tid og sted.",
            breach_measures="Flettefeltet rettet; modtagerne har bekræftet at have destrueret "
            "brevene.",
            timeline=(
                "En modtager ringede og fortalte, at brevet var til en anden.",
                "Udsendelsen stoppet; flettefeltet rettet.",
                "Bruddet dokumenteres uden anmeldelse: brevene rummer ingen helbredsoplysninger.",
                "Modtagerne kontaktet og bedt om at destruere brevene.",
                "Alle modtagere har bekræftet destruktionen.",
            ),
        ),
        Scenario(
            title=f"Mistænkelig trafik fra medicinsk udstyr på {other}",
            description="Netværksovervågningen så udgående forbindelser fra en gruppe "
            "patientmonitorer til en ukendt adresse i udlandet. Segmentet er isoleret, og "
            "monitorerne kører lokalt; leverandøren undersøger.",
            category="other",
            severity="high",
            days_ago=2,
            status="investigating",
            nis2="Mulig kompromittering af medicinsk udstyr i drift; overvågning af patienter "
            "sker manuelt i berørte afsnit.",
            supplier="Leverandør af patientmonitorer",
            malicious=True,
            submissions={EW: 14},
            impact="Patientmonitorer i to afsnit kører uden central overvågning; patienterne "
            "overvåges manuelt.",
            indicators="Udgående forbindelser fra monitorernes segment til en ukendt adresse i "
            "udlandet på port 8443.",
            timeline=(
                "Netværksovervågningen så udgående forbindelser fra patientmonitorer.",
                "Segmentet isoleret; monitorerne kører lokalt.",
                "Hændelsen vurderes som væsentlig; tidlig varsling til CFCS.",
                "Afsnittene orienteret om manuel overvågning.",
                "Leverandøren har modtaget logs og undersøger monitorernes software.",
            ),
        ),
        Scenario(
            title=f"Bortkommet bærbar computer med patientdata fra {hospital}",
            description="En ukrypteret bærbar computer med et udtræk til et kvalitetsprojekt er "
            "stjålet fra en bil. Udtrækket indeholdt oplysninger om ca. 900 patienter.",
            category="personal_data_breach",
            severity="high",
            days_ago=4,
            status="contained",
            gdpr=True,
            art34=True,
            personal_data_categories="CPR-numre og diagnosekoder",
            data_subjects=900,
            records=900,
            submissions={DT: None},
            breach_nature="Tyveri af en ukrypteret bærbar computer med et udtræk af "
            "patientoplysninger (tab af fortrolighed).",
            data_subject_categories="Patienter",
            breach_consequences="Høj risiko for misbrug af CPR-numre og diagnoser.",
            breach_measures="Tyveriet politianmeldt; computerens konti spærret; de berørte "
            "patienter informeres; kryptering af bærbare computere håndhæves.",
            timeline=(
                "Medarbejderen meldte computeren stjålet fra sin bil.",
                "Computerens konti og certifikater spærret.",
                "Bruddet anmeldes til Datatilsynet; patienterne informeres.",
                "Tyveriet politianmeldt.",
                "Udtrækket er identificeret: ca. 900 patienter.",
            ),
        ),
    ]


def _aware(detected: datetime, rng: random.Random, days_ago: int) -> datetime:
    """When the region became aware that it was a significant incident or a breach: hours
    after it was detected (sooner for the ones under way, so that their clocks run today)."""
    hours = rng.randint(2, 20) if days_ago > 7 else rng.randint(1, 4)
    return detected + timedelta(hours=hours)


def _detected(days_ago: int, rng: random.Random, now: datetime) -> datetime:
    if days_ago <= 7:
        # Under way: two days and a half before, so that the 72-hour clocks run out today.
        return (
            now
            - timedelta(days=days_ago, hours=12 if days_ago == 2 else 0)
            + timedelta(hours=rng.randint(0, 2))
        )
    return now - timedelta(days=days_ago + rng.randint(-20, 20), hours=rng.randint(0, 23))


@transaction.atomic
def seed_demo_incidents(*, rng: random.Random, log: Log, now: datetime | None = None) -> None:
    """Eight incidents per region (fewer in some: an incident under way is in every other
    region), with their submissions."""
    now = now or timezone.now()
    User = get_user_model()
    for index, region in enumerate(Organisation.objects.regions().order_by("slug")):
        if Incident.objects.filter(organisation=region).exists():
            log(f"Incidents of {region.name_da}: already there, kept")
            continue
        hospitals = HOSPITALS.get(region.slug, _DEFAULT_HOSPITALS)
        hospital, other = hospitals[0], hospitals[-1]
        scenarios = _scenarios(hospital, other)
        # Under way: the suspicious devices in every other region, the lost laptop in the rest.
        scenarios = [*scenarios[:6], scenarios[6 if index % 2 == 0 else 7]]
        people = {
            role: list(
                User.objects.filter(
                    memberships__organisation=region, memberships__role=role
                ).order_by("pk")
            )
            for role in (Role.CISO, Role.RISK_OWNER)
        }
        ciso = people[Role.CISO][0] if people[Role.CISO] else None
        owners = people[Role.RISK_OWNER] + people[Role.CISO]
        systems = list(
            Asset.objects.filter(organisation=region, kind=Asset.Kind.SYSTEM)
            .order_by("pk")
            .values_list("pk", flat=True)[:200]
        )
        functions = list(
            CriticalFunction.objects.filter(organisation=region)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        incidents: list[Incident] = []
        for scenario in scenarios:
            detected = _detected(scenario.days_ago, rng, now)
            incidents.append(
                Incident(
                    organisation=region,
                    title=scenario.title,
                    description=scenario.description,
                    category=scenario.category,
                    severity=scenario.severity,
                    status=scenario.status,
                    detected_at=detected,
                    aware_at=_aware(detected, rng, scenario.days_ago),
                    supplier=scenario.supplier,
                    suspected_malicious=scenario.malicious,
                    cross_border=scenario.cross_border,
                    personal_data=scenario.gdpr,
                    personal_data_categories=scenario.personal_data_categories,
                    data_subjects_approx=scenario.data_subjects,
                    records_approx=scenario.records,
                    owner=rng.choice(owners) if owners else None,
                    nis2_significant=bool(scenario.nis2),
                    nis2_reason=scenario.nis2,
                    gdpr_breach=scenario.gdpr,
                    gdpr_exception_unlikely_risk=bool(scenario.gdpr_exception),
                    gdpr_exception_reason=scenario.gdpr_exception,
                    gdpr_art34_communication=scenario.art34,
                    impact=scenario.impact,
                    indicators_of_compromise=scenario.indicators,
                    root_cause=scenario.root_cause,
                    mitigation=scenario.mitigation,
                    breach_nature=scenario.breach_nature,
                    data_subject_categories=scenario.data_subject_categories,
                    breach_consequences=scenario.breach_consequences,
                    breach_measures=scenario.breach_measures,
                    contact_point=contact_point(region) if scenario.gdpr else "",
                )
            )
        incidents = Incident.objects.bulk_create(incidents)
        submissions = []
        entries: list[IncidentTimelineEntry] = []
        for incident, scenario in zip(incidents, scenarios, strict=True):
            made = _submissions(incident, scenario, by=ciso, rng=rng)
            submissions += made
            author = incident.owner or ciso
            if author is not None:
                entries += _timeline(incident, scenario, made, author=author, now=now)
            if systems:
                incident.affected_systems.add(*rng.sample(systems, min(2, len(systems))))
            if functions:
                incident.critical_functions.add(rng.choice(functions))
        IncidentSubmission.objects.bulk_create(submissions)
        IncidentTimelineEntry.objects.bulk_create(entries)
        log(
            f"Incidents of {region.name_da}: {len(incidents)}, {len(submissions)} submissions, "
            f"{len(entries)} timeline entries"
        )
    _seed_sector_incidents(now=now, log=log)
    written = incident_facts_rebuild(Incident.objects.order_by("pk"))
    log(f"Incident facts for the sector: {written}")


def _timeline(
    incident: Incident,
    scenario: Scenario,
    submissions: list[IncidentSubmission],
    *,
    author,
    now: datetime,
) -> list[IncidentTimelineEntry]:
    """The incident's timeline: what people wrote (``Scenario.timeline``), the status changes
    on the way to its status and the submissions, as the portal enters them itself — nothing
    later than an hour ago."""
    latest = now - timedelta(hours=1)

    def entry(kind: str, at: datetime, by=author, **values) -> IncidentTimelineEntry:
        return IncidentTimelineEntry(
            incident=incident,
            organisation_id=incident.organisation_id,
            kind=kind,
            occurred_at=min(at, latest),
            author=by,
            **values,
        )

    entries = [
        entry(
            kind,
            incident.detected_at if hours is None else incident.aware_at + timedelta(hours=hours),
            text=text,
        )
        for kind, hours, text in zip(TIMELINE_KINDS, TIMELINE_HOURS, scenario.timeline, strict=True)
        if text
    ]
    before = IncidentStatus.NEW.value
    for status, hours in STATUS_STEPS:
        if before == scenario.status:
            break
        at = incident.aware_at + timedelta(hours=hours)
        entries.append(
            entry(TimelineKind.STATUS_CHANGE, at, old_value=before, new_value=status.value)
        )
        before = status.value
    for submission in submissions:
        text = f"{submission.recipient} ({submission.reference})"
        entries.append(
            entry(
                TimelineKind.SUBMISSION,
                submission.submitted_at,
                by=submission.by,
                new_value=submission.kind,
                text=text,
            )
        )
    return entries


#: The supplier incidents that hit several regions: (title, description, supplier, status,
#: the title the regions' own incidents start with, how many regions link one).
SECTOR_SCENARIOS = [
    (
        "Kompromitteret fjernadgang hos leverandør af patientmonitorer",
        "Leverandøren af patientmonitorer har bekræftet uautoriseret adgang til sin "
        "fjernsupportplatform. Flere regioner ser udgående forbindelser fra monitorer til "
        "ukendte adresser. Anbefaling: isolér monitorernes netsegment og luk leverandørens "
        "fjernadgang, til leverandøren har udsendt en rettelse.",
        "Leverandør af patientmonitorer",
        SectorIncidentStatus.OPEN,
        "Mistænkelig trafik fra medicinsk udstyr",
        3,
    ),
    (
        "Nedbrud i fælles driftscenter for laboratoriesystemet",
        "Strømsvigt i leverandørens driftscenter gjorde laboratoriesystemet utilgængeligt i "
        "flere regioner samtidig. Driften er genoprettet; leverandørens rodårsagsanalyse er "
        "delt med regionerne.",
        "Driftsleverandør af laboratoriesystemet",
        SectorIncidentStatus.CLOSED,
        "Nedbrud hos driftsleverandør af laboratoriesystemet",
        2,
    ),
]


def _seed_sector_incidents(*, now: datetime, log: Log) -> None:
    """The sector incidents at shared suppliers, each with the incidents of two or three
    regions linked (the regions' own decision, here made for them)."""
    if SectorIncident.objects.exists():
        log("Sector incidents: already there, kept")
        return
    for title, description, supplier, status, own_title, regions in SECTOR_SCENARIOS:
        own = list(
            Incident.objects.filter(title__startswith=own_title, sector_incident__isnull=True)
            .order_by("organisation__slug", "pk")
            .values_list("pk", "detected_at")[:regions]
        )
        opened_at = min((detected for _pk, detected in own), default=now) + timedelta(hours=3)
        (sector_incident,) = SectorIncident.objects.bulk_create(
            [
                SectorIncident(
                    title=title,
                    description=description,
                    supplier=supplier,
                    opened_at=min(opened_at, now),
                    status=status,
                )
            ]
        )
        Incident.objects.filter(pk__in=[pk for pk, _detected in own]).update(
            sector_incident=sector_incident
        )
        log(f"Sector incident {title}: {len(own)} regions' incidents linked")


def _submissions(
    incident: Incident, scenario: Scenario, *, by, rng: random.Random
) -> list[IncidentSubmission]:
    """The submissions the scenario made, each with its reference number and, when it came
    after the clock ran out, the reasons for the delay."""
    if by is None:
        return []
    made: list[IncidentSubmission] = []
    submitted: dict[DeadlineKind, datetime] = {}
    for kind in incident.clock_kinds():
        after = scenario.submissions.get(kind)
        if after is None:
            continue  # left without a submission
        if kind == DeadlineKind.NIS2_FINAL_REPORT:
            notification = submitted.get(DeadlineKind.NIS2_NOTIFICATION)
            if notification is None:
                continue
            moment = notification + timedelta(days=after)
        else:
            moment = incident.aware_at + timedelta(hours=after)
        due, _provisional = due_at(kind, aware_at=incident.aware_at, submitted=submitted)
        submitted = first_submissions([*submitted.items(), (kind, moment)])
        recipient = default_recipient(kind)
        made.append(
            IncidentSubmission(
                incident=incident,
                kind=kind,
                submitted_at=moment,
                recipient=recipient,
                reference=(
                    f"DT-{moment:%Y}-{rng.randint(10000, 99999)}"
                    if recipient == "Datatilsynet"
                    else f"VIRK-{moment:%Y%m%d}-{rng.randint(1000, 9999)}"
                ),
                by=by,
                late_reason=LATE_REASONS[kind] if moment > due else "",
            )
        )
    return made
