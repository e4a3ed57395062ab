"""PostgreSQL's row-level security, the second wall under ``restrict()`` (``portal.rls``).

The suite connects as the superuser ``postgres``, which bypasses row-level security; these
tests grant the application's role (``manage.py rls_roles``) and switch the test connection to
it with ``SET ROLE`` — so the policies, not the ORM, decide what a query returns.
"""

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection, models, transaction
from django.test import Client

from capabilities.models import MaturityAssessment
from initiatives.models import Initiative
from portal import rls
from portal.access.roles import Role
from portal.audit.reads import record_read
from portal.management.commands.rls_check import rls_gaps
from portal.models import AuditRead, Organisation, ReadKind
from portal.periods import Period
from reports.models import NarrativeDraft, ReportKind, ReportRun
from reports.services import run_generate
from reports.tasks import generate_report
from risks.models import (
    Asset,
    JointRiskOwner,
    Risk,
    RiskSnapshot,
    RiskSnapshotListing,
    Threat,
    TreatmentAction,
)
from risks.selectors import QuarterListing, RankedRisk, risk_picture_at
from tests.factories import api_token_for
from tests.sector import make_sector
from tests.security.leak_scan import PermissionSets, ScanClient, plant_markers, scan
from tests.security.route_walk import routes, walk

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-level security is PostgreSQL's; the SQLite demo has the ORM's layer only",
    ),
]

ROLE = settings.PORTAL_DB_APP_ROLE
PERSONAS = (
    "ciso_a",
    "riskowner_a",
    "viewer_a",
    "ciso_b",
    "viewer_b",
    "secretariat",
    "admin",
    "outsider",
)


@contextmanager
def app_role() -> Iterator[None]:
    """The test connection acts as the application's role inside the block."""
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{ROLE}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _refused(message: str = "row-level security"):
    return pytest.raises(DatabaseError, match=message)


@pytest.fixture
def granted(db) -> None:
    """The application's role with its grants, as ``rls_roles`` makes it (rolled back with the
    test's transaction, like everything else) — on a session with no context: a streaming
    response an earlier test read but never closed (the test client does not close them; a
    server does) would otherwise leave its request's context on the shared connection."""
    rls.restore(dict(rls.NO_CONTEXT))
    call_command("rls_roles", verbosity=0)


@pytest.fixture
def sector(personas, granted, settings, tmp_path):
    """The demo-like sector of both regions, plus what it lacks for these tests: a system of
    region B shared with region A and a risk of B on it, an approved campaign of B, the
    sector's edition of a report and its narrative, the quarter's snapshots."""
    settings.MEDIA_ROOT = tmp_path
    sector = make_sector(personas)
    shared = Asset.objects.create(organisation=personas.region_b, name="Fælles EPJ")
    shared.shared_with.add(personas.region_a)
    shared_risk = Risk.objects.create(
        organisation=personas.region_b,
        title="Fælles EPJ nede",
        threat=Threat.objects.order_by("slug").first(),
        attack_surface="digital",
        inherent_likelihood=3,
        inherent_consequence=3,
        residual_likelihood=2,
        residual_consequence=2,
    )
    shared_risk.assets.add(shared)
    # A joint assessment of the shared system, led by B, with a risk owner A names on it.
    joint_risk = Risk.objects.create(
        organisation=personas.region_b,
        title="Fælles EPJ vurderes i fællesskab",
        threat=Threat.objects.order_by("slug").first(),
        attack_surface="digital",
        inherent_likelihood=3,
        inherent_consequence=3,
        residual_likelihood=2,
        residual_consequence=2,
        joint=True,
    )
    joint_risk.assets.add(shared)
    JointRiskOwner.objects.create(
        risk=joint_risk, organisation=personas.region_a, user=personas.riskowner_a
    )
    MaturityAssessment.objects.filter(organisation=personas.region_b).update(status="approved")
    ReportRun.objects.create(
        kind=ReportKind.TSI_PORTFOLIO, period="2026-H1", requested_by=personas.secretariat
    )
    NarrativeDraft.objects.create(
        kind=ReportKind.TSI_PORTFOLIO, period="2026-H1", section="introduction", body="Sektor"
    )
    # The sector's risk picture: TSI's alone, its run and (the admin site's) draft.
    sector.picture_run = ReportRun.objects.create(
        kind=ReportKind.SECTOR_RISK_PICTURE, period="2026-Q1", requested_by=personas.secretariat
    )
    NarrativeDraft.objects.create(
        kind=ReportKind.SECTOR_RISK_PICTURE, period="2026-Q1", section="introduction", body="TSI"
    )
    for region, high in ((personas.region_a, 4711), (personas.region_b, 5822)):
        snapshot = RiskSnapshot.objects.create(
            organisation=region, period="2026-Q1", residual_high=high
        )
        top = RankedRisk(1, f"Top risk of {region.slug}", 20, "critical", "Ejer", "open", 1, 0)
        RiskSnapshotListing.objects.create(
            snapshot=snapshot, listing=QuarterListing("2026-Q1", top=[top]).to_json()
        )
        viewer = personas.viewer_a if region == personas.region_a else personas.viewer_b
        record_read(
            user=viewer, kind=ReadKind.RISK_EXPORT, model=Risk, organisation_ids=[region.pk]
        )
    sector.shared_risk = shared_risk
    sector.joint_risk = joint_risk
    return sector


def test_every_organisation_owned_table_is_found_and_protected(granted):
    tables = {model._meta.db_table for model in rls.protected_models()}
    assert {
        "risks_risk",
        "risks_treatmentaction",
        "risks_asset",
        "capabilities_maturityentry",
        "reports_reportrun",
        "initiatives_regionalimplementation",
    } <= tables
    lines, gaps = rls_gaps()
    assert not gaps, "\n".join(gaps)
    assert len(lines) == len(tables) + 1  # the role's line


def test_it_shows_no_row_without_a_context(sector):
    counts = {}
    for model in rls.protected_models():
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — table names
            as_superuser = cursor.fetchone()[0]
            with app_role():
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — table names
                counts[table] = (as_superuser, cursor.fetchone()[0])
    assert rls.current_values() == rls.NO_CONTEXT
    assert all(total > 0 for total, _seen in counts.values()), counts  # there is data to hide
    assert all(seen == 0 for _total, seen in counts.values()), counts


def test_it_refuses_to_write_into_another_organisation(sector, personas):
    own = Asset.objects.filter(organisation=personas.region_a).first()
    with app_role(), rls.principal_context(personas.ciso_a):
        with _refused(), transaction.atomic():
            Asset.objects.create(organisation=personas.region_b, name="Indsmuglet")
        with _refused(), transaction.atomic():
            Asset.objects.filter(pk=own.pk).update(organisation=personas.region_b)
        with transaction.atomic():  # their own organisation is fine
            Asset.objects.create(organisation=personas.region_a, name="Eget system")
    with app_role():  # and without a context, nothing at all
        with _refused(), transaction.atomic():
            Asset.objects.create(organisation=personas.region_a, name="Uden kontekst")
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM risks_treatmentaction")
            assert cursor.rowcount == 0


def test_region_b_rows_are_invisible_to_region_a(sector, personas):
    region_b = personas.region_b
    with app_role(), rls.principal_context(personas.viewer_a):
        risks_of_b = set(Risk.objects.filter(organisation=region_b).values_list("pk", flat=True))
        assets_of_b = set(
            Asset.objects.filter(organisation=region_b).values_list("name", flat=True)
        )
        runs_of_b = ReportRun.objects.filter(organisation=region_b).count()
    # only the risks on the shared system
    assert risks_of_b == {sector.shared_risk.pk, sector.joint_risk.pk}
    assert assets_of_b == {"Fælles EPJ"}
    assert runs_of_b == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_database_and_restrict_agree(sector, personas, settings, persona):
    """For every protected model: the rows ``restrict()`` returns (as the superuser, the ORM
    alone) are exactly the rows the database returns with ``restrict()`` switched off."""
    user = personas.by_name(persona)
    differences, total = {}, 0
    for model in _policy_models():
        settings.PORTAL_ORM_RESTRICT = True
        orm = set(model._default_manager.restrict(user).values_list("pk", flat=True))
        settings.PORTAL_ORM_RESTRICT = False
        with app_role(), rls.principal_context(user):
            database = set(model._default_manager.restrict(user).values_list("pk", flat=True))
        total += len(database)
        if orm != database:
            differences[model._meta.label] = (sorted(orm - database), sorted(database - orm))
    assert not differences, differences
    if persona != "outsider":
        assert total > 0


def test_an_action_keeps_its_risk_organisation_and_is_seen_with_its_risk(sector, personas):
    """The actions' policy reads their own copy of the risk's organisation first: the
    database keeps it the risk's, and an action of another region's risk is still seen with
    that risk (a shared system's), by the database as by ``restrict()``."""
    action = TreatmentAction.objects.create(
        risk=sector.shared_risk,
        title="Fælles nødprocedure",
        due=date.today() + timedelta(days=60),
    )
    assert action.organisation_id == personas.region_b.pk
    for persona, sees in [
        ("ciso_a", True),
        ("viewer_a", True),
        ("ciso_b", True),
        ("secretariat", False),
        ("outsider", False),
    ]:
        user = personas.by_name(persona)
        orm = TreatmentAction.objects.restrict(user).filter(pk=action.pk).exists()
        with app_role(), rls.principal_context(user):
            database = TreatmentAction.objects.filter(pk=action.pk).exists()
        assert (orm, database) == (sees, sees), persona

    constraint = rls.parent_organisation_constraint("risks_treatmentaction")
    with _refused(constraint), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {constraint} IMMEDIATE")
        TreatmentAction.objects.filter(pk=action.pk).update(organisation=personas.region_a)
    # A risk that moves takes its actions along (the database's cascade, under no policy).
    with app_role(), rls.system_context("test: a risk moves"):
        Risk.objects.filter(pk=sector.shared_risk.pk).update(organisation=personas.region_a)
    action.refresh_from_db()
    assert action.organisation_id == personas.region_a.pk


def _policy_models() -> list[type[models.Model]]:
    """The models with an access policy on a protected table — proxies too (``AuditRead``,
    the trail's reads)."""
    protected = set(rls.protected_models())
    return [
        model
        for model in apps.get_models()
        if getattr(model, "access_policy", None) is not None
        and model._meta.concrete_model in protected
    ]


def test_the_policies_let_through_what_the_sector_shares(sector, personas):
    with app_role():
        with rls.principal_context(personas.ciso_a):
            assert Risk.objects.filter(pk=sector.shared_risk.pk).exists()
        with rls.principal_context(personas.secretariat):
            assert MaturityAssessment.objects.filter(organisation=personas.region_b).exists()
            assert not Risk.objects.exists()
        with rls.principal_context(personas.viewer_a):
            assert not MaturityAssessment.objects.filter(organisation=personas.region_b).exists()
            assert ReportRun.objects.filter(organisation__isnull=True).exists()


def test_the_secretariat_reads_every_region_s_snapshots_and_a_ciso_only_their_own(
    sector, personas, client, settings
):
    """The sector's risk picture reads the regions' snapshots as the TSI secretariat: the
    database shows them every region's (``risks`` migration 0013), a region's CISO only
    their own — and the picture, with the ORM's filter off, still counts both regions."""
    snapshots = RiskSnapshot.objects.filter(organisation__in=[personas.region_a, personas.region_b])
    with app_role():
        with rls.principal_context(personas.secretariat):
            seen = set(snapshots.values_list("organisation__slug", flat=True))
        with rls.principal_context(personas.ciso_a):
            own = set(snapshots.values_list("organisation__slug", flat=True))
    assert seen == {"region-a", "region-b"}
    assert own == {"region-a"}
    RiskSnapshot.objects.filter(organisation=personas.region_b).update(residual_high=5)
    settings.PORTAL_ORM_RESTRICT = False
    client.force_login(personas.secretariat)
    with app_role():
        answer = client.get("/api/v1/sector-risk-picture/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200, answer.content[:300]
    regions = {row["organisation"]: row["quarters"] for row in answer.json()["regions"]}
    (quarter,) = [q for q in regions["region-b"] if q["quarter"] == "2026-Q1"]
    assert quarter["residual"]["high"] == 5


def test_the_secretariat_reads_a_region_s_snapshot_counts_but_not_its_lists(
    sector, personas, settings
):
    """A snapshot's lists (the quarterly report's top risks, their owners) are in their own
    table, which the database shows the region alone (``risks`` migration 0014): the TSI
    secretariat reads region B's snapshot but none of its lists, as ``restrict()`` says; the
    quarterly report's selector, reading the lists with the snapshot, then has none for them
    and all of them for region B's CISO. The table keeps each list's organisation its
    snapshot's."""
    snapshot_b = RiskSnapshot.objects.get(organisation=personas.region_b, period="2026-Q1")
    as_of = Period.parse("2026-Q1").end
    assert RiskSnapshotListing.objects.filter(snapshot=snapshot_b).exists()  # there is one
    seen = {}
    for persona in ("secretariat", "ciso_a", "ciso_b", "viewer_b", "admin"):
        user = personas.by_name(persona)
        settings.PORTAL_ORM_RESTRICT = True
        orm = set(RiskSnapshotListing.objects.restrict(user).values_list("pk", flat=True))
        settings.PORTAL_ORM_RESTRICT = False
        with app_role(), rls.principal_context(user):
            database = set(RiskSnapshotListing.objects.values_list("pk", flat=True))
            counts = RiskSnapshot.objects.filter(pk=snapshot_b.pk).exists()
            picture = risk_picture_at(personas.region_b, as_of, listing=True)
        assert orm == database, persona
        seen[persona] = (database, counts, picture.found, picture.listing is not None)
    snapshot_a = RiskSnapshot.objects.get(organisation=personas.region_a, period="2026-Q1")
    b_and_a = {snapshot_b.pk, snapshot_a.pk}
    assert seen["secretariat"] == (set(), True, True, False)
    assert seen["ciso_a"] == ({snapshot_a.pk}, False, False, False)
    assert seen["ciso_b"] == seen["viewer_b"] == ({snapshot_b.pk}, True, True, True)
    assert seen["admin"][0] >= b_and_a and seen["admin"][1:] == (True, True, True)
    with app_role(), rls.principal_context(personas.ciso_b):
        listing = risk_picture_at(personas.region_b, as_of, listing=True).listing
    assert listing is not None and listing.top[0].title == "Top risk of region-b"

    constraint = rls.parent_organisation_constraint("risks_risksnapshotlisting")
    with _refused(constraint), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {constraint} IMMEDIATE")
        RiskSnapshotListing.objects.filter(pk=snapshot_b.pk).update(organisation=personas.region_a)


def test_a_request_carries_its_user_and_leaves_no_context_behind(
    sector, personas, client, settings
):
    settings.PORTAL_ORM_RESTRICT = False
    client.force_login(personas.ciso_a)
    token = api_token_for(personas.ciso_a, scope="read")
    api = Client()
    with app_role():
        page = client.get("/risks/", HTTP_ACCEPT="text/html")
        listed = api.get("/api/v1/risks/?page_size=100", HTTP_AUTHORIZATION=token)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('portal.user_id', true)")
            left_behind = cursor.fetchone()[0]
    assert page.status_code == 200
    assert listed.status_code == 200, listed.content[:300]
    ids = {row["id"] for row in listed.json()["results"]}
    expected = {risk.pk for risk in sector.risks["a"]} | {
        sector.shared_risk.pk,
        sector.joint_risk.pk,
    }
    assert ids == expected
    assert sector.risks["a"][0].title in page.content.decode()
    assert sector.risks["b"][0].title not in page.content.decode()
    assert left_behind in ("", None)
    assert rls.current_values() == rls.NO_CONTEXT


@shared_task(
    name="tests.rls.visible_risks",
    acting_for=lambda user_id: get_user_model().objects.get(pk=user_id),
)
def visible_risks(user_id: int) -> list[int]:
    """A task that forgets every filter: the database must still narrow it."""
    return sorted(Risk.objects.values_list("pk", flat=True))


def test_a_task_sees_what_its_user_may_see(sector, personas):
    expected = sorted(Risk.objects.restrict(personas.viewer_a).values_list("pk", flat=True))
    with app_role():
        seen = visible_risks.apply(args=[personas.viewer_a.pk]).get()
        assert rls.current_values() == rls.NO_CONTEXT
    assert seen == expected
    assert sector.shared_risk.pk in seen
    assert not set(seen) & {risk.pk for risk in sector.risks["b"]}


def test_a_report_task_renders_only_what_its_requester_may_see(sector, personas):
    # A run of region B's report that region A's CISO could not have requested: the task acts
    # for them, so the database hides the run itself — and nothing of region B is rendered.
    forged = ReportRun.objects.create(
        kind=ReportKind.CISO_QUARTERLY,
        organisation=personas.region_b,
        period="2026-Q1",
        requested_by=personas.ciso_a,
    )
    proper = ReportRun.objects.create(
        kind=ReportKind.CISO_QUARTERLY,
        organisation=personas.region_b,
        period="2026-Q1",
        requested_by=personas.ciso_b,
    )
    with app_role():
        generate_report.apply(args=[forged.pk])
        generate_report.apply(args=[proper.pk])
    forged.refresh_from_db()
    proper.refresh_from_db()
    assert forged.status == ReportRun.Status.QUEUED and not forged.pdf
    assert proper.status == ReportRun.Status.DONE, proper.error
    assert proper.size > 0


def test_the_sector_risk_picture_is_tsis_alone_in_the_database(sector, personas, tmp_path):
    """A region's people read the sector's other editions but not its risk picture, run nor
    draft; the worker renders it for the secretariat with every region's counts, and a run
    a region's CISO is made to have asked for is hidden from the task acting for them."""
    portfolio = ReportRun.objects.get(kind=ReportKind.TSI_PORTFOLIO)
    picture = sector.picture_run
    for persona, reads in (
        ("ciso_a", False),
        ("viewer_b", False),
        ("riskowner_a", False),
        ("secretariat", True),
        ("admin", True),
    ):
        with app_role(), rls.principal_context(personas.by_name(persona)):
            runs = set(ReportRun.objects.filter(organisation=None).values_list("pk", flat=True))
            drafts = set(
                NarrativeDraft.objects.filter(organisation=None).values_list("kind", flat=True)
            )
        assert (picture.pk in runs) == reads, persona
        assert portfolio.pk in runs, persona
        assert (ReportKind.SECTOR_RISK_PICTURE in drafts) == reads, persona
        assert ReportKind.TSI_PORTFOLIO in drafts, persona

    forged = ReportRun.objects.create(
        kind=ReportKind.SECTOR_RISK_PICTURE, period="2026-Q1", requested_by=personas.ciso_a
    )
    with app_role():
        generate_report.apply(args=[forged.pk])
        generate_report.apply(args=[picture.pk])
    forged.refresh_from_db()
    picture.refresh_from_db()
    assert forged.status == ReportRun.Status.QUEUED and not forged.pdf
    assert picture.status == ReportRun.Status.DONE, picture.error
    path = tmp_path / "picture.pdf"
    path.write_bytes(picture.pdf.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "4711" in text and "5822" in text and str(4711 + 5822) in text


def test_rls_check_passes_and_catches_an_unprotected_model(granted, unprotected_model):
    with pytest.raises(CommandError, match="gap"):
        call_command("rls_check", verbosity=0)
    _lines, gaps = rls_gaps()
    assert gaps and all(unprotected_model._meta.db_table in gap for gap in gaps), gaps


def test_rls_check_passes_on_the_migrated_database(granted, capsys):
    call_command("rls_check")
    assert "no gap" in capsys.readouterr().out


def test_rls_check_catches_a_table_whose_policies_are_not_forced(granted):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE risks_risk NO FORCE ROW LEVEL SECURITY")
    _lines, gaps = rls_gaps()
    assert gaps == ["risks_risk (risks.Risk): row-level security not enabled+forced"]


def test_rls_check_catches_a_copied_organisation_the_database_does_not_keep(granted):
    constraint = rls.parent_organisation_constraint("risks_treatmentaction")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE risks_treatmentaction DROP CONSTRAINT {constraint}")
    _lines, gaps = rls_gaps()
    assert gaps == [
        f"risks_treatmentaction (risks.TreatmentAction): no {constraint} keeping its "
        "organisation its parent's"
    ]


def test_rls_check_catches_an_audited_model_the_audit_policy_does_not_know(granted):
    """A new audited, organisation-owned model must be named by the trail's policy function;
    here one is taken out of it (DDL inside the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_functiondef('portal_audit_object_readable(integer, bigint)'::regprocedure)"
        )
        definition = cursor.fetchone()[0]
        forgotten = re.sub(
            r"WHEN 'risks\.criticalfunction' THEN\s+RETURN [^;]+;", "", definition, count=1
        )
        assert forgotten != definition
        cursor.execute(forgotten)
    _lines, gaps = rls_gaps()
    assert gaps == [
        "auditlog_logentry: portal_audit_object_readable does not name risks.criticalfunction "
        "(risks.CriticalFunction, audited and organisation-owned): a migration must list it"
    ]


@pytest.fixture
def unprotected_model():
    """A new organisation-owned model whose migration forgot the policies (its table is
    created inside the test's transaction; the model leaves the registry afterwards)."""

    class Meta:
        app_label = "portal"
        db_table = "portal_rls_unprotected_test"

    model = type(
        "RlsUnprotectedTest",
        (models.Model,),
        {
            "__module__": __name__,
            "Meta": Meta,
            "organisation": models.ForeignKey(
                "portal.Organisation", on_delete=models.CASCADE, related_name="+"
            ),
            "note": models.TextField(),
        },
    )
    try:
        with connection.schema_editor() as editor:
            editor.create_model(model)
        yield model
    finally:
        del apps.all_models["portal"]["rlsunprotectedtest"]
        apps.clear_cache()


class AppRoleScanClient(ScanClient):
    """Each request runs as the application's role; the scan's own book-keeping does not."""

    def request(self, *args, **kwargs):
        with app_role():
            return super().request(*args, **kwargs)

    def database_view(self) -> tuple:
        with app_role(), rls.principal_context(self.user):
            return tuple(
                frozenset(model._base_manager.values_list("pk", flat=True))
                for model in rls.protected_models()
            )


class AppRoleClient(Client):
    """The route walk's client: each request runs as the application's role, in a savepoint
    that a request the database refused (a 500) is rolled back to — the refusal aborts the
    test's transaction, which a server's autocommit session would simply go on from."""

    def request(self, **request):
        with app_role(), transaction.atomic():
            response = super().request(**request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response


@pytest.fixture
def scanned_sector(personas, granted, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_sector(personas)


def _scanned(route) -> bool:
    # The routes of organisation-owned objects and those of no one model (pages, dashboards,
    # exports); the sector's reference data (frameworks, threats, initiatives) is left out.
    return route.model is None or route.model in rls.protected_models()


#: Every role of region A. (The leak scan's working-group member is a viewer of region A: the
#: database's context does not hold working groups, and the routes where they count — the
#: initiatives — are sector data, outside ``_scanned``.)
REGION_A_ROLES = ("ciso_a", "riskowner_a", "viewer_a")


@contextmanager
def refusal_causes() -> Iterator[list[str]]:
    """The exceptions behind the 500s answered inside the block."""
    causes: list[str] = []

    def record(sender, request, **kwargs):
        causes.append(f"{request.method} {request.path}: {sys.exc_info()[1]}")

    got_request_exception.connect(record)
    try:
        yield causes
    finally:
        got_request_exception.disconnect(record)


def _not_row_level_security(causes: list[str]) -> list[str]:
    return [cause for cause in causes if "row-level security" not in cause]


def test_the_leak_scan_finds_nothing_of_region_b_with_restrict_switched_off(
    scanned_sector, personas, settings
):
    """The content leak scan (``leak_scan``) as every role of region A with ``restrict()``
    off: only the database filters. Clients share refusals only where the permission layer
    and the database both cannot tell them apart. A write the ORM would have refused may then
    reach the database; the database refuses it (a 500 whose cause is a row-level security
    refusal), which the scan reports as an error."""
    run_generate(scanned_sector.runs["a"])
    markers = plant_markers(personas.region_b)
    clients = []
    for name in REGION_A_ROLES:
        scan_client = AppRoleScanClient(
            name, Client(raise_request_exception=False), personas.by_name(name)
        )
        scan_client.sign_in()
        clients.append(scan_client)
    settings.PORTAL_ORM_RESTRICT = False
    with refusal_causes() as causes:
        report = scan(
            planted=markers,
            own_region=personas.region_a,
            clients=clients,
            only=_scanned,
            oracles=False,  # leaks only: the scan with the filter on looks for oracles
        )
    assert len(markers.markers) > 50
    assert report.requests > 3 * 300
    assert not report.leaks, "\n".join(map(str, report.leaks))
    assert not _not_row_level_security(causes), "\n".join(_not_row_level_security(causes))
    assert len(report.errors) == len(causes), report.errors


def test_with_restrict_off_clients_share_refusals_only_where_the_database_shows_them_alike(
    scanned_sector, personas, settings
):
    settings.PORTAL_ORM_RESTRICT = False
    clients = [
        AppRoleScanClient(name, Client(), personas.by_name(name))
        for name in (*REGION_A_ROLES, "ciso_b")
    ]
    # A client that cannot say what the database shows it: nothing is shared.
    plain = ScanClient("plain", Client(), personas.viewer_a)
    assert not PermissionSets([*clients, plain], personas.region_b).enabled
    sets = PermissionSets(clients, personas.region_b)
    assert sets.enabled
    pairs = [
        (leader, follower)
        for route in routes()
        if _scanned(route)
        for follower in clients
        if (leader := sets.leader(route, follower)) is not None
    ]
    assert pairs, "no refusal would be shared at all"
    assert all(leader.database_view() == follower.database_view() for leader, follower in pairs)
    assert not [follower for _leader, follower in pairs if follower.name == "ciso_b"]


def test_the_route_walk_refuses_region_b_with_restrict_switched_off(walked_sector, settings):
    """The route walk (``route_walk``) as every role of region A with ``restrict()`` off, on
    the routes of protected models and those of no model: region B's objects are refused and
    nothing changes — the database alone keeps them apart. A 500 is accepted only when a
    row-level security refusal caused it."""
    from tests.security.test_authorisation_walk import NOT_OBJECT_SCOPED, PUBLIC_READS

    personas = walked_sector.personas
    clients = {}
    for name in REGION_A_ROLES:
        clients[name] = AppRoleClient(raise_request_exception=False)
        clients[name].force_login(personas.by_name(name))
    settings.PORTAL_ORM_RESTRICT = False
    with refusal_causes() as causes:
        report = walk(
            region_b=personas.region_b,
            clients=clients,
            forbidden=walked_sector.region_b_markers[:1],
            public_reads=PUBLIC_READS,
            not_object_scoped=NOT_OBJECT_SCOPED,
            only=_walked,
            readable=lambda obj: all(
                _database_shows(personas.by_name(name), obj) for name in REGION_A_ROLES
            ),
        )
    assert not report.uncovered, "\n".join(report.uncovered)
    assert len(report.covered) > 80
    errors = [line for line in report.violations if re.search(r": 5\d\d\b", line)]
    assert not set(report.violations) - set(errors), "\n".join(report.violations)
    assert not _not_row_level_security(causes), "\n".join(_not_row_level_security(causes))
    assert len(errors) == len(causes), errors


def _walked(route) -> bool:
    # As ``_scanned``, and only where every object in the path is protected (or an
    # organisation, whose pages show its protected rows): the sector's data, initiatives
    # included, is guarded by the ORM's layer alone.
    protected = rls.protected_models()
    named = {route.model_for(parameter) for parameter in route.parameters} - {None}
    return _scanned(route) and all(model in protected or model is Organisation for model in named)


def _database_shows(user, obj) -> bool:
    with app_role(), rls.principal_context(user):
        return type(obj)._base_manager.filter(pk=obj.pk).exists()


@pytest.fixture
def walked_sector(personas, granted):
    sector = make_sector(personas)
    api_token_for(personas.ciso_b, name="Region B's token")
    return sector


def _entries(*, organisation) -> set[int]:
    return set(
        LogEntry.objects.filter(additional_data__organisation=organisation.pk).values_list(
            "pk", flat=True
        )
    )


def test_the_audit_trail_shows_region_a_none_of_region_b_but_what_it_may_read(sector, personas):
    """Each change records its object's organisation; region A's people read their region's
    trail, of region B's only the entries of objects they may read (the shared system and the
    risk on it, the implementation status every region reads) and none of its reads."""
    region_a, region_b = personas.region_a, personas.region_b
    own_risk = sector.risks["a"][0]
    own_risk_pk = own_risk.pk
    own_risk.delete()  # its entries stay, and name their organisation
    of_a, of_b = _entries(organisation=region_a), _entries(organisation=region_b)
    assert of_a and of_b
    assert LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Risk),
        object_id=own_risk_pk,
        action=LogEntry.Action.DELETE,
        additional_data__organisation=region_a.pk,
    )
    expected = {
        persona: _readable_by(personas.by_name(persona), of_b) for persona in REGION_A_ROLES
    }
    seen = {}
    with app_role():
        for persona in (*REGION_A_ROLES, "ciso_b"):
            with rls.principal_context(personas.by_name(persona)):
                seen[persona] = set(LogEntry.objects.values_list("pk", flat=True))
    reads_of_a = set(AuditRead.objects.filter(pk__in=of_a).values_list("pk", flat=True))
    assert reads_of_a
    for persona in REGION_A_ROLES:
        assert seen[persona] & of_b == expected[persona], persona
        may_read_reads = persona == "viewer_a"
        assert seen[persona] >= (of_a - reads_of_a), persona  # the deleted risk's entries too
        assert bool(seen[persona] & reads_of_a) == may_read_reads, persona
    shared = {
        entry.object_id
        for entry in LogEntry.objects.filter(pk__in=seen["ciso_a"] & of_b)
        if entry.content_type.model_class() is Risk
    }
    assert shared == {sector.shared_risk.pk, sector.joint_risk.pk}
    assert seen["ciso_b"] & of_a == _readable_by(personas.ciso_b, of_a)


def test_the_history_of_a_sector_edition_only_tsi_reads_is_tsis_alone(personas, granted):
    """The sector's data in the trail (no organisation recorded) is every signed-in user's —
    unless it names an object its table's policies keep from the reader: the runs of the
    sector's risk picture are TSI's, and so is their history (kind, period, requester)."""
    picture = ReportRun.objects.create(
        kind=ReportKind.SECTOR_RISK_PICTURE, period="2026-Q3", requested_by=personas.secretariat
    )
    appendix = ReportRun.objects.create(
        kind=ReportKind.COUNCIL_APPENDIX, period="2026", requested_by=personas.secretariat
    )
    run_type = ContentType.objects.get_for_model(ReportRun)
    entries = {
        run.pk: set(
            LogEntry.objects.filter(content_type=run_type, object_id=run.pk).values_list(
                "pk", flat=True
            )
        )
        for run in (picture, appendix)
    }
    assert entries[picture.pk] and entries[appendix.pk]
    seen = {}
    with app_role():
        for persona in ("ciso_a", "viewer_a", "secretariat"):
            with rls.principal_context(personas.by_name(persona)):
                seen[persona] = set(LogEntry.objects.values_list("pk", flat=True))
    for persona in ("ciso_a", "viewer_a"):
        assert not seen[persona] & entries[picture.pk], persona
        assert entries[appendix.pk] <= seen[persona], persona  # the sector's data, shared
    assert entries[picture.pk] | entries[appendix.pk] <= seen["secretariat"]


def _readable_by(user, entries: set[int]) -> set[int]:
    readable = set()
    for entry in LogEntry.objects.filter(pk__in=entries).exclude(action=LogEntry.Action.ACCESS):
        model = entry.content_type.model_class()
        if model._default_manager.restrict(user).filter(pk=entry.object_id).exists():
            readable.add(entry.pk)
    return readable


def test_audit_entries_are_written_only_into_the_principal_organisations(sector, personas):
    region_a, region_b = personas.region_a, personas.region_b
    risk_type = ContentType.objects.get_for_model(Risk)
    initiative_type = ContentType.objects.get_for_model(Initiative)

    def entry(organisation, **fields):
        values = {
            "content_type": risk_type,
            "object_pk": "1",
            "object_id": 1,
            "object_repr": "Indsmuglet",
            "action": LogEntry.Action.UPDATE,
            "changes": {},
            "additional_data": {"organisation": organisation},
            **fields,
        }
        with transaction.atomic():
            return LogEntry.objects.create(**values)

    with app_role():
        with rls.principal_context(personas.riskowner_a):
            entry(region_a.pk)  # their own organisation's
            entry(None, content_type=initiative_type)  # the sector's data
            # … which cannot name an object its table's policies keep from them.
            with _refused():
                entry(None, object_id=sector.risks["b"][0].pk)
            with _refused():
                entry(region_b.pk)
            # A read of region B's shared material goes into B's trail: the system records it.
            with _refused():
                entry(region_b.pk, action=LogEntry.Action.ACCESS, actor=personas.riskowner_a)
            (read,) = record_read(
                user=personas.riskowner_a,
                kind=ReadKind.RISK_EXPORT,
                model=Risk,
                organisation_ids=[region_b.pk],
            )
            assert not LogEntry.objects.filter(pk=read.pk).exists()  # B's readers' to read
            # Through the ORM: a change and a deletion in their region write their entries.
            with transaction.atomic():
                asset = Asset.objects.create(organisation=region_a, name="Nyt system")
                asset_pk = asset.pk
                asset.delete()
            written = LogEntry.objects.filter(
                object_id=asset_pk, content_type=ContentType.objects.get_for_model(Asset)
            )
            assert sorted(written.values_list("action", flat=True)) == [
                LogEntry.Action.CREATE,
                LogEntry.Action.DELETE,
            ]
            assert set(written.values_list("additional_data__organisation", flat=True)) == {
                region_a.pk
            }
            # Nothing updates an entry or deletes one outside the system context.
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM auditlog_logentry")
                assert cursor.rowcount == 0
        with _refused():  # and without a context, nothing of an organisation
            entry(region_a.pk)


def test_the_context_holds_the_principal_roles(personas, granted):
    values = rls.principal_values(personas.ciso_a)
    assert values["user_id"] == str(personas.ciso_a.pk)
    assert values[f"orgs_{Role.CISO}"] == f"{{{personas.region_a.pk}}}"
    assert values[f"orgs_{Role.VIEWER}"] == "{}"
    assert values["system"] == values["sector_admin"] == ""
    assert rls.principal_values(personas.admin)["sector_admin"] == "on"
    assert rls.principal_values(None) == rls.NO_CONTEXT
