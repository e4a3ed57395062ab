"""Shared fixtures: personas (one user per role in two regions) and API clients."""

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from portal.access import forget_principal
from portal.access.roles import Role
from portal.auth.mfa import mfa_required_for
from portal.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.mail import use_portal_mail

# Browser tests drive Playwright's synchronous API next to Django's live server thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Personas:
    region_a: Organisation
    region_b: Organisation
    sector_body: Organisation
    ciso_a: AbstractBaseUser
    riskowner_a: AbstractBaseUser
    viewer_a: AbstractBaseUser
    ciso_b: AbstractBaseUser
    riskowner_b: AbstractBaseUser
    viewer_b: AbstractBaseUser
    secretariat: AbstractBaseUser
    admin: AbstractBaseUser
    outsider: AbstractBaseUser

    def by_name(self, name: str) -> AbstractBaseUser:
        return getattr(self, name)


def make_personas() -> Personas:
    region_a = OrganisationFactory(slug="region-a", name_da="Region A")
    region_b = OrganisationFactory(slug="region-b", name_da="Region B")
    sector_body = OrganisationFactory(
        slug="sector-body", name_da="Sektororgan", kind=Organisation.Kind.SECTOR_BODY
    )
    users = {}
    for region, suffix in ((region_a, "a"), (region_b, "b")):
        for role, prefix in (
            (Role.CISO, "ciso"),
            (Role.RISK_OWNER, "riskowner"),
            (Role.VIEWER, "viewer"),
        ):
            user = UserFactory(username=f"{prefix}.{suffix}")
            MembershipFactory(user=user, organisation=region, role=role)
            users[f"{prefix}_{suffix}"] = user
    secretariat = UserFactory(username="secretariat")
    MembershipFactory(user=secretariat, organisation=sector_body, role=Role.SECRETARIAT)
    admin = UserFactory(username="sector.admin")
    MembershipFactory(user=admin, organisation=sector_body, role=Role.SECTOR_ADMIN)
    return Personas(
        region_a=region_a,
        region_b=region_b,
        sector_body=sector_body,
        secretariat=secretariat,
        admin=admin,
        outsider=UserFactory(username="outsider"),
        **users,
    )


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client authenticated as ``user`` (or anonymous for None)."""

    def make(user: AbstractBaseUser | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


def verify_second_factor(client: Client, user: AbstractBaseUser) -> TOTPDevice:
    """Give ``client``'s session the second factor, as if ``user`` had typed a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def client_as(client):
    """``client_as(user)``: the Django test client, logged in as ``user`` — with the second
    factor given when ``MFA_REQUIRED`` asks it of the user (pass ``verified=False`` not to)."""

    def make(user: AbstractBaseUser | None, *, verified: bool = True):
        client.logout()
        if user is not None:
            client.force_login(user)
            if verified and mfa_required_for(user):
                verify_second_factor(client, user)
            forget_principal(user)  # read again in the test, after any change of memberships
        return client

    return make


@pytest.fixture
def portal_mail(settings):
    """Mail kept in ``django.core.mail.outbox`` (returned), links to ``tests.mail.PORTAL_URL``."""
    return use_portal_mail(settings)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not what these tests are about; PBKDF2 per persona costs seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: Tests that share something outside their own test database — PostgreSQL roles (global to
#: the cluster) or a real Celery worker on Redis — run on one xdist worker, one after another
#: (``make pytest`` runs ``--dist loadgroup``; every other test is spread over the workers).
_SHARED_OUTSIDE_THE_DATABASE = (
    "tests/test_backup_restore.py",
    "tests/portal/test_audit.py",
    "tests/portal/test_audit_retention.py",
    "tests/security/test_rls.py",
    "tests/reports/test_worker.py",
    "tests/browser/test_import_journey.py",
    "tests/test_deployment_files.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::")[0] in _SHARED_OUTSIDE_THE_DATABASE:
            item.add_marker(pytest.mark.xdist_group("shared-outside-the-database"))
