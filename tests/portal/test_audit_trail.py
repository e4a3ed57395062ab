"""A region's readers (internal audit) read and export their region's audit trail — never
another region's — and each export is recorded as a read."""

import csv
import io

import pytest
from django.urls import reverse

from portal.models import AuditRead, ReadKind
from tests.factories import AssetFactory


@pytest.fixture
def assets(personas):
    """A change in each region's trail."""
    changed = {}
    for suffix, region in (("a", personas.region_a), ("b", personas.region_b)):
        asset = AssetFactory(organisation=region, name=f"Trail system {suffix.upper()}")
        asset.supplier = f"Supplier {suffix.upper()}"
        asset.save()
        changed[suffix] = asset
    return changed


def test_a_reader_reads_their_regions_trail_as_sentences(assets, personas, client_as):
    page = client_as(personas.viewer_a).get(
        reverse("audit_export"), {"organisation": personas.region_a.pk, "show": "1"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trail system A" in html and "Supplier A" in html
    assert "Trail system B" not in html and "Supplier B" not in html


def test_a_reader_exports_their_regions_trail_and_the_export_is_recorded(
    assets, personas, client_as
):
    response = client_as(personas.viewer_a).get(
        reverse("audit_export"), {"organisation": personas.region_a.pk, "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail-region-a.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    objects = {row["object"] for row in rows}
    assert "Trail system A" in objects
    assert not any("Trail system B" in name for name in objects)
    (read,) = AuditRead.objects.filter(actor=personas.viewer_a)
    assert read.kind == ReadKind.AUDIT_EXPORT
    assert read.additional_data["organisation"] == personas.region_a.pk


@pytest.mark.parametrize("query", [{"organisation": "region_b"}, {}])
def test_a_reader_gets_no_other_trail(assets, personas, client_as, query):
    """Another region's trail, or the whole trail: a field error, no entry and no export."""
    params = {"format": "csv", "show": "1"}
    if query:
        params["organisation"] = personas.region_b.pk
    response = client_as(personas.viewer_a).get(reverse("audit_export"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trail system B" not in html
    assert 'id="id_organisation"' in html
    assert not AuditRead.objects.filter(actor=personas.viewer_a).exists()


def test_the_form_offers_a_reader_only_their_region(personas, client_as):
    html = client_as(personas.viewer_a).get(reverse("audit_export")).content.decode()
    assert f'value="{personas.region_a.pk}"' in html
    assert f'value="{personas.region_b.pk}"' not in html
    assert 'value=""' not in html  # no "whole trail"


@pytest.mark.parametrize("persona", ["ciso_a", "riskowner_a", "secretariat", "outsider"])
def test_no_one_else_reads_a_regions_trail(assets, personas, client_as, persona):
    response = client_as(personas.by_name(persona)).get(
        reverse("audit_export"), {"organisation": personas.region_a.pk, "show": "1"}
    )
    assert response.status_code == 403


def test_a_sector_admin_reads_any_region_and_the_whole_trail(assets, personas, client_as):
    client = client_as(personas.admin)
    region_b = client.get(
        reverse("audit_export"), {"organisation": personas.region_b.pk, "show": "1"}
    ).content.decode()
    assert "Trail system B" in region_b and "Trail system A" not in region_b
    everything = client.get(reverse("audit_export"), {"show": "1"}).content.decode()
    assert "Trail system A" in everything and "Trail system B" in everything


def test_the_trail_page_reads_in_a_bounded_number_of_queries(
    personas, client_as, django_assert_max_num_queries
):
    for n in range(30):
        asset = AssetFactory(organisation=personas.region_a, name=f"System {n}")
        asset.is_legacy = True
        asset.save()
    client = client_as(personas.viewer_a)
    with django_assert_max_num_queries(25):
        page = client.get(
            reverse("audit_export"), {"organisation": personas.region_a.pk, "show": "1"}
        )
    assert page.status_code == 200
