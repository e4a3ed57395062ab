"""People and roles: creating accounts, giving and taking memberships, deactivating an account
and resetting a lost authenticator — by sector administrators, and by a region's CISO for
their own region's risk owners and viewers (the named actions ``portal.manage_people``,
``portal.manage_account``, ``portal.grant_role`` and ``portal.revoke_membership``).

Each change is checked here, whoever calls it (a role only in an organisation of its kind), and leaves the audit trail: accounts and
memberships are audited models; a reset authenticator is an entry of its own, with its actor.
"""

import secrets

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access import can, forget_principal
from portal.access.roles import Role, role_fits
from portal.models import Membership, Organisation

#: Length in characters of the one-time initial password shown when an account is created.
INITIAL_PASSWORD_BYTES = 12

#: ``additional_data["event"]`` of the audit entry that records a reset authenticator.
AUTHENTICATOR_RESET = "authenticator_reset"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def role_mismatch(role: str, organisation: Organisation) -> str | None:
    """Why ``role`` cannot be held in ``organisation``, or None when it can: a region's
    roles (CISO, risk owner, viewer) belong to a region, the sector's roles (sector
    administrator, TSI secretariat) to a sector body."""
    if role_fits(role, in_region=organisation.is_region):
        return None
    label = dict(Role.choices).get(role, role)
    if organisation.is_region:
        return _("%(role)s is a role in a sector body, not in a region.") % {"role": label}
    return _("%(role)s is a role in a region; %(organisation)s is not a region.") % {
        "role": label,
        "organisation": organisation,
    }


def _require_fit(role: str, organisation: Organisation) -> None:
    problem = role_mismatch(role, organisation)
    if problem is not None:
        raise ValidationError({"role": problem})


@transaction.atomic
def person_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation | None = None,
    role: str = "",
    initial_password: bool = True,
) -> tuple[User, str]:
    """A new account, with its first membership when ``organisation`` and ``role`` are given
    (a region's CISO must give one: an account without a membership in their region is not
    theirs to keep). Returns the account and a one-time initial password (empty when
    ``initial_password`` is off: the person then signs in by single sign-on only). The person
    sets up their authenticator at the first sign-in."""
    if organisation is None or not role:
        _require(can(actor, "portal.manage_people", None))
    else:
        _require(can(actor, "portal.grant_role", role, organisation))
        _require_fit(role, organisation)
    user_model = get_user_model()
    if user_model._default_manager.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with this name exists already.")})
    user = user_model._default_manager.create_user(
        username=username, first_name=first_name, last_name=last_name, email=email
    )
    password = ""
    if initial_password:
        password = secrets.token_urlsafe(INITIAL_PASSWORD_BYTES)
        user.set_password(password)
        user.save(update_fields=["password"])
    if organisation is not None and role:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user, password


@transaction.atomic
def membership_grant(
    *, actor: User, person: User, organisation: Organisation, role: str
) -> Membership:
    """Give ``person`` the ``role`` in ``organisation``."""
    _require(can(actor, "portal.manage_account", person))
    _require(can(actor, "portal.grant_role", role, organisation))
    _require_fit(role, organisation)
    if Membership.objects.filter(user=person, organisation=organisation, role=role).exists():
        raise ValidationError({"role": _("The person holds this role in the organisation.")})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=person, organisation=organisation, role=role
            )
    except IntegrityError:  # granted at the same moment by someone else
        raise ValidationError(
            {"role": _("The person holds this role in the organisation.")}
        ) from None
    forget_principal(person)
    return membership


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership) -> None:
    """Take ``membership`` away. A membership kept by the single sign-on comes back at the
    next sign-in, so it is changed at the identity provider, not here."""
    _require(can(actor, "portal.manage_account", membership.user))
    _require(can(actor, "portal.revoke_membership", membership))
    if membership.source == Membership.Source.SSO:
        raise ValidationError(
            _(
                "This role comes from the single sign-on group at the identity provider; "
                "remove the person from the group there."
            )
        )
    membership.delete()
    forget_principal(membership.user)


@transaction.atomic
def person_set_active(*, actor: User, person: User, active: bool) -> None:
    """Deactivate an account (it can no longer sign in, nor use its API tokens) or
    reactivate it. Its memberships stay, for the access review and a later reactivation."""
    _require(can(actor, "portal.manage_account", person))
    if person.is_active == active:
        return
    person.is_active = active
    person.save(update_fields=["is_active"])


@transaction.atomic
def person_reset_authenticator(*, actor: User, person: User) -> int:
    """Remove the person's authenticator and recovery codes: at their next sign-in they set
    up a new one (and a session verified with the old one is no longer verified). Recorded
    in the audit trail with its actor. Returns how many devices were removed."""
    _require(can(actor, "portal.manage_account", person))
    removed, _by_model = TOTPDevice.objects.filter(user=person).delete()
    static, _by_model = StaticDevice.objects.filter(user=person).delete()
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr=str(person),
        action=LogEntry.Action.UPDATE,
        changes={"authenticator": ["registered", "removed"]},
        actor=actor,
        actor_email=actor.email or None,
        additional_data={"organisation": None, "person": person.pk, "event": AUTHENTICATOR_RESET},
    )
    return int(removed) + int(static)
