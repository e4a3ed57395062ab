"""Personal API tokens: issued on the account page after the second factor, shown once and
stored hashed, expiring, revocable, read-only or read-write, and ended with the password, the
account or its last membership. Service accounts get read-only tokens from the sector
administrator. With MFA_REQUIRED no path reads or writes without the second factor."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.auth.groups import memberships_sync_from_groups
from portal.auth.tokens import (
    api_token_create,
    service_account_create,
    service_account_issue_token,
)
from portal.models import ApiToken, Membership
from tests.factories import MembershipFactory, api_token_for
from tests.risks.conftest import make_risk

TOKEN = re.compile(r'id="api-token">(cpt_[0-9a-f]{10}_[A-Za-z0-9_-]{43})<')


def api(header: str | None) -> APIClient:
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


def organisation_url(slug: str = "region-a") -> str:
    return reverse("api:organisation-detail", kwargs={"slug": slug})


def create_on_page(client, **fields):
    data = {
        "name": "Power BI",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "scope": "write",
        **fields,
    }
    return client.post(reverse("api_token_create"), data, HTTP_ACCEPT_LANGUAGE="en")


def test_it_creates_a_token_on_the_account_page_shown_once(mfa_on, personas, client_as):
    client = client_as(personas.admin)
    response = create_on_page(client, scope="write")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = TOKEN.search(response.content.decode()).group(1)

    row = ApiToken.objects.get(user=personas.admin)
    assert (row.name, row.scope, row.second_factor) == ("Power BI", "write", True)
    assert token.startswith(f"cpt_{row.prefix}_")
    answer = api(f"Bearer {token}").patch(organisation_url(), {"name_en": "Capital"})
    assert answer.status_code == 200

    page = client.get(reverse("account")).content.decode()
    assert "Power BI" in page and f"cpt_{row.prefix}_" in page
    assert token not in page


def test_it_never_stores_the_secret_in_clear(mfa_on, personas, client_as):
    client = client_as(personas.ciso_a)
    token = TOKEN.search(create_on_page(client).content.decode()).group(1)
    secret = token.split("_", 2)[2]  # cpt_<hex prefix>_<secret>; the secret may hold "_"
    for model in apps.get_models(include_auto_created=True):
        for row in model._base_manager.values_list():
            assert secret not in repr(row), model
    for session in Session.objects.all():
        assert secret not in repr(session.get_decoded())
    row = ApiToken.objects.get(user=personas.ciso_a)
    assert len(row.key_hash) == 64 and secret not in row.key_hash


def test_it_refuses_a_token_without_the_second_factor(mfa_on, personas, client_as):
    client = client_as(personas.ciso_a, verified=False)
    # The page itself leads to verification first; the create action is refused outright.
    assert client.get(reverse("account")).status_code == 302
    assert create_on_page(client).status_code in (302, 403)
    assert not ApiToken.objects.exists()
    with pytest.raises(PermissionDenied):
        api_token_create(
            user=personas.ciso_a,
            name="x",
            scope="read",
            created_by=personas.ciso_a,
            second_factor=False,
        )


def test_it_refuses_a_token_without_the_second_factor_even_when_none_is_required(
    settings, personas, client_as
):
    settings.MFA_REQUIRED = False
    client = client_as(personas.viewer_a)
    page = client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Give the second factor before creating an API token." in page.content.decode()
    assert create_on_page(client, scope="read").status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [(366, "A token lives at most one year."), (0, "The expiry must be in the future.")],
)
def test_it_keeps_the_expiry_within_a_year(mfa_on, personas, client_as, days, message):
    client = client_as(personas.ciso_a)
    expires_on = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = create_on_page(client, expires_on=expires_on)
    assert response.status_code == 400
    assert response.context["form"].errors["expires_on"] == [message]
    assert not ApiToken.objects.exists()


def test_it_expires_in_90_days_unless_told_otherwise(personas):
    api_token_for(personas.ciso_a)
    row = ApiToken.objects.get()
    assert abs(row.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)


def test_an_expired_token_is_401(personas):
    header = api_token_for(personas.ciso_a)
    assert api(header).get(reverse("api:risk-list")).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api(header).get(reverse("api:risk-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["detail"] == "The token has expired."


def test_a_revoked_token_is_401(mfa_on, personas, client_as):
    header = api_token_for(personas.ciso_a)
    row = ApiToken.objects.get()
    client = client_as(personas.ciso_a)
    response = client.post(reverse("api_token_revoke", kwargs={"pk": row.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("account")
    row.refresh_from_db()
    assert row.ended_at is not None and row.end_reason == "revoked"
    assert api(header).get(reverse("api:risk-list")).status_code == 401
    # Its creation and its revocation are in the audit trail, by whom — never its hash.
    entries = LogEntry.objects.get_for_object(row).order_by("timestamp", "pk")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert entries[1].actor == personas.ciso_a
    assert "revoked" in str(entries[1].changes_dict.get("end_reason"))
    assert all("key_hash" not in entry.changes_dict for entry in entries)


def test_it_does_not_let_anyone_revoke_another_persons_token(mfa_on, personas, client_as):
    header = api_token_for(personas.ciso_b)
    row = ApiToken.objects.get()
    for persona in ("ciso_a", "admin"):
        client = client_as(personas.by_name(persona))
        assert client.post(reverse("api_token_revoke", kwargs={"pk": row.pk})).status_code == 404
    assert api(header).get(reverse("api:risk-list")).status_code == 200


def test_an_unknown_or_forged_token_is_401(personas):
    header = api_token_for(personas.ciso_a)
    forged = header[:-4] + ("AAAA" if not header.endswith("AAAA") else "BBBB")
    for value in (forged, "Bearer cpt_0000000000_x", "Bearer", "Bearer a b", "Token abc"):
        assert api(value).get(reverse("api:risk-list")).status_code == 401, value


def test_a_read_only_token_reads_but_never_writes(personas):
    header = api_token_for(personas.admin, scope="read")
    client = api(header)
    assert client.get(organisation_url()).status_code == 200
    assert client.options(organisation_url()).status_code == 200
    response = client.patch(organisation_url(), {"name_en": "Capital"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["detail"] == "The token is read-only."
    assert client.delete(organisation_url()).status_code == 403
    assert client.post(reverse("api:organisation-list"), {"slug": "x"}).status_code == 403
    personas.region_a.refresh_from_db()
    assert personas.region_a.name_en != "Capital"


def test_it_records_the_last_use_at_most_every_few_minutes(personas):
    header = api_token_for(personas.ciso_a)
    assert ApiToken.objects.get().last_used_at is None
    api(header).get(reverse("api:risk-list"))
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    ApiToken.objects.update(last_used_at=a_minute_ago)
    api(header).get(reverse("api:risk-list"))
    assert ApiToken.objects.get().last_used_at == a_minute_ago
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=10))
    api(header).get(reverse("api:risk-list"))
    assert ApiToken.objects.get().last_used_at > a_minute_ago


def test_a_password_change_ends_all_of_the_persons_tokens(personas):
    headers = [api_token_for(personas.ciso_a, name=f"t{n}") for n in range(2)]
    other = api_token_for(personas.ciso_b)
    user = personas.ciso_a
    user.set_password("another-horse-battery")
    user.save()
    assert set(ApiToken.objects.filter(user=user).values_list("end_reason", flat=True)) == {
        "password"
    }
    for header in headers:
        assert api(header).get(reverse("api:risk-list")).status_code == 401
    assert api(other).get(reverse("api:risk-list")).status_code == 200


def test_the_same_password_hashed_anew_keeps_the_tokens(personas):
    header = api_token_for(personas.ciso_a)
    user = personas.ciso_a
    user.set_password("correct-horse-battery")  # what Django does when a hasher strengthens
    user.save(update_fields=["password"])
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert api(header).get(reverse("api:risk-list")).status_code == 200


def test_deactivating_the_account_ends_its_tokens(personas):
    header = api_token_for(personas.ciso_a)
    personas.ciso_a.is_active = False
    personas.ciso_a.save()
    assert ApiToken.objects.get().end_reason == "deactivated"
    personas.ciso_a.is_active = True
    personas.ciso_a.save()
    assert api(header).get(reverse("api:risk-list")).status_code == 401


def test_losing_the_last_membership_ends_the_tokens(personas):
    user = personas.ciso_a
    MembershipFactory(user=user, organisation=personas.region_b, role="viewer")
    header = api_token_for(user)
    Membership.objects.get(user=user, organisation=personas.region_a).delete()
    assert api(header).get(reverse("api:risk-list")).status_code == 200
    Membership.objects.get(user=user).delete()
    assert ApiToken.objects.get().end_reason == "membership"
    MembershipFactory(user=user, organisation=personas.region_a, role="ciso")
    assert api(header).get(reverse("api:risk-list")).status_code == 401


def test_losing_the_last_single_sign_on_group_ends_the_tokens(personas, settings):
    user = personas.viewer_a
    Membership.objects.filter(user=user).update(source=Membership.Source.SSO)
    header = api_token_for(user, scope="read")
    memberships_sync_from_groups(user=user, groups=[])
    assert api(header).get(reverse("api:organisation-list")).status_code == 401


# The second factor on every path


def _refused(response) -> bool:
    return response.status_code in (302, 401, 403)


@pytest.mark.parametrize("persona", ["ciso_a", "riskowner_a", "secretariat", "admin"])
def test_without_the_second_factor_no_path_reads_or_writes(
    mfa_on, personas, threats, client_as, persona
):
    make_risk(personas.region_a, threats, title="Hemmelig sårbarhed i PACS")
    user = personas.by_name(persona)
    risks = reverse("api:risk-list")

    # No basic authentication and no password-for-token exchange exist at all.
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert classes == [
        "portal.auth.api.ApiTokenAuthentication",
        "portal.auth.api.MfaSessionAuthentication",
    ]
    basic = api("Basic " + "Y2lzby5hOmNvcnJlY3QtaG9yc2UtYmF0dGVyeQ==")
    assert basic.get(risks).status_code == 401

    # A session that gave the password only: pages lead to the code, the API refuses.
    client = client_as(user, verified=False)
    for response in (
        client.get(reverse("risks:risk_list")),
        client.get(risks),
        client.patch(organisation_url(), {"name_en": "Capital"}, content_type="application/json"),
        client.post(risks, {}, content_type="application/json"),
    ):
        assert _refused(response), response.status_code
        assert "PACS" not in response.content.decode()
    # Nor can it make itself a token.
    assert _refused(create_on_page(client))
    assert not ApiToken.objects.exists()

    # A token that did not come after the second factor is refused for reads and writes.
    header = api_token_for(user)
    ApiToken.objects.update(second_factor=False)
    assert api(header).get(risks).status_code == 401
    assert api(header).patch(organisation_url(), {"name_en": "Capital"}).status_code == 401
    personas.region_a.refresh_from_db()
    assert personas.region_a.name_en != "Capital"


# Service accounts


def test_the_sector_admin_creates_a_service_account_with_a_read_only_token(
    mfa_on, personas, threats, client_as
):
    make_risk(personas.region_a, threats, title="Region A's sårbarhed")
    make_risk(personas.region_b, threats, title="Region B's sårbarhed")
    client = client_as(personas.admin)
    created = client.post(
        reverse("service_account_list"),
        {
            "username": "powerbi.a",
            "description": "Power BI, region A",
            "organisations": [personas.region_a.pk],
        },
    )
    assert created.status_code == 302
    page = client.get(reverse("service_account_list"))
    account = page.context["accounts"][0]
    assert account.user.username == "powerbi.a"
    assert not account.user.has_usable_password()
    assert list(account.user.memberships.values_list("organisation__slug", "role")) == [
        ("region-a", "viewer")
    ]

    issued = client.post(
        reverse("service_account_token_create", kwargs={"pk": account.pk}),
        {
            "name": "Dashboard",
            "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
            "scope": "write",  # ignored: a service account's tokens are read-only
        },
    )
    token = TOKEN.search(issued.content.decode()).group(1)
    row = ApiToken.objects.get(user=account.user)
    assert (row.scope, row.created_by) == ("read", personas.admin)
    listing = api(f"Bearer {token}").get(reverse("api:risk-list")).content.decode()
    assert "Region A's sårbarhed" in listing and "Region B's sårbarhed" not in listing
    assert api(f"Bearer {token}").post(reverse("api:risk-list"), {}).status_code == 403

    revoked = client.post(reverse("api_token_revoke", kwargs={"pk": row.pk}))
    assert revoked["Location"] == reverse("service_account_list")
    assert api(f"Bearer {token}").get(reverse("api:risk-list")).status_code == 401


def test_a_service_account_never_gets_a_write_token(personas):
    account = service_account_create(
        actor=personas.admin,
        username="powerbi",
        description="BI",
        organisations=[personas.region_a],
    )
    with pytest.raises(ValidationError):
        api_token_create(
            user=account.user,
            name="x",
            scope="write",
            created_by=personas.admin,
            second_factor=True,
        )
    row, _token = service_account_issue_token(
        actor=personas.admin, account=account, name="BI", second_factor=True
    )
    assert row.scope == "read"


@pytest.mark.parametrize("persona", ["ciso_a", "secretariat", "viewer_a"])
def test_only_the_sector_admin_manages_service_accounts(mfa_on, personas, client_as, persona):
    account = service_account_create(
        actor=personas.admin,
        username="powerbi",
        description="BI",
        organisations=[personas.region_a],
    )
    client = client_as(personas.by_name(persona))
    assert client.get(reverse("service_account_list")).status_code == 403
    assert client.post(reverse("service_account_list"), {"username": "x"}).status_code == 403
    url = reverse("service_account_token_create", kwargs={"pk": account.pk})
    assert client.post(url, {"name": "x", "expires_on": "2099-01-01"}).status_code == 403
    with pytest.raises(PermissionDenied):
        service_account_create(
            actor=personas.by_name(persona), username="y", description="y", organisations=[]
        )
    assert not ApiToken.objects.exists()


def test_a_service_account_cannot_sign_in_with_a_password(personas, client):
    service_account_create(
        actor=personas.admin,
        username="powerbi",
        description="BI",
        organisations=[personas.region_a],
    )
    response = client.post(reverse("login"), {"username": "powerbi", "password": ""})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated


def test_a_command_line_token_works_only_for_accounts_without_the_second_factor_duty(
    mfa_on, personas
):
    headers = {}
    for persona in ("outsider", "viewer_a", "ciso_a"):
        out = StringIO()
        call_command("issue_api_token", personas.by_name(persona).username, stdout=out)
        headers[persona] = f"Bearer {out.getvalue().strip()}"
    assert api(headers["outsider"]).get(reverse("api:organisation-list")).status_code == 200
    assert api(headers["viewer_a"]).get(reverse("api:organisation-list")).status_code == 401
    assert api(headers["ciso_a"]).get(reverse("api:organisation-list")).status_code == 401
    assert set(ApiToken.objects.values_list("scope", "second_factor")) == {("read", False)}


def test_the_schema_names_the_token_scheme_and_no_password_endpoint(personas, client_as):
    schema = client_as(personas.viewer_a).get("/api/schema/", HTTP_ACCEPT="application/json")
    document = schema.json()
    scheme = document["components"]["securitySchemes"]["apiToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "tokenAuth" not in document["components"]["securitySchemes"]
    assert not [path for path in document["paths"] if "auth/token" in path]
    operation = document["paths"]["/api/v1/risks/"]["get"]
    assert {"apiToken": []} in operation["security"]
