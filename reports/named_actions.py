"""The reports' named actions (see ``portal.access.named``)."""

from portal.access.named import NamedAction, named_action, register
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
from reports.models.run import TSI_ONLY_KINDS, TSI_ONLY_READERS

#: Whoever reads the sector's risk picture (the named action ``TSI_ONLY_READERS``, asked
#: without arguments, when the rule is asked): the TSI secretariat and the sector
#: administrators. The kinds for TSI alone are requested and read by them, and by nobody else.
reads_sector_picture = Rule(
    test=lambda p, *args: named_action(TSI_ONLY_READERS).rule(p),
    scope=lambda p: named_action(TSI_ONLY_READERS).rule.scope(p),
)

#: Who may request an edition of ``kind`` for ``organisation`` (None: the sector's): a
#: kind for TSI alone only as the sector's edition, by whoever reads the sector's risk
#: picture; any other kind as before.
REQUEST = (
    when(lambda kind, organisation: kind in TSI_ONLY_KINDS)
    & about_no_organisation
    & reads_sector_picture
) | (
    when(lambda kind, organisation: kind not in TSI_ONLY_KINDS)
    & (
        sector_admin
        | ciso_of
        | (
            about_no_organisation
            & when(lambda kind, organisation: kind != ReportKind.CISO_QUARTERLY)
            & secretariat
        )
    )
)

register(
    NamedAction(
        name="reports.request",
        description="Request a report edition (and write its narrative): a region's edition "
        "its CISO; a sector edition other than the CISO's quarterly report the TSI "
        "secretariat; the sector's risk picture (the sector's edition only) whoever reads "
        "the picture itself (risks.view_sector_picture).",
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
#: regions' people a sector edition, and a kind for TSI alone whoever reads the sector's risk
#: picture (the run's access policy).
_reads_its_edition = member_of_region | (
    about_no_organisation
    & (
        (when(lambda run: run.kind not in TSI_ONLY_KINDS) & (secretariat | in_some_region))
        | (when(lambda run: run.kind in TSI_ONLY_KINDS) & reads_sector_picture)
    )
)

register(
    NamedAction(
        name="reports.retry",
        description="Try a failed run again (its PDF or its final PDF): whoever may request "
        "the edition, or who requested the run while they still read it (a region's people "
        "their region's; the secretariat and the regions' people a sector edition; the "
        "readers of the sector's risk picture its runs).",
        rule=_may_request_its_edition | (_requested_it & _reads_its_edition),
        arguments=("run",),
    )
)
