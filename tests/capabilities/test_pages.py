from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from capabilities.maturity import assessment_start
from capabilities.models import Capability, Framework, Requirement
from portal.models import Organisation
from tests.capabilities.conftest import approved_campaign
from tests.factories import MembershipFactory, UserFactory


def test_the_overview_shows_four_disciplines_with_questions_and_maturity(
    personas, catalogue, client_as
):
    approved_campaign(personas.region_a, personas.ciso_a, level=2, target=4)
    page = client_as(personas.ciso_a).get(reverse("capabilities:overview"))
    columns = page.context["columns"]
    assert [c.discipline.code for c in columns] == ["anticipate", "prevent", "detect", "respond"]
    assert all(c.capabilities for c in columns)
    assert (columns[0].current, columns[0].target) == (2, 4)
    html = page.content.decode()
    assert "Ved vi hvilke trusler" in html
    assert "<svg" in html


def test_nis2_coverage_lists_all_ten_measures_and_flags_the_uncovered(
    personas, catalogue, client_as
):
    approved_campaign(personas.region_a, personas.ciso_a, level=1, target=4)
    page = client_as(personas.ciso_a).get(reverse("capabilities:coverage"))
    rows = page.context["rows"]
    assert [row.requirement.code for row in rows] == list("abcdefghij")
    uncovered = [row.requirement.code for row in rows if not row.covered]
    assert uncovered == ["d", "h"]
    covered = next(row for row in rows if row.requirement.code == "c")
    assert (covered.current, covered.target, covered.gap) == (1, 4, 3)
    assert page.content.decode().count('class="coverage-gap"') == 2


def test_every_page_states_the_approved_campaign_as_current_and_labels_the_draft(
    personas, catalogue, client_as
):
    """One definition of a region's current maturity — its latest approved campaign — on
    the capabilities overview, the NIS2 coverage and the dashboard, while a later campaign is
    open; the open one is named a draft wherever it shows."""
    approved_campaign(personas.region_a, personas.ciso_a, period="2026-H1", level=2, target=4)
    draft = assessment_start(organisation=personas.region_a, period="2026-H2", user=personas.ciso_a)
    draft.entries.update(current_level=4, target_level=4)
    client = client_as(personas.ciso_a)

    overview = client.get(reverse("capabilities:overview"))
    assert overview.context["assessment"].period == "2026-H1"
    assert overview.context["columns"][0].current == 2
    coverage = client.get(reverse("capabilities:coverage"))
    assert coverage.context["assessment"].period == "2026-H1"
    assert next(r for r in coverage.context["rows"] if r.requirement.code == "c").current == 2
    dashboard = client.get(reverse("dashboard_region", kwargs={"slug": personas.region_a.slug}))
    assert dashboard.context["maturity_columns"][0].current == 2
    for page in (overview, coverage):
        html = page.content.decode()
        assert "godkendte kampagne for 1. halvår 2026" in html
        assert "Kladde: kampagnen for 2. halvår 2026 er åben" in html
        assert draft.get_absolute_url() in html
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "Kladde: disse niveauer er endnu ikke regionens modenhed" in detail


def test_every_page_renders_for_each_role(personas, catalogue, client_as):
    assessment = approved_campaign(personas.region_a, personas.ciso_a)
    capability = Capability.objects.first()
    urls = [
        reverse("capabilities:overview"),
        reverse("capabilities:sector"),
        reverse("capabilities:coverage"),
        reverse("capabilities:assessment_list"),
        reverse("capabilities:capability_detail", kwargs={"slug": capability.slug}),
    ]
    for persona in ("ciso_a", "viewer_a", "ciso_b", "secretariat", "outsider"):
        client = client_as(personas.by_name(persona))
        for url in urls:
            assert client.get(url).status_code == 200, (persona, url)
    assert client_as(personas.viewer_a).get(assessment.get_absolute_url()).status_code == 200
    assert client_as(personas.outsider).get(assessment.get_absolute_url()).status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_sector_heatmap_and_overview_cost_constant_queries(personas, catalogue, client_as):
    client = client_as(personas.secretariat)
    ciso_client_user = personas.ciso_a
    approved_campaign(personas.region_a, personas.ciso_a, period="2024-H1")
    urls = [
        reverse("capabilities:sector"),
        reverse("capabilities:overview"),
        reverse("capabilities:coverage"),
    ]
    small = [_count(client, url) for url in urls]
    own = [_count(client_as(ciso_client_user), url) for url in urls]
    for n in range(6):
        region = Organisation.objects.create(
            slug=f"region-x{n}", name_da=f"Region X{n}", kind="region"
        )
        ciso = UserFactory(username=f"ciso.x{n}")
        MembershipFactory(user=ciso, organisation=region, role="ciso")
        for period in ("2024-H1", "2024-H2", "2025-H1"):
            approved_campaign(region, ciso, period=period)
    approved_campaign(personas.region_a, personas.ciso_a, period="2024-H2")
    client = client_as(personas.secretariat)
    assert [_count(client, url) for url in urls] == small
    assert [_count(client_as(ciso_client_user), url) for url in urls] == own


def test_the_requirements_api_filters_by_framework(personas, catalogue, api_as):
    rows = (
        api_as(personas.viewer_a)
        .get(reverse("api:requirement-list"), {"framework": "nis2-art21"})
        .json()
    )
    assert [row["code"] for row in rows["results"]] == list("abcdefghij")
    c = next(row for row in rows["results"] if row["code"] == "c")
    assert c["framework"] == "nis2-art21" and "backup-and-restore" in c["capabilities"]


MALFORMED = """frameworks:
  - slug: iso27001-2022
    name_da: ISO/IEC 27001:2022
    requirements:
      - code: A.5.1
        title_da: Politikker
      - code: A.5.1
        title_da: Dublet
      - title_da: Uden kode
        capabilities: [no-such-capability]
"""

GOOD = """frameworks:
  - slug: cis-v8
    name_da: CIS Controls v8
    version: "8"
    requirements:
      - code: "1"
        title_da: Fortegnelse over virksomhedens aktiver
        capabilities: [systems, equipment]
      - code: "7"
        title_da: Løbende sårbarhedshåndtering
        capabilities: [vulnerability-scanning]
"""


def test_load_framework_rejects_a_malformed_file_naming_lines(catalogue, tmp_path: Path):
    path = tmp_path / "iso.yaml"
    path.write_text(MALFORMED, encoding="utf-8")
    before = (Framework.objects.count(), Requirement.objects.count())
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("load_framework", str(path))
    message = str(error.value)
    assert "line 7" in message  # the duplicate code
    assert "line 9" in message  # the requirement without a code
    assert (Framework.objects.count(), Requirement.objects.count()) == before


def test_load_framework_rejects_unknown_capabilities_and_loads_twice_without_change(
    catalogue, tmp_path: Path
):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("[vulnerability-scanning]", "[quantum-shield]"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 9.*quantum-shield"), translation.override("en"):
        call_command("load_framework", str(bad))
    assert not Framework.objects.filter(slug="cis-v8").exists()
    good = tmp_path / "cis.yaml"
    good.write_text(GOOD, encoding="utf-8")
    call_command("load_framework", str(good), stdout=open("/dev/null", "w"))  # noqa: SIM115
    framework = Framework.objects.get(slug="cis-v8")
    assert framework.requirements.count() == 2
    assert set(
        Capability.objects.filter(requirements__framework=framework).values_list("slug", flat=True)
    ) == {"systems", "equipment", "vulnerability-scanning"}
    versions = list(Requirement.objects.order_by("pk").values_list("version", flat=True))
    from auditlog.models import LogEntry

    entries = LogEntry.objects.count()
    call_command("load_framework", str(good), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Requirement.objects.order_by("pk").values_list("version", flat=True)) == versions
    assert LogEntry.objects.count() == entries


def test_the_secretariat_extends_the_catalogue_and_a_ciso_cannot(personas, catalogue, api_as):
    body = {
        "slug": "supplier-management",
        "discipline": "prevent",
        "name_da": "Leverandørstyring",
        "order": 9,
    }
    assert (
        api_as(personas.ciso_a)
        .post(reverse("api:capability-list"), body, format="json")
        .status_code
        == 403
    )
    response = api_as(personas.secretariat).post(
        reverse("api:capability-list"), body, format="json"
    )
    assert response.status_code == 201, response.content
    assert Capability.objects.get(slug="supplier-management").discipline.code == "prevent"


def test_the_sector_page_draws_the_regions_trend(personas, catalogue, client_as):
    approved_campaign(personas.region_a, personas.ciso_a, period="2025-H1", level=1)
    approved_campaign(personas.region_a, personas.ciso_a, period="2025-H2", level=2)
    page = client_as(personas.ciso_a).get(reverse("capabilities:sector"))
    chart = page.context["trend_chart"]
    assert chart.periods == ["2025-H1", "2025-H2"]
    assert [point.value for point in chart.series[0].points] == [1, 2]
    assert "chart--lines" in page.content.decode()
