"""Reads of people and roles: the people page, the access review's export and a person's
history — each through the permission layer (``people_managed_by``)."""

from collections.abc import Iterator
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import people_holding, people_managed_by
from portal.models import Membership, Organisation


def people_list(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    organisation: Organisation | None = None,
    role: str | None = None,
    active: bool | None = None,
    search: str = "",
) -> QuerySet[User]:
    """The accounts ``user`` may manage, narrowed by the filters, with their memberships
    (and each membership's organisation) prefetched: two queries however many there are."""
    people = people_holding(people_managed_by(user), organisation=organisation, role=role)
    if active is not None:
        people = people.filter(is_active=active)
    if search:
        people = people.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    memberships = Membership.objects.select_related("organisation").order_by(
        "organisation__name_da", "role"
    )
    return people.prefetch_related(Prefetch("memberships", queryset=memberships)).order_by(
        "username"
    )


def person_name(person: User) -> str:
    return person.get_full_name() or person.get_username()


def access_review_rows(people: QuerySet[User]) -> Iterator[list[str]]:
    """The access review as rows of text, a header first: one row per membership (and one for
    an account that holds none) — who, which organisation and role, since when, how it is
    kept, the last sign-in and whether the account is active."""
    yield [
        _("User name"),
        _("Name"),
        _("E-mail"),
        _("Active"),
        _("Last sign-in"),
        _("Organisation"),
        _("Role"),
        _("Since"),
        _("Granted by"),
    ]
    for person in people:
        last = (
            timezone.localtime(person.last_login).isoformat(timespec="seconds")
            if person.last_login
            else ""
        )
        account = [
            person.get_username(),
            person_name(person),
            person.email,
            _("Yes") if person.is_active else _("No"),
            last,
        ]
        memberships = list(person.memberships.all())
        if not memberships:
            yield [*account, "", "", "", ""]
        for membership in memberships:
            yield [
                *account,
                str(membership.organisation),
                str(membership.get_role_display()),
                timezone.localtime(membership.created_at).date().isoformat(),
                str(membership.get_source_display()),
            ]


def person_entries(person: User) -> QuerySet[LogEntry]:
    """The audit entries about ``person``: their account's changes (and a reset
    authenticator), and the memberships given and taken away."""
    entries: QuerySet[LogEntry] = LogEntry.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(get_user_model()), object_id=person.pk)
        | Q(
            content_type=ContentType.objects.get_for_model(Membership),
            additional_data__person=person.pk,
        )
    ).exclude(action=LogEntry.Action.ACCESS)
    return entries


def person_history(person: User, reader: AbstractBaseUser | AnonymousUser | None) -> list[Any]:
    """``person``'s history for the people page, newest first: the account's and the
    memberships' changes as sentences, and each reset of the authenticator."""
    from portal.audit import FieldChange, HistoryEntry, history_entries
    from portal.people.services import AUTHENTICATOR_RESET

    entries = person_entries(person)
    resets = list(
        entries.filter(additional_data__event=AUTHENTICATOR_RESET).select_related("actor")
    )
    rows = history_entries(entries.exclude(pk__in=[entry.pk for entry in resets]), reader=reader)
    rows += [
        HistoryEntry(
            timestamp=timezone.localtime(entry.timestamp).replace(microsecond=0),
            actor=entry.actor.get_username() if entry.actor else None,
            action=entry.action,
            action_label=_("Authenticator reset"),
            changes=[
                FieldChange(
                    field=_("Authenticator"),
                    old=_("Set up"),
                    new=_("Removed: a new one is set up at the next sign-in"),
                )
            ],
            subject=str(entry.object_repr),
            person=entry.actor,
        )
        for entry in resets
    ]
    return sorted(rows, key=lambda row: row.timestamp, reverse=True)
