import time

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from risks.models import Threat


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED = True
    return settings


@pytest.fixture
def threats(db):
    call_command("load_reference", verbosity=0)
    return {threat.slug: threat for threat in Threat.objects.all()}


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app with ``device``'s secret shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
