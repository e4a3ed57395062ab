"""The incident register's named actions (see ``portal.access.named``)."""

from portal.access.named import NamedAction, register
from portal.access.rules import ciso_of, secretariat, sector_admin

register(
    NamedAction(
        name="incidents.answer_for_clocks",
        description="Answer for the reporting clocks of a region's incidents — they wait in "
        "the person's tasks, as they wait for the incident's owner: the region's CISO.",
        rule=ciso_of,
        arguments=("organisation",),
    )
)

register(
    NamedAction(
        name="incidents.view_sector",
        description="Read the sector's view of incidents — the sector incidents with the "
        "regions they affect and each region's incident status, and every region's counts "
        "per category and severity, breaches notified and clocks met, from the incidents' "
        "facts; no incident's text, person or system: the TSI secretariat (and so the sector "
        "CERT, a sector body whose staff hold that role) and the sector administrators.",
        rule=sector_admin | secretariat,
    )
)
