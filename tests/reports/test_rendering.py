"""What a report shows for its period: a past year's appendix reports that year's status."""

from datetime import date

import pytest
from django.core.management import call_command

from initiatives.models import Initiative, StatusUpdate
from reports.models import ReportRun
from reports.rendering import period_end, render_html, report_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def initiative(personas):
    call_command("load_reference", verbosity=0)
    return Initiative.objects.get(number="2.7")


def record(initiative, author, period, rag, progress):
    from portal.periods import Period

    return StatusUpdate.objects.create(
        initiative=initiative,
        author=author,
        period=period,
        period_start=Period.parse(period).start,
        status="in_progress",
        rag=rag,
        progress=progress,
    )


def test_it_ends_a_year_on_31_december_and_a_quarter_on_its_last_day():
    assert period_end(ReportRun(period="2024")) == date(2024, 12, 31)
    assert period_end(ReportRun(period="2025-Q1")) == date(2025, 3, 31)


def test_it_shows_a_past_years_status_not_a_later_one(initiative, personas):
    author = personas.secretariat
    record(initiative, author, "2024-H1", "red", 20)
    record(initiative, author, "2024-H2", "amber", 45)
    record(initiative, author, "2025-H1", "green", 80)
    past = ReportRun(kind="council_appendix", period="2024", requested_by=author)
    latest = ReportRun(kind="council_appendix", period="2025", requested_by=author)

    row = next(i for i in report_context(past)["initiatives"] if i.number == "2.7")
    assert (row.current_rag, row.current_progress, row.current_period) == ("amber", 45, "2024-H2")
    row = next(i for i in report_context(latest)["initiatives"] if i.number == "2.7")
    assert (row.current_rag, row.current_progress, row.current_period) == ("green", 80, "2025-H1")


def test_it_names_the_date_the_status_is_reported_as_of(initiative, personas):
    run = ReportRun(kind="council_appendix", period="2024", requested_by=personas.secretariat)
    assert "31. december 2024" in render_html(run)
