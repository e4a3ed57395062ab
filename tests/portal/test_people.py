"""People and roles (issue 14, item 11): sector administrators manage every account, a region's
CISO their own region's risk owners and viewers; nobody else reaches the page; every change
is audited and the access review's export is a recorded read."""

import csv
import io
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access import can
from portal.access.roles import Role
from portal.models import AuditRead, Membership, ReadKind
from portal.people import services
from tests.factories import MembershipFactory, RiskFactory, UserFactory

pytestmark = pytest.mark.django_db


def _detail(person: User) -> str:
    return reverse("person_detail", kwargs={"pk": person.pk})


def _csv(response) -> list[list[str]]:
    """The rows below the header (user name, name, e-mail, active, last sign-in,
    organisation, role, since, granted by)."""
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))[1:]


def test_it_lets_the_sector_admin_grant_a_role_that_opens_the_region(personas, client_as):
    region_page = reverse("dashboard_region", kwargs={"slug": personas.region_a.slug})
    risk = RiskFactory(organisation=personas.region_a, title="Region A ransomware risk")
    risk_page = reverse("risks:risk_detail", kwargs={"pk": risk.pk})
    assert client_as(personas.outsider).get(region_page).status_code in (403, 404)
    assert client_as(personas.outsider).get(risk_page).status_code in (403, 404)

    response = client_as(personas.admin).post(
        _detail(personas.outsider),
        {"organisation": personas.region_a.pk, "role": Role.VIEWER},
    )

    assert response.status_code == 302
    assert Membership.objects.filter(
        user=personas.outsider, organisation=personas.region_a, role=Role.VIEWER
    ).exists()
    assert client_as(personas.outsider).get(region_page).status_code == 200
    assert client_as(personas.outsider).get(risk_page).status_code == 200
    register = client_as(personas.outsider).get(reverse("risks:risk_list"))
    assert risk.title in register.content.decode()


def test_a_ciso_gives_a_viewer_role_in_their_own_region(personas, client_as):
    response = client_as(personas.ciso_a).post(
        _detail(personas.riskowner_a),
        {"organisation": personas.region_a.pk, "role": Role.VIEWER},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=personas.riskowner_a, organisation=personas.region_a, role=Role.VIEWER
    ).exists()


def test_a_ciso_cannot_give_the_ciso_role(personas, client_as):
    client = client_as(personas.ciso_a)
    form = client.get(_detail(personas.riskowner_a))
    assert f'value="{Role.CISO}"' not in form.content.decode()
    assert f'value="{Role.SECRETARIAT}"' not in form.content.decode()

    response = client.post(
        _detail(personas.riskowner_a), {"organisation": personas.region_a.pk, "role": Role.CISO}
    )

    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not Membership.objects.filter(user=personas.riskowner_a, role=Role.CISO).exists()
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=personas.ciso_a,
            person=personas.riskowner_a,
            organisation=personas.region_a,
            role=Role.CISO,
        )


def test_a_ciso_cannot_give_a_role_in_another_region(personas, client_as):
    response = client_as(personas.ciso_a).post(
        _detail(personas.riskowner_a), {"organisation": personas.region_b.pk, "role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not Membership.objects.filter(
        user=personas.riskowner_a, organisation=personas.region_b
    ).exists()


def test_a_ciso_cannot_reach_a_person_of_another_region(personas, client_as):
    client = client_as(personas.ciso_a)
    person = personas.riskowner_b
    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)

    assert client.get(_detail(person)).status_code == 404
    assert client.post(_detail(person), {"organisation": personas.region_a.pk}).status_code == 404
    assert (
        client.post(reverse("person_active", kwargs={"pk": person.pk}), {"active": "0"})
    ).status_code == 404
    assert (
        client.post(reverse("person_authenticator_reset", kwargs={"pk": person.pk}))
    ).status_code == 404
    person.refresh_from_db()
    assert person.is_active
    assert TOTPDevice.objects.filter(user=person).exists()
    assert person.username not in client.get(reverse("people")).content.decode()


def test_a_ciso_cannot_deactivate_an_account_that_also_holds_a_role_elsewhere(personas, client_as):
    person = personas.riskowner_a
    client = client_as(personas.ciso_a)
    assert client.get(_detail(person)).status_code == 200

    MembershipFactory(user=person, organisation=personas.region_b, role=Role.VIEWER)
    response = client.post(reverse("person_active", kwargs={"pk": person.pk}), {"active": "0"})

    assert response.status_code == 404
    person.refresh_from_db()
    assert person.is_active
    assert not can(personas.ciso_a, "portal.manage_account", person)
    with pytest.raises(PermissionDenied):
        services.person_set_active(actor=personas.ciso_a, person=person, active=False)


def test_a_ciso_manages_neither_themselves_nor_another_ciso(personas, client_as):
    other_ciso = UserFactory(username="ciso.a2")
    MembershipFactory(user=other_ciso, organisation=personas.region_a, role=Role.CISO)
    client = client_as(personas.ciso_a)
    assert client.get(_detail(personas.ciso_a)).status_code == 404
    assert client.get(_detail(other_ciso)).status_code == 404
    assert client.get(_detail(personas.viewer_a)).status_code == 200
    listed = client.get(reverse("people")).content.decode()
    assert personas.viewer_a.username in listed
    assert other_ciso.username not in listed


@pytest.mark.parametrize("persona", ["riskowner_a", "viewer_a", "secretariat", "outsider"])
def test_it_refuses_the_page_to_whoever_manages_nobody(personas, client_as, persona):
    client = client_as(personas.by_name(persona))
    assert client.get(reverse("people")).status_code == 403
    assert client.get(reverse("person_add")).status_code == 403
    assert client.get(_detail(personas.viewer_a)).status_code == 403
    assert reverse("people") not in client.get(reverse("account")).content.decode()


def test_it_links_the_page_for_those_who_manage_people(personas, client_as):
    for persona in ("admin", "ciso_a"):
        page = client_as(personas.by_name(persona)).get(reverse("account")).content.decode()
        assert f'href="{reverse("people")}"' in page


def test_it_filters_by_organisation_and_role(personas, client_as):
    client = client_as(personas.admin)
    response = client.get(
        reverse("people"), {"organisation": personas.region_b.pk, "role": Role.RISK_OWNER}
    )
    shown = {person.username for person in response.context["object_list"]}
    assert shown == {"riskowner.b"}
    response = client.get(reverse("people"), {"role": "nonsense"})
    assert response.status_code == 400


def test_the_export_lists_who_holds_which_role_and_is_a_recorded_read(personas, client_as):
    signed_in = timezone.now() - timedelta(days=3)
    User.objects.filter(pk=personas.viewer_a.pk).update(last_login=signed_in)

    response = client_as(personas.ciso_a).get(reverse("people"), {"export": "csv"})

    assert response.status_code == 200
    rows = _csv(response)
    held = {(row[0], row[5], row[6]) for row in rows}
    assert held == {
        ("riskowner.a", "Region A", str(Role.RISK_OWNER.label)),
        ("viewer.a", "Region A", str(Role.VIEWER.label)),
    }
    viewer = next(row for row in rows if row[0] == "viewer.a")
    assert viewer[4].startswith(timezone.localtime(signed_in).date().isoformat())
    read = AuditRead.objects.get(additional_data__kind=ReadKind.ACCESS_REVIEW)
    assert read.actor == personas.ciso_a
    assert read.additional_data["organisation"] == personas.region_a.pk


def test_every_change_is_audited_with_its_actor(personas, client_as):
    person = personas.viewer_a
    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    StaticDevice.objects.create(user=person, name="recovery codes", confirmed=True)
    client = client_as(personas.ciso_a)

    client.post(_detail(person), {"organisation": personas.region_a.pk, "role": Role.RISK_OWNER})
    client.post(
        reverse("person_active", kwargs={"pk": person.pk}), {"active": "0", "confirm": "on"}
    )
    client.post(reverse("person_authenticator_reset", kwargs={"pk": person.pk}))

    person.refresh_from_db()
    assert not person.is_active
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    user_type = ContentType.objects.get_for_model(User)
    account = LogEntry.objects.filter(content_type=user_type, object_id=person.pk)
    (deactivated,) = [
        entry
        for entry in account.filter(action=LogEntry.Action.UPDATE)
        if "is_active" in entry.changes_dict
    ]
    assert deactivated.actor == personas.ciso_a
    assert deactivated.changes_dict["is_active"] == ["True", "False"]
    reset = account.get(additional_data__event=services.AUTHENTICATOR_RESET)
    assert reset.actor == personas.ciso_a
    (granted,) = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Membership),
        action=LogEntry.Action.CREATE,
        additional_data__person=person.pk,
        actor=personas.ciso_a,
    )
    assert granted.changes_dict["role"] == ["None", Role.RISK_OWNER]
    assert granted.additional_data["organisation"] == personas.region_a.pk

    history = client_as(personas.admin).get(_detail(person)).context["history_entries"]
    by_ciso = [entry for entry in history if entry.actor == personas.ciso_a.username]
    assert len(by_ciso) == 3, history


def test_a_role_is_taken_away_and_the_person_leaves_the_ciso_list(personas, client_as):
    person = personas.viewer_a
    membership = Membership.objects.get(user=person)
    client = client_as(personas.ciso_a)

    response = client.post(
        reverse("person_role_remove", kwargs={"pk": person.pk}), {"membership": membership.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("people")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client.get(_detail(person)).status_code == 404


def test_a_ciso_cannot_take_away_a_membership_of_another_region_through_a_person_of_theirs(
    personas, client_as
):
    other = Membership.objects.get(user=personas.viewer_b)
    response = client_as(personas.ciso_a).post(
        reverse("person_role_remove", kwargs={"pk": personas.viewer_a.pk}),
        {"membership": other.pk},
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_the_sector_admin_creates_an_account(personas, client_as):
    response = client_as(personas.admin).post(
        reverse("person_add"),
        {
            "username": "ny.person",
            "first_name": "Ny",
            "last_name": "Person",
            "email": "ny@example.org",
            "organisation": personas.region_a.pk,
            "role": Role.CISO,
        },
    )
    assert response.status_code == 200
    person = User.objects.get(username="ny.person")
    assert person.check_password(response.context["password"])
    assert Membership.objects.filter(user=person, role=Role.CISO).exists()
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id=person.pk,
        action=LogEntry.Action.CREATE,
        actor=personas.admin,
    ).exists()


def test_bad_input_is_refused_field_by_field(personas, client_as):
    client = client_as(personas.ciso_a)
    response = client.post(
        reverse("person_add"),
        {
            "username": "RISKOWNER.B",
            "first_name": "X",
            "last_name": "Y",
            "email": "not an address",
            "organisation": personas.region_a.pk,
            "role": Role.VIEWER,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "email" in errors
    response = client.post(
        reverse("person_add"),
        {
            "username": "RISKOWNER.B",
            "first_name": "X",
            "last_name": "Y",
            "email": "x@example.org",
            "organisation": personas.region_a.pk,
            "role": Role.VIEWER,
        },
    )
    assert response.status_code == 400
    assert "username" in response.context["form"].errors
    response = client.post(
        reverse("person_add"),
        {"username": "ny", "first_name": "X", "last_name": "Y", "email": "x@example.org"},
    )
    assert response.status_code == 400
    assert {"organisation", "role"} <= set(response.context["form"].errors)
    response = client.post(
        _detail(personas.viewer_a), {"organisation": personas.region_a.pk, "role": Role.VIEWER}
    )
    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="ny").exists()


def test_a_ciso_creates_a_viewer_of_their_region(personas, client_as):
    response = client_as(personas.ciso_a).post(
        reverse("person_add"),
        {
            "username": "revisor.a",
            "first_name": "Intern",
            "last_name": "Revision",
            "email": "revision@example.org",
            "organisation": personas.region_a.pk,
            "role": Role.VIEWER,
        },
    )
    assert response.status_code == 200
    person = User.objects.get(username="revisor.a")
    assert can(personas.ciso_a, "portal.manage_account", person)


def test_the_list_reads_a_bounded_number_of_queries(
    personas, client_as, django_assert_max_num_queries
):
    for number in range(15):
        MembershipFactory(
            user=UserFactory(username=f"extra.{number}"),
            organisation=personas.region_a,
            role=Role.VIEWER,
        )
    client = client_as(personas.ciso_a)
    client.get(reverse("people"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people"))
    assert len(response.context["object_list"]) == 17


def _is_active_changes(person: User) -> list[LogEntry]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id=person.pk,
        action=LogEntry.Action.UPDATE,
    )
    return [entry for entry in entries if "is_active" in entry.changes_dict]


def test_deactivation_is_confirmed_first(personas, client_as):
    person = personas.viewer_a
    client = client_as(personas.ciso_a)
    url = reverse("person_active", kwargs={"pk": person.pk})
    page = client.get(_detail(person)).content.decode()
    assert 'name="confirm"' in page  # the box is on the person's page: no JavaScript needed

    response = client.post(url, {"active": "0"})

    assert response.status_code == 400
    assert "confirm" in response.context["active_form"].errors
    assert 'id="id_confirm"' in response.content.decode()
    person.refresh_from_db()
    assert person.is_active
    assert _is_active_changes(person) == []
    assert client.get(url).status_code == 405

    response = client.post(url, {"active": "0", "confirm": "on"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    (deactivated,) = _is_active_changes(person)
    assert deactivated.actor == personas.ciso_a
    page = client.get(_detail(person)).content.decode()
    assert 'name="confirm"' not in page  # reactivation needs no confirmation

    response = client.post(url, {"active": "1"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active
    assert len(_is_active_changes(person)) == 2


@pytest.mark.parametrize(
    ("organisation", "role"),
    [
        ("sector_body", Role.CISO),
        ("sector_body", Role.RISK_OWNER),
        ("sector_body", Role.VIEWER),
        ("region_a", Role.SECRETARIAT),
        ("region_a", Role.SECTOR_ADMIN),
    ],
)
def test_a_role_is_given_only_in_an_organisation_of_its_kind(
    personas, client_as, organisation, role
):
    organisation = getattr(personas, organisation)
    person = personas.outsider
    client = client_as(personas.admin)

    response = client.post(_detail(person), {"organisation": organisation.pk, "role": role})

    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    response = client.post(
        reverse("person_add"),
        {
            "username": "ny.person",
            "first_name": "Ny",
            "last_name": "Person",
            "email": "ny@example.org",
            "organisation": organisation.pk,
            "role": role,
        },
    )
    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="ny.person").exists()
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        services.membership_grant(
            actor=personas.admin, person=person, organisation=organisation, role=role
        )
    assert "role" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        services.person_create(
            actor=personas.admin,
            username="ny.person",
            first_name="Ny",
            last_name="Person",
            email="ny@example.org",
            organisation=organisation,
            role=role,
        )
    assert "role" in refused.value.error_dict
    assert not Membership.objects.filter(user=person).exists()
    assert not User.objects.filter(username="ny.person").exists()


def test_a_role_of_its_kind_is_given(personas, client_as):
    client = client_as(personas.admin)
    for organisation, role in (
        (personas.sector_body, Role.SECRETARIAT),
        (personas.region_a, Role.CISO),
    ):
        response = client.post(
            _detail(personas.outsider), {"organisation": organisation.pk, "role": role}
        )
        assert response.status_code == 302
    assert set(
        Membership.objects.filter(user=personas.outsider).values_list("organisation", "role")
    ) == {(personas.sector_body.pk, Role.SECRETARIAT), (personas.region_a.pk, Role.CISO)}
