"""The permission matrix for the implementation records: the history of a region's
implementation status, which the reports of past periods read. No page or endpoint of their
own; seen with their row (every signed-in user reads the matrix) and never changed — a
change of the row writes a new record — which the permission layer must answer as the
policy does."""

from initiatives.models import ImplementationRecord
from tests.factories import ImplementationRecordFactory, InitiativeFactory, StrategyFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestImplementationRecordPermissions(OrganisationOwnedMatrix):
    model = ImplementationRecord
    not_offered = {
        "list": "the records are printed in the reports of past periods",
        "detail": "as list",
        "edit": "written by a change of the implementation row only, never changed",
        "delete": "as edit",
        "api": "the API offers the rows (regional-implementations), not their history",
    }
    watched_field = "status"

    def make_object(self, region):
        strategy = StrategyFactory(start_year=2023, end_year=2099)
        initiative = InitiativeFactory(strategy=strategy)
        return ImplementationRecordFactory(
            implementation__initiative=initiative, implementation__organisation=region
        )
