"""The reports' named actions (see ``portal.access.named``)."""

from portal.access.named import NamedAction, register
from portal.access.rules import about_no_organisation, ciso_of, secretariat, sector_admin, when
from reports.models import ReportKind

register(
    NamedAction(
        name="reports.request",
        description="Request a report edition (and write its narrative): a region's edition "
        "its CISO; a sector edition other than the CISO's quarterly report the TSI "
        "secretariat.",
        rule=sector_admin
        | ciso_of
        | (
            about_no_organisation
            & when(lambda kind, organisation: kind != ReportKind.CISO_QUARTERLY)
            & secretariat
        ),
        arguments=("kind", "organisation"),
    )
)

register(
    NamedAction(
        name="reports.approve",
        description="Approve a generated report as final: a region's edition its CISO, a "
        "sector edition the TSI secretariat (the steering group's decision).",
        rule=ciso_of | (about_no_organisation & secretariat),
        arguments=("run",),
    )
)
