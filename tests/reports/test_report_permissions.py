"""The permission matrix for report runs and narrative drafts.

Both policies share the sector edition (no organisation) with every region role and the
secretariat (``sector_read_filter``) — but the sector's risk picture only with whoever reads
the picture itself (``named_reads``); a region's edition stays with its region. The three
variants run for runs, the expectations read from the policies."""

from django.urls import reverse

from reports.models import NarrativeDraft, ReportRun
from tests.factories import NarrativeDraftFactory, ReportRunFactory
from tests.permission_matrix import OrganisationOwnedMatrix


class TestReportRunPermissions(OrganisationOwnedMatrix):
    model = ReportRun
    list_url_name = "reports:run_list"
    detail_url_name = "reports:run_detail"
    api_list_url_name = "api:reportrun-list"
    api_detail_url_name = "api:reportrun-detail"
    api_methods = ("create",)
    api_create_rule = (
        "a POST requests a report: the named action reports.request "
        "(tests/reports/test_reports.py), not an add of the model's policy"
    )
    not_offered = {
        "edit": "a run is written by the report worker only",
        "delete": "a finished run is an archive record; deleting one is an admin action",
    }
    detail_has_edit_link = False
    watched_field = "status"

    def make_object(self, region):
        return ReportRunFactory(organisation=region, status=ReportRun.Status.FAILED)


class TestSectorReportRunPermissions(TestReportRunPermissions):
    """The sector edition: read by every region role and the secretariat."""

    def make_object(self, region):
        return ReportRunFactory(
            kind="tsi_portfolio", organisation=None, status=ReportRun.Status.FAILED
        )


class TestSectorRiskPictureRunPermissions(TestReportRunPermissions):
    """The sector's risk picture: TSI's alone — read by whoever reads the picture itself
    (``named_reads``: the secretariat), never by a region's people, though they read the
    sector's other editions."""

    def make_object(self, region):
        return ReportRunFactory(
            kind="sector_risk_picture",
            organisation=None,
            period="2026-Q1",
            status=ReportRun.Status.FAILED,
        )


class TestNarrativeDraftPermissions(OrganisationOwnedMatrix):
    """A region's draft is read and saved on its edition's drafts page (all sections at
    once); the page also asks for the named actions portal.read_region and reports.request."""

    model = NarrativeDraft
    edit_url_name = "reports:drafts"
    not_offered = {
        "list": "the report list links the editions the user may write (narrative_links)",
        "detail": "a draft is read on its edition's drafts page (the edit here)",
        "delete": "a section is emptied, not deleted",
        "api": "the API has no draft endpoint",
    }
    watched_field = "body"

    def make_object(self, region):
        return NarrativeDraftFactory(organisation=region, body="Gammel indledning")

    def url_for(self, action, obj):
        return (
            f"{reverse('reports:drafts')}?kind={obj.kind}"
            f"&organisation={obj.organisation.slug}&period={obj.period}"
        )

    def form_data(self, obj):
        data = {}
        for section in NarrativeDraft.Section.values:
            data[f"{section}-body"] = ""
            data[f"{section}-version"] = ""
        data[f"{obj.section}-body"] = "Ny indledning"
        data[f"{obj.section}-version"] = obj.version
        data["body"] = "Ny indledning"  # what assert_changed compares
        return data
