"""Single sign-on against an OpenID Connect provider that the tests run on loopback."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from portal.auth.groups import memberships_sync_from_groups
from portal.auth.oidc import forget_discovery
from portal.env import parse_group_roles
from portal.models import ExternalIdentity, Membership
from tests.factories import MembershipFactory, UserFactory
from tests.portal.auth.oidc_provider import OIDCProvider
from tests.risks.conftest import make_risk

CISO_A_GROUP = "7c1f2a9e-0b5d-4c1e-9a8f-3d2b1c0e5f6a"
VIEWER_B_GROUP = "d3e4f5a6-1b2c-4d3e-8f9a-0b1c2d3e4f5a"


@pytest.fixture
def provider(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with OIDCProvider() as provider:
        settings.OIDC_ENABLED = True
        settings.OIDC_RP_CLIENT_ID = provider.client_id
        settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
        settings.OIDC_DISCOVERY_URL = provider.discovery_url
        settings.OIDC_GROUP_ROLES = parse_group_roles(
            "OIDC_GROUP_ROLES",
            f"{CISO_A_GROUP}=region-a:ciso,{VIEWER_B_GROUP}=region-b:viewer",
            roles=("ciso", "viewer"),
        )
        settings.MFA_REQUIRED = True
        forget_discovery()
        yield provider
        forget_discovery()


def sign_in_with_sso(client, provider, *, next_url="/", **person):
    """The browser's round trip: portal -> provider's authorize -> portal's callback."""
    provider.person = {
        "sub": "entra-object-id-1",
        "preferred_username": "anne.ahm@regionh.dk",
        "email": "anne.ahm@regionh.dk",
        "given_name": "Anne",
        "family_name": "Ahm",
        "amr": ["pwd", "mfa"],
        **person,
    }
    start = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.issuer}/authorize")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(back.headers["Location"])
    assert callback.path == reverse("oidc_authentication_callback")
    return client.get(callback.path, parse_qs(callback.query))


def test_a_group_of_the_identity_provider_makes_a_ciso_of_the_region(
    provider, personas, threats, client
):
    risk_a = make_risk(personas.region_a, threats, title="Region A's sårbarhed")
    risk_b = make_risk(personas.region_b, threats, title="Region B's sårbarhed")

    response = sign_in_with_sso(client, provider, next_url="/risks/", groups=[CISO_A_GROUP])
    assert response.status_code == 302 and response["Location"] == "/risks/"

    user = get_user_model().objects.get(username="anne.ahm@regionh.dk")
    assert (user.first_name, user.last_name, user.email) == ("Anne", "Ahm", "anne.ahm@regionh.dk")
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("organisation__slug", "role", "source")) == [
        ("region-a", "ciso", "sso")
    ]
    # The provider reported multi-factor authentication: no second code asked here.
    assert client.get(risk_a.get_absolute_url()).status_code == 200
    assert client.get(risk_b.get_absolute_url()).status_code == 404
    assert client.get(reverse("api:risk-detail", kwargs={"pk": risk_a.pk})).status_code == 200
    assert f"{provider.issuer}/userinfo" in [f"{provider.issuer}{p}" for p in provider.requests]


def test_without_mfa_in_amr_a_ciso_still_gives_the_portals_second_factor(
    provider, personas, client
):
    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP], amr=["pwd"])
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_enrol"))


def test_amr_is_not_trusted_when_switched_off(provider, settings, personas, client):
    settings.OIDC_TRUST_AMR_MFA = False
    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert client.get(reverse("home")).status_code == 302


def test_a_person_whose_groups_change_loses_the_old_membership(provider, personas, client):
    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    user = get_user_model().objects.get(username="anne.ahm@regionh.dk")
    # A membership granted in the portal is not the single sign-on's to remove.
    MembershipFactory(user=user, organisation=personas.sector_body, role="secretariat")
    client.logout()

    sign_in_with_sso(client, provider, groups=[VIEWER_B_GROUP])
    assert sorted(user.memberships.values_list("organisation__slug", "role", "source")) == [
        ("region-b", "viewer", "sso"),
        ("sector-body", "secretariat", "local"),
    ]
    client.logout()

    sign_in_with_sso(client, provider, groups=[])
    assert list(user.memberships.values_list("organisation__slug", "role")) == [
        ("sector-body", "secretariat")
    ]


def test_unknown_groups_give_no_access(provider, personas, threats, client):
    make_risk(personas.region_a, threats)
    response = sign_in_with_sso(client, provider, groups=["someone-elses-group"])
    assert response.status_code == 302
    assert response["Location"] == "/login/?sso=failed"
    assert not get_user_model().objects.filter(username="anne.ahm@regionh.dk").exists()
    page = client.get(response["Location"])
    assert page.context["sso_failed"] and not page.context["user"].is_authenticated
    assert client.get(reverse("risks:risk_list")).status_code == 302


def test_an_existing_person_with_only_unknown_groups_signs_in_to_nothing(
    provider, personas, threats, client
):
    risk = make_risk(personas.region_a, threats)
    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    client.logout()
    sign_in_with_sso(client, provider, groups=["someone-elses-group"])
    assert not Membership.objects.filter(user__username="anne.ahm@regionh.dk").exists()
    assert client.get(risk.get_absolute_url()).status_code == 404


def test_an_id_token_for_another_client_is_refused(provider, personas, client):
    provider.id_token_overrides = {"aud": "another-application"}
    response = sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="anne.ahm@regionh.dk").exists()


def test_an_id_token_signed_with_another_key_is_refused(provider, personas, client):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="anne.ahm@regionh.dk").exists()


def test_with_local_passwords_off_only_single_sign_on_signs_in(
    provider, settings, personas, client
):
    settings.LOCAL_LOGIN_ENABLED = False
    settings.MFA_REQUIRED = False
    page = client.get(reverse("login"))
    content = page.content.decode()
    assert 'id="sso-login"' in content
    assert 'name="password"' not in content

    refused = client.post(
        reverse("login"), {"username": "ciso.a", "password": "correct-horse-battery"}
    )
    assert refused.status_code == 403
    assert client.get(reverse("home")).status_code == 302
    admin = client.post(
        reverse("admin:login"), {"username": "ciso.a", "password": "correct-horse-battery"}
    )
    assert admin.status_code == 200  # the form again, not signed in
    assert client.get(reverse("home")).status_code == 302

    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert client.get(reverse("home")).status_code == 200


def test_the_login_page_offers_single_sign_on_only_when_configured(settings, db, client):
    settings.OIDC_ENABLED = False
    assert 'id="sso-login"' not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404


@pytest.mark.parametrize(
    "raw", ["group-without-target", "g=region-a", "g=region-a:king", "=region-a:ciso"]
)
def test_a_malformed_group_mapping_is_refused_at_start_up(raw):
    with pytest.raises(ImproperlyConfigured, match="OIDC_GROUP_ROLES"):
        parse_group_roles("OIDC_GROUP_ROLES", raw, roles=("ciso", "viewer"))


def test_the_group_mapping_reads_several_memberships():
    assert parse_group_roles(
        "OIDC_GROUP_ROLES",
        " g1=Region-A:ciso , g1=region-b:viewer,g2=x:viewer ",
        roles=("ciso", "viewer"),
    ) == {"g1": (("region-a", "ciso"), ("region-b", "viewer")), "g2": (("x", "viewer"),)}


# Bound to the provider's subject, never to a name


def test_a_name_claim_equal_to_the_superusers_does_not_become_the_superuser(
    provider, personas, client
):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    response = sign_in_with_sso(
        client, provider, preferred_username="ADMIN", sub="attacker", groups=[CISO_A_GROUP]
    )
    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed"
    assert not client.get(reverse("login")).context["user"].is_authenticated
    assert not ExternalIdentity.objects.exists()
    assert get_user_model().objects.filter(username__iexact="admin").get() == admin


def test_a_name_claim_equal_to_a_local_users_does_not_sign_in_as_them(provider, personas, client):
    response = sign_in_with_sso(
        client, provider, preferred_username="CISO.A", sub="someone", groups=[CISO_A_GROUP]
    )
    assert response["Location"] == "/login/?sso=failed"
    assert not ExternalIdentity.objects.exists()
    assert client.get(reverse("home")).status_code == 302


def test_a_linked_account_signs_in_by_its_subject_whatever_its_name(provider, personas, client):
    ExternalIdentity.objects.create(
        user=personas.ciso_a, issuer=provider.issuer, subject="entra-object-id-1"
    )
    response = sign_in_with_sso(
        client, provider, preferred_username="renamed@regionh.dk", groups=[CISO_A_GROUP]
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("home")).wsgi_request.user == personas.ciso_a
    assert not get_user_model().objects.filter(username="renamed@regionh.dk").exists()


def test_entra_ids_tenant_and_object_id_are_the_subject(provider, personas, client):
    ExternalIdentity.objects.create(
        user=personas.ciso_a, issuer=provider.issuer, subject="tenant-1/object-1"
    )
    sign_in_with_sso(
        client, provider, sub="pairwise-sub", tid="tenant-1", oid="object-1", groups=[]
    )
    assert client.get(reverse("home")).wsgi_request.user == personas.ciso_a
    client.logout()
    # The same object id in another tenant is somebody else.
    response = sign_in_with_sso(client, provider, tid="tenant-2", oid="object-1", groups=[])
    assert response["Location"] == "/login/?sso=failed"


def test_a_first_sign_in_binds_the_new_account_to_the_subject(provider, personas, client):
    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    identity = ExternalIdentity.objects.get()
    assert (identity.user.username, identity.issuer, identity.subject) == (
        "anne.ahm@regionh.dk",
        provider.issuer,
        "entra-object-id-1",
    )


def test_the_owner_links_the_account_after_password_and_second_factor(
    provider, personas, client_as
):
    client = client_as(personas.ciso_a)
    start = client.post(reverse("sso_link"))
    assert start.status_code == 302
    assert start["Location"].startswith(reverse("oidc_authentication_init"))
    done = sign_in_with_sso(client, provider, next_url="/account/", groups=[CISO_A_GROUP])
    assert done.status_code == 302 and done["Location"] == "/account/"
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.subject, identity.linked_by) == (
        personas.ciso_a,
        "entra-object-id-1",
        personas.ciso_a,
    )
    assert not get_user_model().objects.filter(username="anne.ahm@regionh.dk").exists()

    client.logout()
    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert client.get(reverse("home")).wsgi_request.user == personas.ciso_a


def test_a_password_alone_cannot_link_single_sign_on(provider, personas, client_as):
    client = client_as(personas.ciso_a, verified=False)
    assert client.post(reverse("sso_link")).status_code in (302, 403)
    sign_in_with_sso(client, provider, next_url="/account/", groups=[CISO_A_GROUP])
    assert not ExternalIdentity.objects.filter(user=personas.ciso_a).exists()


def test_a_subject_linked_to_another_account_is_not_linked_again(provider, personas, client_as):
    ExternalIdentity.objects.create(
        user=personas.ciso_b, issuer=provider.issuer, subject="entra-object-id-1"
    )
    client = client_as(personas.ciso_a)
    client.post(reverse("sso_link"))
    response = sign_in_with_sso(client, provider, next_url="/account/", groups=[CISO_A_GROUP])
    assert response["Location"] == reverse("account")
    assert ExternalIdentity.objects.get().user == personas.ciso_b
    assert client.get(reverse("account")).wsgi_request.user == personas.ciso_a


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_staff_and_superusers_are_never_linked_or_signed_in(
    provider, personas, client_as, client, flag
):
    user = UserFactory(username="drift", **{flag: True})
    linker = client_as(user)
    assert linker.post(reverse("sso_link")).status_code == 403
    with pytest.raises(ValidationError):
        ExternalIdentity(user=user, issuer=provider.issuer, subject="x").full_clean()

    # Even when a link exists (made before the account became staff), it does not sign in.
    ExternalIdentity.objects.create(user=user, issuer=provider.issuer, subject="entra-object-id-1")
    linker.logout()
    response = sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert response["Location"] == "/login/?sso=failed"
    assert client.get(reverse("home")).status_code == 302


def test_amr_from_another_issuer_is_not_trusted(provider, settings, personas, client):
    # No issuer is configured or discovered: the ID token's issuer is not the configured one,
    # so its "mfa" says nothing and the portal asks its own second factor.
    discovery = provider.discovery()
    discovery.pop("issuer")
    provider.discovery = lambda: discovery
    forget_discovery()
    settings.OIDC_OP_ISSUER = ""
    provider.id_token_overrides = {"iss": "https://elsewhere.example"}
    sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert ExternalIdentity.objects.get().issuer == "https://elsewhere.example"
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_enrol"))


def test_an_id_token_from_another_issuer_is_refused_when_the_issuer_is_known(
    provider, personas, client
):
    provider.id_token_overrides = {"iss": "https://elsewhere.example"}
    response = sign_in_with_sso(client, provider, groups=[CISO_A_GROUP])
    assert response.status_code == 400
    assert not ExternalIdentity.objects.exists()


def test_a_group_mapping_that_breaks_the_role_rule_grants_nothing(personas, settings, caplog):
    # A region's roles belong to a region, the sector's to a sector body (as on the people
    # pages): a mapping that gives a CISO role in the sector body or the secretariat's role in
    # a region is skipped, with a warning, and the fitting grant is kept.
    settings.OIDC_GROUP_ROLES = parse_group_roles(
        "OIDC_GROUP_ROLES",
        "g1=sector-body:ciso,g2=region-a:secretariat,g3=region-b:viewer",
        roles=("ciso", "viewer", "secretariat"),
    )
    user = get_user_model().objects.create_user("sso.person")
    sync = memberships_sync_from_groups(user=user, groups=["g1", "g2", "g3"])
    assert sync.added == {("region-b", "viewer")}
    held = set(Membership.objects.filter(user=user).values_list("organisation__slug", "role"))
    assert held == {("region-b", "viewer")}
    assert "cannot hold it" in caplog.text
