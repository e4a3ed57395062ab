"""The portal's own named actions (see ``portal.access.named``)."""

from portal.access import decisions  # noqa: F401  (registers the risk decisions)
from portal.access.named import NamedAction, register
from portal.access.rules import in_some_region, member_of_region, secretariat, sector_admin

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
        description="Export the audit trail of a period: sector administrators.",
        rule=sector_admin,
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
