"""PostgreSQL's row-level security, the second wall under ``restrict()`` (``portal.rls``).

The suite connects as the superuser ``postgres``, which bypasses row-level security; these
tests grant the application's role (``manage.py rls_roles``) and switch the test connection to
it with ``SET ROLE`` — so the policies, not the ORM, decide what a query returns.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection, models, transaction
from django.test import Client

from capabilities.models import MaturityAssessment
from portal import rls
from portal.access.roles import Role
from portal.management.commands.rls_check import rls_gaps
from reports.models import NarrativeDraft, ReportKind, ReportRun
from reports.services import run_generate
from reports.tasks import generate_report
from risks.models import Asset, Risk, RiskSnapshot, Threat
from tests.factories import api_token_for
from tests.sector import make_sector
from tests.security.leak_scan import ScanClient, plant_markers, scan

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
    MaturityAssessment.objects.filter(organisation=personas.region_b).update(status="approved")
    ReportRun.objects.create(
        kind=ReportKind.TSI_PORTFOLIO, period="2026-H1", requested_by=personas.secretariat
    )
    NarrativeDraft.objects.create(
        kind=ReportKind.TSI_PORTFOLIO, period="2026-H1", section="introduction", body="Sektor"
    )
    for region in (personas.region_a, personas.region_b):
        RiskSnapshot.objects.create(organisation=region, period="2026-Q1")
    sector.shared_risk = shared_risk
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
    assert risks_of_b == {sector.shared_risk.pk}  # only the risk on the shared system
    assert assets_of_b == {"Fælles EPJ"}
    assert runs_of_b == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_database_and_restrict_agree(sector, personas, settings, persona):
    """For every protected model: the rows ``restrict()`` returns (as the superuser, the ORM
    alone) are exactly the rows the database returns with ``restrict()`` switched off."""
    user = personas.by_name(persona)
    differences, total = {}, 0
    for model in rls.protected_models():
        if getattr(model, "access_policy", None) is None:
            continue
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
    expected = {risk.pk for risk in sector.risks["a"]} | {sector.shared_risk.pk}
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


@pytest.fixture
def scanned_sector(personas, granted, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_sector(personas)


def _scanned(route) -> bool:
    # The routes of organisation-owned objects and those of no one model (pages, dashboards,
    # exports); the sector's reference data (frameworks, threats, initiatives) is left out.
    return route.model is None or route.model in rls.protected_models()


def test_the_leak_scan_finds_nothing_of_region_b_with_restrict_switched_off(
    scanned_sector, personas, settings
):
    """The content leak scan (``leak_scan``) as region A's CISO — the role that reads and
    writes the most of the region — with ``restrict()`` off: only the database filters. A write
    the ORM would have refused may then reach the database; the database refuses it (a 500
    whose cause is a row-level security refusal), which the scan reports as an error."""
    run_generate(scanned_sector.runs["a"])
    markers = plant_markers(personas.region_b)
    scan_client = AppRoleScanClient(
        "ciso_a", Client(raise_request_exception=False), personas.ciso_a
    )
    scan_client.sign_in()
    causes: list[str] = []

    def record(sender, request, **kwargs):
        import sys

        causes.append(f"{request.method} {request.path}: {sys.exc_info()[1]}")

    got_request_exception.connect(record)
    settings.PORTAL_ORM_RESTRICT = False
    try:
        report = scan(
            planted=markers, own_region=personas.region_a, clients=[scan_client], only=_scanned
        )
    finally:
        got_request_exception.disconnect(record)
    assert len(markers.markers) > 50
    assert report.requests > 300
    assert not report.leaks, "\n".join(map(str, report.leaks))
    unexpected = [cause for cause in causes if "row-level security" not in cause]
    assert not unexpected, "\n".join(unexpected)
    assert len(report.errors) == len(causes), report.errors


def test_the_context_holds_the_principal_roles(personas, granted):
    values = rls.principal_values(personas.ciso_a)
    assert values["user_id"] == str(personas.ciso_a.pk)
    assert values[f"orgs_{Role.CISO}"] == f"{{{personas.region_a.pk}}}"
    assert values[f"orgs_{Role.VIEWER}"] == "{}"
    assert values["system"] == values["sector_admin"] == ""
    assert rls.principal_values(personas.admin)["sector_admin"] == "on"
    assert rls.principal_values(None) == rls.NO_CONTEXT
