"""Reads of confidential material are in the audit trail — who, when, from where, what, with
which filters — whatever the path (page, API, command), and listed through the permission
layer: every read for the sector administrators, their region's for a region's readers."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from portal.audit import history_for
from portal.audit.reads import MAX_FILTER_LENGTH, MAX_FILTERS, read_filters, reads_visible_to
from portal.models import AuditRead, ReadKind
from reports.models import ReportRun
from risks.models import Risk
from tests.sector import make_sector


@pytest.fixture
def sector(personas):
    return make_sector(personas)


def reads() -> list[AuditRead]:
    return list(AuditRead.objects.order_by("pk"))


@pytest.fixture
def done_run(sector, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = sector.runs["a"]
    run.status = ReportRun.Status.DONE
    run.pdf.save("quarterly.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    run.save()
    return run


def test_it_records_a_register_export_with_who_what_and_filters(sector, personas, client_as):
    client = client_as(personas.ciso_a)
    query = {"format": "csv", "q": "Region", "status": ["identified", "assessed"]}
    response = client.get(reverse("risks:export", kwargs={"kind": "risks"}), query)
    assert response.status_code == 200
    (read,) = reads()
    assert read.action == LogEntry.Action.ACCESS
    assert read.actor == personas.ciso_a
    assert read.remote_addr == "127.0.0.1"
    assert read.kind == ReadKind.RISK_EXPORT
    assert read.content_type.model_class() is Risk
    assert read.additional_data["organisation"] == personas.region_a.pk
    assert read.filters == query
    # An export that matched nothing read no region's material: the sector administrators'.
    client.get(reverse("risks:export", kwargs={"kind": "risks"}), {"q": "no such risk"})
    assert reads()[-1].additional_data["organisation"] is None


def test_it_records_one_read_per_region_whose_material_an_export_holds(sector, personas, client_as):
    response = client_as(personas.admin).get(
        reverse("risks:export", kwargs={"kind": "assets"}), {"format": "csv"}
    )
    assert response.status_code == 200
    recorded = {read.additional_data["organisation"] for read in reads()}
    assert recorded == {personas.region_a.pk, personas.region_b.pk}
    assert {read.kind for read in reads()} == {ReadKind.ASSET_EXPORT}


def test_a_refused_export_is_not_a_read(sector, personas, client_as):
    response = client_as(personas.ciso_a).get(
        reverse("risks:export", kwargs={"kind": "risks"}), {"format": "pdf"}
    )
    assert response.status_code == 400
    assert reads() == []


def test_it_records_exports_through_the_api(sector, personas, api_as):
    response = api_as(personas.viewer_a).get(
        "/api/v1/treatments/export/", {"format": "xlsx", "status": "open"}
    )
    assert response.status_code == 200
    (read,) = reads()
    assert (read.actor, read.kind) == (personas.viewer_a, ReadKind.TREATMENT_EXPORT)
    assert read.filters == {"format": "xlsx", "status": "open"}


def test_it_records_report_downloads_and_previews(done_run, personas, client_as, api_as):
    client = client_as(personas.viewer_a)
    assert client.get(reverse("reports:run_pdf", kwargs={"pk": done_run.pk})).status_code == 200
    assert client.get(reverse("reports:run_preview", kwargs={"pk": done_run.pk})).status_code == 200
    assert api_as(personas.ciso_a).get(f"/api/v1/reports/{done_run.pk}/pdf/").status_code == 200
    recorded = [(read.actor, read.kind, read.object_pk) for read in reads()]
    assert recorded == [
        (personas.viewer_a, ReadKind.REPORT_PDF, str(done_run.pk)),
        (personas.viewer_a, ReadKind.REPORT_PREVIEW, str(done_run.pk)),
        (personas.ciso_a, ReadKind.REPORT_PDF, str(done_run.pk)),
    ]
    assert {read.additional_data["organisation"] for read in reads()} == {personas.region_a.pk}
    # Another region's report is neither served nor recorded as read.
    other = client_as(personas.viewer_b).get(reverse("reports:run_pdf", kwargs={"pk": done_run.pk}))
    assert other.status_code == 404
    assert len(reads()) == 3


def test_it_records_audit_exports_by_page_and_by_command(personas, client_as):
    response = client_as(personas.admin).get(
        reverse("audit_export"), {"format": "jsonl", "start": "2026-01-01"}
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    call_command("audit_export", "--format", "csv", "--from", "2026-02-01", stdout=StringIO())
    page, command = reads()
    assert (page.actor, page.kind) == (personas.admin, ReadKind.AUDIT_EXPORT)
    assert page.filters == {"format": "jsonl", "start": "2026-01-01"}
    assert page.additional_data["organisation"] is None
    assert (command.actor, command.kind) == (None, ReadKind.AUDIT_EXPORT)
    assert command.filters == {"start": "2026-02-01", "format": "csv"}
    assert "manage.py audit_export" in command.additional_data["performed_by"]


def test_reads_are_not_an_objects_history(done_run, personas, client_as):
    client_as(personas.viewer_a).get(reverse("reports:run_pdf", kwargs={"pk": done_run.pk}))
    assert reads()
    assert all(entry.action != LogEntry.Action.ACCESS for entry in history_for(done_run))


def test_the_reads_are_listed_to_the_sector_admin_and_to_the_regions_readers(
    sector, personas, client_as
):
    client_as(personas.ciso_a).get(
        reverse("risks:export", kwargs={"kind": "risks"}), {"format": "csv", "tag": "visible-a"}
    )
    client_as(personas.ciso_b).get(
        reverse("risks:export", kwargs={"kind": "risks"}), {"format": "csv", "tag": "hidden-b"}
    )
    assert {read.actor for read in reads_visible_to(personas.admin)} == {
        personas.ciso_a,
        personas.ciso_b,
    }
    assert [read.actor for read in reads_visible_to(personas.viewer_a)] == [personas.ciso_a]
    assert list(reads_visible_to(personas.ciso_a)) == []

    page = client_as(personas.viewer_a).get(reverse("audit_reads"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "ciso.a" in body and "visible-a" in body
    assert "ciso.b" not in body and "hidden-b" not in body
    admin_page = client_as(personas.admin).get(reverse("audit_reads"), {"q": "ciso.b"})
    assert "hidden-b" in admin_page.content.decode()
    for persona in ("ciso_a", "riskowner_a", "secretariat", "outsider"):
        client = client_as(personas.by_name(persona))
        assert client.get(reverse("audit_reads")).status_code == 403, persona


def test_a_query_cannot_flood_the_trail():
    query = {f"key{n}": "x" * 1000 for n in range(100)}
    filters = read_filters(query)
    assert len(filters) == MAX_FILTERS
    assert all(len(value) == MAX_FILTER_LENGTH for value in filters.values())
