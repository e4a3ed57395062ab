"""The reports' named actions (see ``portal.access.named``)."""

from portal.access.named import NamedAction, register
from portal.access.rules import (
    Rule,
    about_no_organisation,
    ciso_of,
    in_some_region,
    member_of_region,
    secretariat,
    sector_admin,
    when,
)
from reports.models import ReportKind

#: Who may request an edition of ``kind`` for ``organisation`` (None: the sector's).
REQUEST = (
    sector_admin
    | ciso_of
    | (
        about_no_organisation
        & when(lambda kind, organisation: kind != ReportKind.CISO_QUARTERLY)
        & secretariat
    )
)

register(
    NamedAction(
        name="reports.request",
        description="Request a report edition (and write its narrative): a region's edition "
        "its CISO; a sector edition other than the CISO's quarterly report the TSI "
        "secretariat.",
        rule=REQUEST,
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

#: The run's edition may be requested by the user (``REQUEST`` asked about the run's kind
#: and organisation).
_may_request_its_edition = Rule(
    test=lambda p, run: REQUEST(p, run.kind, run.organisation_id),
    scope=REQUEST.scope,
)
#: The user asked for the run (a scheduled run has no requester).
_requested_it = Rule(
    test=lambda p, run: run.requested_by_id is not None and run.requested_by_id == p.user.pk,
    scope=member_of_region.scope,
)
#: The user still reads the run's edition: a region's people theirs, the secretariat and the
#: regions' people a sector edition (the run's access policy).
_reads_its_edition = member_of_region | (about_no_organisation & (secretariat | in_some_region))

register(
    NamedAction(
        name="reports.retry",
        description="Try a failed run again (its PDF or its final PDF): whoever may request "
        "the edition, or who requested the run while they still read it (a region's people "
        "their region's; the secretariat and the regions' people a sector edition).",
        rule=_may_request_its_edition | (_requested_it & _reads_its_edition),
        arguments=("run",),
    )
)
