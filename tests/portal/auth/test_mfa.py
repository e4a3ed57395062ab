"""Two-factor authentication: required for every role, viewers too, when MFA_REQUIRED is on."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from portal.auth.mfa import recovery_codes_issue
from portal.models import ApiToken
from tests.factories import MembershipFactory, UserFactory, api_token_for
from tests.portal.auth.conftest import current_code, enrolled
from tests.risks.conftest import make_risk


def test_it_sends_a_ciso_with_a_password_only_session_to_verification(
    mfa_on, personas, threats, client_as
):
    risk = make_risk(personas.region_a, threats, title="Hemmelig sårbarhed i PACS")
    device = enrolled(personas.ciso_a)
    client = client_as(personas.ciso_a, verified=False)

    page = client.get(risk.get_absolute_url())
    assert page.status_code == 302
    assert page["Location"] == f"{reverse('mfa_verify')}?next={risk.get_absolute_url()}"

    api = client.get(reverse("api:risk-detail", kwargs={"pk": risk.pk}), HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 403
    assert "Two-factor authentication is required" in api.json()["detail"]
    assert "PACS" not in api.content.decode()

    verified = client.post(
        reverse("mfa_verify"), {"code": current_code(device), "next": risk.get_absolute_url()}
    )
    assert verified.status_code == 302 and verified["Location"] == risk.get_absolute_url()
    assert "Hemmelig sårbarhed i PACS" in client.get(risk.get_absolute_url()).content.decode()
    assert client.get(reverse("api:risk-detail", kwargs={"pk": risk.pk})).status_code == 200


def test_a_ciso_without_an_authenticator_is_sent_to_enrolment(mfa_on, personas, client_as):
    client = client_as(personas.ciso_a, verified=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))
    # Verification without an authenticator leads to enrolment too.
    assert client.get(reverse("mfa_verify"))["Location"].startswith(reverse("mfa_enrol"))


@pytest.mark.parametrize("persona", ["viewer_a", "riskowner_a", "secretariat", "admin"])
def test_every_role_needs_the_second_factor(mfa_on, personas, client_as, persona):
    client = client_as(personas.by_name(persona), verified=False)
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("api:risk-list")).status_code == 403


def test_staff_need_the_second_factor_without_any_membership(mfa_on, db, client_as):
    staff = UserFactory(username="drift", is_staff=True)
    response = client_as(staff, verified=False).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_enrol"))


def test_nobody_is_asked_when_mfa_is_off(settings, personas, client_as):
    settings.MFA_REQUIRED = False
    client = client_as(personas.ciso_a, verified=False)
    assert client.get(reverse("home")).status_code == 200


def test_a_token_issued_after_the_second_factor_reads_the_api(mfa_on, personas):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=api_token_for(personas.ciso_a))
    assert api.get(reverse("api:risk-list")).status_code == 200


def test_a_token_of_an_account_that_gained_the_duty_since_is_refused(mfa_on, personas):
    # Issued to an account without any role (no second factor asked), which then became the
    # region's CISO.
    header = api_token_for(personas.outsider, scope="read")
    ApiToken.objects.filter(user=personas.outsider).update(second_factor=False)
    MembershipFactory(user=personas.outsider, organisation=personas.region_a, role="ciso")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    assert api.get(reverse("api:risk-list")).status_code == 401


def test_enrolment_shows_the_secret_and_a_qr_code_and_ten_recovery_codes_once(
    mfa_on, personas, client_as
):
    client = client_as(personas.ciso_a, verified=False)
    page = client.get(reverse("mfa_enrol"), {"next": "/risks/"})
    content = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert '<svg width="' in content and "<path d=" in content
    assert "<script" not in content.split("<main", 1)[1]
    device = TOTPDevice.objects.get(user=personas.ciso_a, confirmed=False)
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', content).group(1)
    assert len(secret.replace(" ", "")) == 32
    # The same secret until it is confirmed: a reload must not break a half-done set-up.
    assert secret in client.get(reverse("mfa_enrol")).content.decode()

    wrong = client.post(reverse("mfa_enrol"), {"code": "12345"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"] == ["Enter the six digits the app shows."]

    done = client.post(reverse("mfa_enrol"), {"code": current_code(device), "next": "/risks/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 == len(set(codes))
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert 'href="/risks/"' in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    # The session is verified now, and the codes are not shown again.
    assert client.get(reverse("home")).status_code == 200
    assert not any(code in client.get(reverse("mfa_enrol")).content.decode() for code in codes)


def test_a_password_alone_cannot_move_the_second_factor_to_a_new_phone(mfa_on, personas, client_as):
    enrolled(personas.ciso_a)
    client = client_as(personas.ciso_a, verified=False)
    response = client.get(reverse("mfa_enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    assert client.post(reverse("mfa_enrol"), {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=personas.ciso_a).count() == 1


def test_a_recovery_code_works_once(mfa_on, personas, client_as):
    enrolled(personas.ciso_a)
    code = recovery_codes_issue(user=personas.ciso_a)[0]

    client = client_as(personas.ciso_a, verified=False)
    used = client.post(reverse("mfa_verify"), {"code": code.upper(), "next": "/"})
    assert used.status_code == 302 and used["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    assert StaticToken.objects.filter(token=code).count() == 0
    assert StaticToken.objects.filter(device__user=personas.ciso_a).count() == 9

    client = client_as(personas.ciso_a, verified=False)
    again = client.post(
        reverse("mfa_verify"), {"code": code, "next": "/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 200
    assert "The code is not valid." in again.context["form"].errors["code"][0]
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_code_is_a_field_error(mfa_on, personas, client_as):
    enrolled(personas.ciso_a)
    client = client_as(personas.ciso_a, verified=False)
    response = client.post(reverse("mfa_verify"), {"code": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get(reverse("home")).status_code == 302


def test_the_verification_page_goes_only_to_safe_places(mfa_on, personas, client_as):
    device = enrolled(personas.ciso_a)
    client = client_as(personas.ciso_a, verified=False)
    response = client.post(
        reverse("mfa_verify"), {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
