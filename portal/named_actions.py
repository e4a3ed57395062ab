"""The portal's own named actions (see ``portal.access.named``)."""

from portal.access import decisions  # noqa: F401  (registers the risk decisions)
from portal.access.named import NamedAction, register
from portal.access.rules import (
    DELEGATED_ROLES,
    about_oneself,
    about_service_account,
    ciso_of,
    in_some_region,
    keeps_account,
    member_of_region,
    reader_of,
    role_is,
    secretariat,
    sector_admin,
    works_in_region,
)

register(
    NamedAction(
        name="portal.operate",
        description="Open the operations dashboard and the administration: sector administrators.",
        rule=sector_admin,
    )
)
register(
    NamedAction(
        name="portal.export_audit",
        description="Read and export the audit trail of a period: the whole trail (no "
        "organisation) sector administrators; one organisation's trail — the changes of its "
        "data and the reads of its material — also its readers (the viewer role, e.g. "
        "internal audit).",
        rule=sector_admin | reader_of,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name="portal.manage_service_accounts",
        description="Create service accounts, issue and revoke their tokens: sector "
        "administrators.",
        rule=sector_admin,
    )
)
register(
    NamedAction(
        name="portal.start_on_sector_dashboard",
        description="Land on the TSI dashboard (the home page is the TSI dashboard): the "
        "TSI secretariat, unless a sector administrator.",
        rule=secretariat & ~sector_admin,
    )
)
register(
    NamedAction(
        name="portal.start_on_region_dashboard",
        description="Land on a region's dashboard even when sitting in a working group: a "
        "region's CISO or risk owner (a working-group member who only reads a region lands "
        "on their tasks).",
        rule=works_in_region,
    )
)
register(
    NamedAction(
        name="portal.read_region",
        description="Read a region's own pages (its dashboard, maturity, report editions) "
        "as one of its people: the region's CISO, risk owners and viewers; sector "
        "administrators.",
        rule=sector_admin | member_of_region,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name="portal.belong_to_region",
        description="Be one of a region's people (its CISO, a risk owner, a viewer): the "
        "pages about one region open on the user's own (sector administrators included "
        "only when they hold such a role).",
        rule=member_of_region,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name="portal.read_registers",
        description="Open the risk and asset registers: anyone with a role in a region; "
        "sector administrators.",
        rule=sector_admin | in_some_region,
    )
)
register(
    NamedAction(
        name="portal.manage_people",
        description="Open the people page, create accounts and give and take roles in an "
        "organisation: sector administrators in every organisation, a region's CISO in "
        "their own region (the accounts and roles ``portal.manage_account`` and "
        "``portal.grant_role`` allow).",
        rule=sector_admin | ciso_of,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name="portal.manage_account",
        description="Deactivate, reactivate or reset the authenticator of a person's account, "
        "and give it roles: sector administrators for every account but a service account; "
        "a region's CISO for an account whose every membership is a risk owner's or a "
        "viewer's in their own region; never one's own account.",
        rule=((sector_admin & ~about_service_account) | keeps_account) & ~about_oneself,
        arguments=("user",),
    )
)
register(
    NamedAction(
        name="portal.grant_role",
        description="Give a role in an organisation: sector administrators every role "
        "anywhere; a region's CISO the risk owner's and the viewer's role in their own "
        "region.",
        rule=sector_admin | (ciso_of & role_is(*DELEGATED_ROLES)),
        arguments=("role", "organisation"),
    )
)
register(
    NamedAction(
        name="portal.revoke_membership",
        description="Take a membership away: sector administrators any but their own; a "
        "region's CISO a risk owner's or a viewer's in their own region, not their own.",
        rule=(sector_admin | (ciso_of & role_is(*DELEGATED_ROLES))) & ~about_oneself,
        arguments=("membership",),
    )
)
