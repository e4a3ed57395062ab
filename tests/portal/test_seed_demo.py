from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from risks.models import Asset


def test_it_creates_a_user_for_every_role_in_every_region(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", verbosity=0, stdout=StringIO())
    names = set(get_user_model().objects.values_list("username", flat=True))
    for region in ("hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland"):
        for role in ("ciso", "riskowner", "viewer"):
            assert f"{role}.{region}" in names
    assert {"secretariat", "admin"} <= names
    systems = Asset.objects.filter(organisation__slug="hovedstaden", kind=Asset.Kind.SYSTEM)
    assert systems.count() == 75 + 1  # 1,500 x 0.05, plus a shared system


def test_it_is_deterministic_and_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    first = list(Asset.objects.order_by("pk").values_list("name", "supplier"))
    users = get_user_model().objects.count()
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    assert list(Asset.objects.order_by("pk").values_list("name", "supplier")) == first
    assert get_user_model().objects.count() == users


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--scale", "0.05")
    call_command("seed_demo", "--scale", "0.05", force=True, stdout=StringIO())


def test_it_rejects_a_bad_scale(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "lots")


def test_it_signs_every_demo_user_in_with_the_demo_password(db, settings, client):
    settings.DEBUG = True
    settings.MFA_REQUIRED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    for user in get_user_model().objects.all():
        response = client.post(
            reverse("login"), {"username": user.username, "password": settings.DEMO_PASSWORD}
        )
        assert response.status_code == 302, user.username
        client.logout()


def test_its_data_is_plausible_accepted_risks_and_device_makers(db, settings):
    """Every accepted risk names its acceptor (the region's CISO), when and why; each kind of
    medical device comes from one of its own makers, scanners far fewer than infusion pumps."""
    import random

    from risks.demo import _DEVICE_KINDS, _device_categories
    from risks.models import Risk

    settings.DEBUG = True
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())
    accepted = Risk.objects.filter(status="accepted").select_related("accepted_by")
    assert accepted.exists()
    for risk in accepted:
        assert risk.accepted_by is not None and risk.accepted_at is not None, risk
        assert risk.accepted_by.memberships.filter(
            organisation=risk.organisation_id, role="ciso"
        ).exists()
        assert len(risk.acceptance_reason) > 40
    makers = {kind: set(names) for kind, names, _share in _DEVICE_KINDS}
    devices = Asset.objects.filter(
        organisation__slug="hovedstaden", kind=Asset.Kind.MEDICAL_DEVICE_CATEGORY
    )
    for device in devices:
        kind = device.name.rsplit(" gruppe ", 1)[0]
        assert device.supplier in makers[kind], device
    # At full scale: forty groups holding about 150,000 devices.
    region = devices.first().organisation
    quantity = {}
    for device in _device_categories(region, 40, 150_000, random.Random(1)):
        kind = device.name.rsplit(" gruppe ", 1)[0]
        quantity[kind] = quantity.get(kind, 0) + device.quantity
    assert 149_000 <= sum(quantity.values()) <= 150_000
    assert quantity["Infusionspumper"] > 50 * quantity["CT-scannere"]
