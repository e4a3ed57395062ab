"""Memberships from the identity provider's groups (``OIDC_GROUP_ROLES``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from portal.access import forget_principal
from portal.access.roles import role_fits
from portal.models import Membership, Organisation
from portal.rls import system_context

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MembershipSync:
    added: frozenset[tuple[str, str]]
    removed: frozenset[tuple[str, str]]


def grants_for_groups(groups: Iterable[str]) -> set[tuple[str, str]]:
    """The ``(organisation slug, role)`` pairs that ``groups`` give; unknown groups give none."""
    mapping = settings.OIDC_GROUP_ROLES
    return {grant for group in groups for grant in mapping.get(str(group), ())}


@transaction.atomic
def memberships_sync_from_groups(*, user: User, groups: Iterable[str]) -> MembershipSync:
    """Make the user's single sign-on memberships those that ``groups`` give.

    Memberships granted in the portal (``source=local``) are left alone, and a grant that a
    local membership already covers is not doubled. A grant naming an organisation that does
    not exist is skipped with a warning. It runs in the database's system context: the
    person is not signed in yet, and the identity provider, not they, decides (the audit
    trail records each membership's organisation).
    """
    with system_context("single sign-on: memberships from the identity provider's groups"):
        return _sync(user=user, groups=groups)


def _sync(*, user: User, groups: Iterable[str]) -> MembershipSync:
    wanted = grants_for_groups(groups)
    found = {
        organisation.slug: organisation
        for organisation in Organisation.objects.filter(slug__in={slug for slug, _role in wanted})
    }
    for slug in sorted({slug for slug, _role in wanted} - found.keys()):
        logger.warning("OIDC_GROUP_ROLES names the unknown organisation %r", slug)
    # A region's roles only in a region, the sector's only in a sector body: the rule the
    # people pages keep (``role_fits``); a mapping that breaks it grants nothing.
    fitting = set()
    for slug, role in sorted(wanted):
        if slug not in found:
            continue
        if role_fits(role, in_region=found[slug].is_region):
            fitting.add((slug, role))
        else:
            logger.warning(
                "OIDC_GROUP_ROLES gives the role %r in %r, which cannot hold it", role, slug
            )
    organisations = {slug: organisation.pk for slug, organisation in found.items()}
    wanted_ids = {(organisations[slug], role) for slug, role in fitting}

    held = {
        (membership.organisation_id, membership.role): membership
        for membership in Membership.objects.select_for_update()
        .filter(user=user)
        .select_related("organisation")
    }
    removed = set()
    for key, membership in held.items():
        if membership.source == Membership.Source.SSO and key not in wanted_ids:
            removed.add((membership.organisation.slug, membership.role))
            membership.delete()  # one by one: each deletion goes to the audit trail
    slugs = {pk: slug for slug, pk in organisations.items()}
    added = set()
    for organisation_id, role in sorted(wanted_ids - held.keys()):
        Membership.objects.create(
            user=user, organisation_id=organisation_id, role=role, source=Membership.Source.SSO
        )
        added.add((slugs[organisation_id], role))
    forget_principal(user)
    return MembershipSync(added=frozenset(added), removed=frozenset(removed))
