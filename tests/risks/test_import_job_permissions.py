"""The permission matrix for import jobs: confidential to the region, read-only."""

from risks.models import ImportJob
from tests.factories import ImportJobFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestImportJobPermissions(OrganisationOwnedMatrix):
    model = ImportJob
    detail_url_name = "risks:import_job"
    api_list_url_name = "api:importjob-list"
    api_detail_url_name = "api:importjob-detail"
    api_methods = ()
    not_offered = {
        "list": "a job is reached from the import that started it",
        "edit": "only the import worker writes a job",
        "delete": "jobs end by themselves; no page deletes one",
    }
    detail_has_edit_link = False
    watched_field = "status"

    def make_object(self, region):
        return ImportJobFactory(
            organisation=region,
            status=ImportJob.Status.FAILED,
            errors=[{"row": 2, "column": "Titel", "message": "for lang"}],
            error_count=1,
        )
