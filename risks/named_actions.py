"""The risk register's named actions (see ``portal.access.named``); the risk decisions
(accepting above the threshold, assigning an owner) are ``portal.access.decisions``; the
joint assessments of shared systems are here."""

from portal.access.named import NamedAction, register
from portal.access.rules import ciso_of, direktion_of, secretariat, sector_admin

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
register(
    NamedAction(
        name="risks.make_joint",
        description="Make a risk on a shared system a joint assessment (every region sharing "
        "the system edits it; the risk's own region leads), or end one: the CISO of the "
        "risk's own region.",
        rule=sector_admin | ciso_of,
        arguments=("risk",),
    )
)
register(
    NamedAction(
        name="risks.name_joint_owners",
        description="Name the risk owners who edit a joint risk for a region sharing its "
        "system: that region's CISO (the organisation argument is the naming region).",
        rule=sector_admin | ciso_of,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name="risks.draft_acceptance_criteria",
        description="Prepare a new version of a region's risk acceptance criteria (a draft): "
        "the region's CISO.",
        rule=sector_admin | ciso_of,
        arguments=("organisation",),
    )
)
register(
    NamedAction(
        name="risks.approve_acceptance_criteria",
        description="Approve a draft of a region's risk acceptance criteria, which puts it in "
        "force: the region's direktion (ISO 27005: top management sets the criteria).",
        rule=sector_admin | direktion_of,
        arguments=("criteria",),
    )
)
