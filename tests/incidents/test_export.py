"""The incident register as .xlsx: the list's incidents, filtered like the list, through the
permission layer, with each clock, formulas neutralised — and recorded in the audit trail as
a read of the region's confidential material, as the risk register's export is."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from incidents.models import IncidentSubmission
from portal.models import AuditRead
from tests.factories import AssetFactory
from tests.incidents.conftest import make_incident

pytestmark = pytest.mark.django_db

URL = reverse("incidents:incident_export")
CPH = ZoneInfo("Europe/Copenhagen")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def register(personas):
    aware = datetime(2026, 3, 29, 1, 30, tzinfo=CPH)  # the night summer time begins
    ransomware = make_incident(
        personas.region_a,
        title='=HYPERLINK("http://x")',
        description="Krypterede drev\x07 i radiologien",
        detected_at=aware - timedelta(hours=1),
        aware_at=aware,
        owner=personas.riskowner_a,
        personal_data=True,
        gdpr_breach=True,
    )
    ransomware.affected_systems.add(AssetFactory(organisation=personas.region_a, name="PACS"))
    IncidentSubmission.objects.create(
        incident=ransomware,
        kind="nis2_early_warning",
        submitted_at=aware + timedelta(hours=5),
        recipient="virk.dk",
        by=personas.ciso_a,
    )
    phishing = make_incident(
        personas.region_a,
        title="Phishing mod økonomi",
        category="phishing",
        severity="low",
        nis2_significant=False,
        nis2_reason="",
    )
    secret = make_incident(personas.region_b, title="Region B's ransomware SB-1177")
    return {"ransomware": ransomware, "phishing": phishing, "secret": secret}


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="haendelsesregister.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], sheet


def test_the_export_holds_the_filtered_incidents_with_their_clocks(register, personas, client_as):
    client = client_as(personas.ciso_a)
    _header, rows, sheet = workbook(
        client.get(URL, {"category": "ransomware"}, HTTP_ACCEPT_LANGUAGE="en")
    )
    assert len(rows) == 1  # the filter holds: not the phishing, not region B's
    row = rows[0]
    assert row["ID"] == register["ransomware"].pk
    assert row["Title"] == '\'=HYPERLINK("http://x")'  # neutralised, a string
    assert sheet["C2"].data_type == "s"
    assert row["Description"] == "Krypterede drev i radiologien"  # no control character
    assert row["Organisation"] == "Region A"
    assert row["Category"] == "Ransomware" and row["Severity"] == "Critical"
    # Times in Copenhagen: 01:30 winter time, and the early warning 24 hours later is 02:30
    # summer time (absolute hours across the change).
    assert row["Aware at"] == datetime(2026, 3, 29, 1, 30)
    assert row["NIS2 early warning: due"] == datetime(2026, 3, 30, 2, 30)
    # (Recorded at 06:30 wall-clock time: the fixture adds five hours on the clock's face.)
    assert row["NIS2 early warning: submitted"] == datetime(2026, 3, 29, 6, 30)
    assert row["NIS2 incident notification: submitted"] is None
    assert row["Affected systems and device categories"] == "PACS"
    assert row["Personal data breach (GDPR)"] == "Yes"
    assert "NIS2 incident notification" in row["Overdue reporting clocks"]
    assert "NIS2 early warning" not in row["Overdue reporting clocks"]
    assert sheet["H2"].number_format == "dd-mm-yyyy hh:mm"


def test_each_reader_exports_only_what_they_may_see(register, personas, client_as):
    _header, rows, _sheet = workbook(client_as(personas.viewer_b).get(URL, **EN))
    assert [row["Title"] for row in rows] == ["Region B's ransomware SB-1177"]
    _header, rows, _sheet = workbook(client_as(personas.ciso_a).get(URL, **EN))
    assert {row["Title"] for row in rows} == {
        '\'=HYPERLINK("http://x")',
        "Phishing mod økonomi",
    }
    _header, rows, _sheet = workbook(client_as(personas.secretariat).get(URL, **EN))
    assert rows == []
    # Asking for region B by name is refused, never answered with its incidents.
    refused = client_as(personas.ciso_a).get(URL, {"organisation": personas.region_b.slug})
    assert refused.status_code == 400
    assert b"SB-1177" not in refused.content


def test_the_export_is_recorded_as_a_read_of_the_regions_material(register, personas, client_as):
    client_as(personas.ciso_a).get(URL, {"category": "ransomware"})
    read = AuditRead.objects.get()
    assert read.actor == personas.ciso_a
    assert read.additional_data["kind"] == "incident_export"
    assert read.additional_data["organisation"] == personas.region_a.pk
    assert read.additional_data["filters"] == {"category": "ransomware"}
    assert read.content_type.model == "incident"


def test_a_bad_filter_is_refused_and_nothing_recorded(register, personas, client_as):
    response = client_as(personas.ciso_a).get(URL, {"category": "bogus"})
    assert response.status_code == 400
    assert not AuditRead.objects.exists()


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_links_to_the_export_with_its_filters(register, personas, client_as):
    page = client_as(personas.ciso_a).get(
        reverse("incidents:incident_list"), {"category": "phishing"}
    )
    assert f'href="{URL}?category=phishing"' in page.content.decode()


def test_the_exports_queries_do_not_grow_with_the_register(register, personas, client_as):
    client = client_as(personas.ciso_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    before = queries()
    now = timezone.now()
    for n in range(10):
        incident = make_incident(
            personas.region_a,
            title=f"Ekstra {n}",
            detected_at=now - timedelta(hours=10),
            aware_at=now - timedelta(hours=9),
        )
        incident.affected_systems.add(AssetFactory(organisation=personas.region_a))
    assert queries() == before
