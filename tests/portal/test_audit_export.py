"""The audit trail exported for an auditor: by command (CSV, JSON Lines) and as a download
for sector administrators only."""

import csv
import io
import json
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.timezone import localtime, now

from tests.factories import AssetFactory


@pytest.fixture
def changed_asset(personas, client_as):
    """An asset whose supplier ciso.a changed through the form: one create, one update."""
    asset = AssetFactory(organisation=personas.region_a, name="=HYPERLINK(1)", supplier="Old")
    client = client_as(personas.ciso_a)
    form = {
        "organisation": personas.region_a.pk,
        "name": asset.name,
        "kind": asset.kind,
        "supplier": "New",
        "quantity": 1,
        "version": asset.version,
    }
    response = client.post(reverse("risks:asset_edit", kwargs={"pk": asset.pk}), form)
    assert response.status_code == 302, response.context["form"].errors
    return asset


def _export(*args) -> str:
    out = StringIO()
    call_command("audit_export", *args, stdout=out)
    return out.getvalue()


def test_it_exports_who_when_and_what_changed_as_csv(changed_asset):
    rows = list(csv.DictReader(io.StringIO(_export("--format", "csv"))))
    update = next(row for row in rows if row["action"] == "update")
    assert update["actor"] == "ciso.a"
    assert update["object_type"] == "risks.asset"
    assert update["object_id"] == str(changed_asset.pk)
    assert json.loads(update["changes"])["supplier"] == ["Old", "New"]
    # Written in Danish time with its offset, the days --from/--to count in.
    stamp = datetime.fromisoformat(update["timestamp"])
    assert stamp.utcoffset() == localtime().utcoffset()
    assert abs(stamp - now()) < timedelta(minutes=5)
    # A spreadsheet must not run what someone typed as a name.
    assert update["object"] == "'=HYPERLINK(1)"


def test_it_exports_json_lines_within_the_days_asked(changed_asset):
    today = date.today()
    lines = _export("--format", "jsonl", "--from", str(today), "--to", str(today)).splitlines()
    entries = [json.loads(line) for line in lines]
    assert {entry["action"] for entry in entries} >= {"create", "update"}
    assert all(entry["timestamp"] for entry in entries)
    assert len(entries) == LogEntry.objects.count()
    yesterday = str(today - timedelta(days=1))
    assert _export("--format", "jsonl", "--to", yesterday) == ""
    with pytest.raises(CommandError):
        _export("--from", str(today), "--to", yesterday)


def test_a_sector_admin_downloads_the_export(changed_asset, personas, client_as):
    client = client_as(personas.admin)
    assert client.get(reverse("audit_export")).status_code == 200  # the form
    response = client.get(reverse("audit_export"), {"format": "jsonl"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail.jsonl"'
    entries = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert any(entry["changes"].get("supplier") == ["Old", "New"] for entry in entries)


@pytest.mark.parametrize("persona", ["ciso_a", "secretariat", "outsider"])
def test_nobody_else_downloads_it(changed_asset, personas, client_as, persona):
    client = client_as(personas.by_name(persona))
    assert client.get(reverse("audit_export"), {"format": "csv"}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("audit_export"), {"format": "csv"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
