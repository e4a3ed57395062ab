"""Two-factor authentication: who needs it, whether a session has it, and enrolling a TOTP
authenticator with its one-time recovery codes.

Every role above viewer needs a second factor when ``MFA_REQUIRED`` is on: any membership
with another role than viewer, and staff and superusers. A session has it after a code from
the user's authenticator or a recovery code (django-otp keeps the device in the session), or
after a single sign-on whose identity provider reported multi-factor authentication
(``IDP_MFA_SESSION_KEY``, see ``portal.auth.oidc``).
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
import qrcode
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AbstractUser, AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from portal.access import principal_for

#: Set in the session when the identity provider vouched for a second factor.
IDP_MFA_SESSION_KEY = "portal_idp_mfa"
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
TOTP_DIGITS = 6


def mfa_required_for(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether ``user`` must pass a second factor (always False with ``MFA_REQUIRED`` off)."""
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return False
    if isinstance(user, AbstractUser) and (user.is_staff or user.is_superuser):
        return True
    # Every role reads some region's or the sector's data that is not public — a viewer
    # (internal audit) reads the region's risk register — so every member owes it.
    return bool(principal_for(user).roles)


def session_is_verified(request: HttpRequest) -> bool:
    """Whether the session passed a second factor, here or at the identity provider."""
    is_verified = getattr(request.user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return True
    return request.session.get(IDP_MFA_SESSION_KEY) is True


def session_owes_mfa(request: HttpRequest) -> bool:
    return mfa_required_for(request.user) and not session_is_verified(request)


def user_has_authenticator(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The user's authenticator waiting for its first code, created on the first call: the
    same secret is shown until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR_NAME, confirmed=False, digits=TOTP_DIGITS
        )
    return device


@transaction.atomic
def totp_enrolment_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with its first code and issue new recovery codes.

    Returns the recovery codes (to be shown once), or None when the code is wrong.
    """
    if not device.verify_token(_normalise(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per person: a new one replaces any earlier one.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return recovery_codes_issue(user=device.user)


@transaction.atomic
def recovery_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """New recovery codes for ``user``, replacing the earlier ones. Each works once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The device that accepts ``code``: six digits for the authenticator, anything else a
    recovery code (used up by this). None when no device accepts it or all are throttled."""
    code = _normalise(code)
    if not code:
        return None
    model = TOTPDevice if code.isdigit() and len(code) == TOTP_DIGITS else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def session_mark_verified(request: HttpRequest, device: Device) -> None:
    """Remember in the session that ``device`` verified the signed-in user."""
    django_otp.login(request, device)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` address as an SVG QR code (no scripts, no styles)."""
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()
