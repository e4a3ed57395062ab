"""The risk register's named actions (see ``portal.access.named``); the risk decisions
(accepting above the threshold, assigning an owner) are ``portal.access.decisions``."""

from portal.access.named import NamedAction, register
from portal.access.rules import secretariat, sector_admin

register(
    NamedAction(
        name="risks.view_sector_picture",
        description="Read the sector's risk picture — every region's counts from the "
        "quarterly snapshots, no risk, asset or person — on its page, in the API and as a "
        "spreadsheet: the TSI secretariat and the sector administrators; never a region's "
        "people (their registers are confidential, the picture is TSI's).",
        rule=sector_admin | secretariat,
    )
)
