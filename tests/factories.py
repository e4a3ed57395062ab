"""factory_boy factories: one per model of the project's apps (``tests/test_factories.py``
fails when a model has none).

Defaults make a valid object with as little else as possible: an organisation-owned object
belongs to a fresh region, slugs and names come from sequences. Pass what a test is about.
"""

import hashlib
from datetime import date, timedelta

import factory
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from capabilities.models import (
    Capability,
    CapabilityRequirement,
    Discipline,
    Framework,
    MaturityAssessment,
    MaturityEntry,
    Requirement,
)
from incidents.models import (
    Incident,
    IncidentFacts,
    IncidentReminder,
    IncidentRiskLink,
    IncidentSubmission,
    IncidentTimelineEntry,
    SectorIncident,
)
from initiatives.models import (
    Deliverable,
    ImplementationRecord,
    Initiative,
    Milestone,
    RegionalImplementation,
    StatusReminder,
    StatusUpdate,
    StrategicObjective,
    Strategy,
    WorkingGroup,
    WorkingGroupMember,
    WorkingGroupTopics,
)
from portal.models import (
    ApiToken,
    AuditPrune,
    AuditRead,
    DashboardVisit,
    ExternalIdentity,
    Membership,
    Organisation,
    Preferences,
    ServiceAccount,
    WorkerHeartbeat,
)
from reports.models import NarrativeDraft, ReportRun
from risks.models import (
    AcceptanceCriteria,
    Asset,
    AttackSurfaceProfile,
    CriticalFunction,
    ImportJob,
    JointRiskOwner,
    Risk,
    RiskMatrix,
    RiskSnapshot,
    RiskSnapshotListing,
    Threat,
    TreatmentAction,
)

# -- portal ------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@test.invalid")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"region-{n}")
    name_da = factory.LazyAttribute(lambda org: f"Region {org.slug}")
    kind = Organisation.Kind.REGION


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "viewer"


class PreferencesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preferences

    user = factory.SubFactory(UserFactory)
    daily_digest = True


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A token row; to call the API with a token use ``api_token_for`` (it knows the key)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Token {n}")
    prefix = factory.Sequence(lambda n: f"tst{n:08d}")
    key_hash = factory.LazyAttribute(
        lambda token: hashlib.sha256(token.prefix.encode()).hexdigest()
    )
    created_by = factory.SelfAttribute("user")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class ServiceAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAccount

    user = factory.SubFactory(UserFactory, username=factory.Sequence(lambda n: f"service{n}"))
    description = "Integration med risikoværktøj"
    created_by = factory.SubFactory(UserFactory)


class AuditPruneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditPrune

    performed_by = "prune_audit"
    retention_days = 1825
    cutoff = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1825))
    deleted = 0


class AuditReadFactory(factory.django.DjangoModelFactory):
    """A recorded read of an organisation's confidential material (``record_read``'s entry):
    by default a risk register export of a fresh region."""

    class Meta:
        model = AuditRead
        exclude = ("organisation", "kind")

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "risk_export"
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Risk))
    object_pk = ""
    object_repr = "risici"
    action = LogEntry.Action.ACCESS
    changes = factory.LazyFunction(dict)
    serialized_data = None
    additional_data = factory.LazyAttribute(
        lambda read: {
            "kind": read.kind,
            "organisation": read.organisation.pk if read.organisation else None,
            "filters": {},
        }
    )


class ExternalIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalIdentity

    user = factory.SubFactory(UserFactory)
    issuer = "https://login.test.invalid"
    subject = factory.Sequence(lambda n: f"subject-{n}")


class DashboardVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DashboardVisit

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    seen_at = factory.LazyFunction(timezone.now)


class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    hostname = factory.Sequence(lambda n: f"worker-{n}")
    seen_at = factory.LazyFunction(timezone.now)


# -- capabilities ------------------------------------------------------------------------

_DISCIPLINES = list(Discipline.Code)


class DisciplineFactory(factory.django.DjangoModelFactory):
    """One of the four disciplines (there are no others): an existing one is reused."""

    class Meta:
        model = Discipline
        django_get_or_create = ("code",)

    code = factory.Iterator(_DISCIPLINES)
    order = factory.LazyAttribute(lambda d: _DISCIPLINES.index(d.code) + 1)
    name_da = factory.LazyAttribute(lambda d: str(d.code).capitalize())
    name_en = factory.LazyAttribute(lambda d: str(d.code).capitalize())
    strategy_heading_da = factory.LazyAttribute(lambda d: f"Overskrift {d.code}")
    strategy_heading_en = factory.LazyAttribute(lambda d: f"Heading {d.code}")
    question_da = "Hvad gør vi?"
    question_en = "What do we do?"


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    discipline = factory.SubFactory(DisciplineFactory)
    slug = factory.Sequence(lambda n: f"capability-{n}")
    name_da = factory.Sequence(lambda n: f"Kapabilitet {n}")


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework

    slug = factory.Sequence(lambda n: f"framework-{n}")
    name_da = factory.Sequence(lambda n: f"Rammeværk {n}")


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"R.{n}")
    title_da = factory.Sequence(lambda n: f"Krav {n}")


class CapabilityRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapabilityRequirement

    capability = factory.SubFactory(CapabilityFactory)
    requirement = factory.SubFactory(RequirementFactory)


class MaturityAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaturityAssessment

    organisation = factory.SubFactory(OrganisationFactory)
    period = "2026-H1"


class MaturityEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaturityEntry

    assessment = factory.SubFactory(MaturityAssessmentFactory)
    capability = factory.SubFactory(CapabilityFactory)
    current_level = 2
    target_level = 3


# -- initiatives -------------------------------------------------------------------------


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    slug = factory.Sequence(lambda n: f"strategy-{n}")
    title_da = factory.Sequence(lambda n: f"Strategi {n}")
    start_year = 2026
    end_year = 2028


class StrategicObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_da = factory.Sequence(lambda n: f"Mål {n}")


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    slug = factory.Sequence(lambda n: f"group-{n}")
    name_da = factory.Sequence(lambda n: f"Arbejdsgruppe {n}")


class WorkingGroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroupMember

    group = factory.SubFactory(WorkingGroupFactory)
    user = factory.SubFactory(UserFactory)


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: f"{n % 9 + 1}.{n % 100}")
    title_da = factory.Sequence(lambda n: f"Initiativ {n}")
    discipline = factory.SubFactory(DisciplineFactory)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Milepæl {n}")
    due = factory.LazyFunction(lambda: date.today() + timedelta(days=30))


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    working_group = factory.SubFactory(WorkingGroupFactory)
    title = factory.Sequence(lambda n: f"Leverance {n}")
    due = factory.LazyFunction(lambda: date.today() + timedelta(days=30))


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    initiative = factory.SubFactory(InitiativeFactory)
    period = "2026-H1"
    period_start = date(2026, 1, 1)
    status = "in_progress"
    rag = "green"
    progress = 40
    author = factory.SubFactory(UserFactory)


class StatusReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusReminder

    working_group = factory.SubFactory(WorkingGroupFactory)
    period = "2026-H1"


class RegionalImplementationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalImplementation

    initiative = factory.SubFactory(InitiativeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = RegionalImplementation.Status.PLANNED


class ImplementationRecordFactory(factory.django.DjangoModelFactory):
    """A record of an earlier state (a row's own changes write the others)."""

    class Meta:
        model = ImplementationRecord

    implementation = factory.SubFactory(RegionalImplementationFactory)
    status = RegionalImplementation.Status.NOT_STARTED


class WorkingGroupTopicsFactory(factory.django.DjangoModelFactory):
    """A record of a group's earlier topics (the group's own changes write the others)."""

    class Meta:
        model = WorkingGroupTopics

    group = factory.SubFactory(WorkingGroupFactory)
    topics = "Fælles logplatform"


# -- risks -------------------------------------------------------------------------------


class ThreatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Threat
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"threat-{n}")
    name_da = factory.Sequence(lambda n: f"Trussel {n}")
    attack_surface = "digital"


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"System {n:04d}")
    kind = Asset.Kind.SYSTEM
    supplier = "Leverandør A/S"


class CriticalFunctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriticalFunction

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Funktion {n}")


class RiskMatrixFactory(factory.django.DjangoModelFactory):
    """The organisation's matrix (one per organisation; saving a risk creates the default)."""

    class Meta:
        model = RiskMatrix
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory)


class AttackSurfaceProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttackSurfaceProfile

    organisation = factory.SubFactory(OrganisationFactory)
    period = "2026-H1"
    employees = 1000


class RiskSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskSnapshot

    organisation = factory.SubFactory(OrganisationFactory)
    period = "2026-Q1"


class RiskSnapshotListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskSnapshotListing

    snapshot = factory.SubFactory(RiskSnapshotFactory)
    listing = factory.LazyAttribute(
        lambda o: {"quarter": o.snapshot.period, "top": [], "accepted": [], "closed": []}
    )


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "risks"
    file_name = factory.Sequence(lambda n: f"risici-{n}.xlsx")
    created_by = factory.SubFactory(UserFactory)
    rows_total = 2000


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Risiko {n}")
    threat = factory.SubFactory(ThreatFactory)
    attack_surface = "digital"
    inherent_likelihood = 4
    inherent_consequence = 5
    residual_likelihood = 2
    residual_consequence = 4


class TreatmentActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentAction

    risk = factory.SubFactory(RiskFactory)
    title = factory.Sequence(lambda n: f"Tiltag {n}")
    due = factory.LazyFunction(lambda: date.today() + timedelta(days=14))


class AcceptanceCriteriaFactory(factory.django.DjangoModelFactory):
    """A draft version (the default rules); its number follows the organisation's last."""

    class Meta:
        model = AcceptanceCriteria

    organisation = factory.SubFactory(OrganisationFactory)
    number = factory.Sequence(lambda n: n + 1)


class JointRiskOwnerFactory(factory.django.DjangoModelFactory):
    """A risk owner a region names on a joint risk: the naming region's own person."""

    class Meta:
        model = JointRiskOwner

    risk = factory.SubFactory(RiskFactory, joint=True)
    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.LazyAttribute(
        lambda owner: MembershipFactory(organisation=owner.organisation, role="risk_owner").user
    )


# -- reports -----------------------------------------------------------------------------


class ReportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportRun

    kind = "ciso_quarterly"
    organisation = factory.SubFactory(OrganisationFactory)
    period = "2026-Q1"


class NarrativeDraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NarrativeDraft

    kind = "ciso_quarterly"
    organisation = factory.SubFactory(OrganisationFactory)
    period = "2026-Q1"
    section = NarrativeDraft.Section.INTRODUCTION
    body = "Indledning."


# -- incidents ---------------------------------------------------------------------------


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Hændelse {n}")
    category = "ransomware"
    severity = "high"
    detected_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=30))
    aware_at = factory.LazyAttribute(lambda incident: incident.detected_at + timedelta(hours=2))
    nis2_significant = True
    nis2_reason = "Driften af akutmodtagelsen er alvorligt forstyrret."


class SectorIncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectorIncident

    title = factory.Sequence(lambda n: f"Nedbrud hos fælles leverandør {n}")
    supplier = "Leverandør A/S"
    opened_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=12))


class IncidentFactsFactory(factory.django.DjangoModelFactory):
    """An incident's facts as ``incidents.facts`` writes them (the organisation its
    incident's)."""

    class Meta:
        model = IncidentFacts

    incident = factory.SubFactory(IncidentFactory)
    organisation = factory.LazyAttribute(lambda facts: facts.incident.organisation)
    category = factory.LazyAttribute(lambda facts: facts.incident.category)
    severity = factory.LazyAttribute(lambda facts: facts.incident.severity)
    status = factory.LazyAttribute(lambda facts: facts.incident.status)
    detected_at = factory.LazyAttribute(lambda facts: facts.incident.detected_at)
    aware_at = factory.LazyAttribute(lambda facts: facts.incident.aware_at)
    nis2_significant = factory.LazyAttribute(lambda facts: facts.incident.nis2_significant)


class IncidentSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentSubmission

    incident = factory.SubFactory(IncidentFactory)
    kind = "nis2_early_warning"
    submitted_at = factory.LazyAttribute(lambda s: s.incident.aware_at + timedelta(hours=3))
    recipient = "virk.dk (CFCS)"
    by = factory.SubFactory(UserFactory)


class IncidentReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentReminder

    incident = factory.SubFactory(IncidentFactory)
    kind = "nis2_early_warning"
    stage = "due_soon"
    due_at = factory.LazyAttribute(lambda r: r.incident.aware_at + timedelta(hours=24))
    sent_at = factory.LazyAttribute(lambda r: r.due_at - timedelta(hours=5))
    recipients = 1


class IncidentTimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentTimelineEntry

    incident = factory.SubFactory(IncidentFactory)
    kind = "observation"
    text = factory.Sequence(lambda n: f"Observation {n}: krypterede filer på drev H.")
    occurred_at = factory.LazyAttribute(lambda e: e.incident.aware_at + timedelta(hours=1))
    author = factory.SubFactory(UserFactory)


class IncidentRiskLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentRiskLink

    incident = factory.SubFactory(IncidentFactory, status="resolved")
    risk = factory.SubFactory(
        RiskFactory, organisation=factory.SelfAttribute("..incident.organisation")
    )
    created_by = factory.SubFactory(UserFactory)


def api_token_for(user, *, scope: str = "write", name: str = "test") -> str:
    """A personal API token for ``user``, as issued on the account page after the second
    factor; returns the ``Authorization`` header's value."""
    from portal.auth.tokens import api_token_create

    _row, token = api_token_create(
        user=user, name=name, scope=scope, created_by=user, second_factor=True
    )
    return f"Bearer {token}"
