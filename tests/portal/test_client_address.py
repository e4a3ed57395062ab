"""The audit trail and the sign-in lock-out take the client's address from one place, through
``TRUSTED_PROXY_COUNT`` proxies only: a forged ``X-Forwarded-For`` is not recorded."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from portal.client_address import client_address, client_port
from risks.models import Asset
from tests.factories import AssetFactory


def change_asset(client, asset: Asset, **headers) -> LogEntry:
    form = {
        "organisation": asset.organisation_id,
        "name": asset.name,
        "kind": asset.kind,
        "supplier": "Changed",
        "quantity": 1,
        "version": asset.version,
    }
    response = client.post(reverse("risks:asset_edit", kwargs={"pk": asset.pk}), form, **headers)
    assert response.status_code == 302, response.context["form"].errors
    return LogEntry.objects.get_for_object(asset).get(action=LogEntry.Action.UPDATE)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "recorded"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's invention
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the right-most, the proxy's
        (1, "198.51.100.1, not-an-address", "127.0.0.1"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: not to be trusted
    ],
)
def test_the_audit_trail_records_the_address_the_trusted_proxies_saw(
    personas, client_as, settings, proxies, forwarded, recorded
):
    settings.TRUSTED_PROXY_COUNT = proxies
    asset = AssetFactory(organisation=personas.region_a)
    entry = change_asset(
        client_as(personas.ciso_a),
        asset,
        HTTP_X_FORWARDED_FOR=forwarded,
        HTTP_X_FORWARDED_PORT="4711",
    )
    assert entry.remote_addr == recorded
    assert entry.remote_port == (4711 if proxies else None)


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::2", "2001:db8::2"),
        ("<script>", "10.0.0.2"),
    ],
)
def test_it_reads_addresses_with_ports_and_refuses_garbage(settings, rf, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == expected


def test_the_port_header_counts_only_behind_a_trusted_proxy(settings, rf):
    request = rf.get("/", HTTP_X_FORWARDED_PORT="4711", REMOTE_PORT="5000")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_port(request) == 5000
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_port(request) == 4711
    assert client_port(rf.get("/", HTTP_X_FORWARDED_PORT="99999")) is None
