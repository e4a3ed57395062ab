"""A report of a past period shows each region's implementation of each initiative and each
group's topics as they stood at the period's end, not as they are today: every change of
them is recorded (``ImplementationRecord``, ``WorkingGroupTopics``) and the reports read the
latest record on or before the period's end (``implementations_at``, ``with_topics_at``). A
report of the current period reads the rows themselves."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from initiatives.models import (
    ImplementationRecord,
    Initiative,
    RegionalImplementation,
    WorkingGroup,
    WorkingGroupTopics,
)
from initiatives.selectors import implementations_at, with_topics_at
from initiatives.services import implementations_ensure
from portal.models import Organisation
from portal.periods import Period
from reports.models import ReportRun
from reports.rendering import render_html, report_context
from tests.factories import WorkingGroupFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()
#: A year whose appendix is past, and the current one (its figures are live).
PAST, CURRENT = str(TODAY.year - 1), str(TODAY.year)
#: A day inside the past year, when the earlier state was recorded.
BACK_THEN = date(TODAY.year - 1, 5, 1)


@pytest.fixture
def reference(personas):
    call_command("load_reference", verbosity=0)
    return Initiative.objects.get(number="2.7", strategy__slug="2023-2025")


def moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def recorded_on(day: date, records) -> None:
    assert records.update(recorded_at=moment(day))


def run(kind: str, period: str, organisation=None) -> ReportRun:
    return ReportRun(
        kind=kind,
        organisation=organisation,
        period=period,
        classification="public",
        parameters={"strategy": "2023-2025"},
    )


def appendix(period: str, organisation=None) -> ReportRun:
    return run("council_appendix", period, organisation)


def english_html(report: ReportRun) -> str:
    with translation.override("en"):
        return render_html(report)


def strategy_row(html: str, number: str) -> str:
    table = html[html.index('class="strategy-table') :]
    start = table.index(f"<td>{number}</td>")
    return table[start : table.index("</tr>", start)]


def matrix_cells(context, initiative) -> dict[str, str | None]:
    cells = next(cells for row, cells in context["matrix_rows"] if row == initiative)
    regions = [region.slug for region in context["matrix_regions"]]
    return {slug: status for slug, (status, _label) in zip(regions, cells, strict=True)}


# -- the region × initiative implementation status ------------------------------------


def test_a_status_changed_after_a_periods_end_shows_as_it_was_in_that_periods_appendix(
    reference, personas, client_as, api_as
):
    row = RegionalImplementation.objects.get(initiative=reference, organisation=personas.region_a)
    # Last year the region's CISO recorded a pilot (through the matrix's form) …
    response = client_as(personas.ciso_a).post(
        reverse("initiatives:implementation_edit", kwargs={"pk": row.pk}),
        {"status": "planned", "note": "Pilot på to hospitaler.", "version": row.version},
    )
    assert response.status_code == 302, response.content
    recorded_on(BACK_THEN, ImplementationRecord.objects.filter(implementation=row))
    # … and this year, after the end of last year's period, the rollout (through the API).
    response = api_as(personas.ciso_a).patch(
        reverse("api:regionalimplementation-detail", kwargs={"pk": row.pk}),
        {"status": "implemented", "note": "Udrullet på alle hospitaler."},
        format="json",
        HTTP_IF_MATCH=f'"{row.version + 1}"',
    )
    assert response.status_code == 200, response.content
    assert list(
        ImplementationRecord.objects.filter(implementation=row)
        .order_by("recorded_at", "pk")
        .values_list("status", flat=True)
    ) == ["not_started", "planned", "implemented"]

    past = {
        r.initiative.number: r
        for r in report_context(appendix(PAST, personas.region_a))["initiative_statuses"]
    }
    assert past["2.7"].implementation == ("planned", "Planlagt")
    assert past["2.7"].implementation_note == "Pilot på to hospitaler."
    current = {
        r.initiative.number: r
        for r in report_context(appendix(CURRENT, personas.region_a))["initiative_statuses"]
    }
    assert current["2.7"].implementation[0] == "implemented"
    assert current["2.7"].implementation_note == "Udrullet på alle hospitaler."

    past_html = english_html(appendix(PAST, personas.region_a))
    assert 'implementation--planned">Planned<' in strategy_row(past_html, "2.7")
    assert "Pilot på to hospitaler." in past_html and "Udrullet på alle" not in past_html
    # Region A's other rows were made by loading the reference data today: nothing was
    # known of them last year, and the appendix says so rather than print today's status.
    assert 'implementation--none">Not recorded by then<' in strategy_row(past_html, "1.1")
    current_html = english_html(appendix(CURRENT, personas.region_a))
    assert 'implementation--implemented">Implemented<' in strategy_row(current_html, "2.7")
    assert 'implementation--not_started">Not started<' in strategy_row(current_html, "1.1")

    # The sector edition's matrix (the TSI portfolio report prints the same) likewise.
    sector_past = report_context(appendix(PAST))
    cells = matrix_cells(sector_past, reference)
    assert cells["region-a"] == "planned" and cells["region-b"] is None
    assert sector_past["matrix_gaps"]
    sector_current = report_context(appendix(CURRENT))
    cells = matrix_cells(sector_current, reference)
    assert cells["region-a"] == "implemented" and cells["region-b"] == "not_started"
    assert not sector_current["matrix_gaps"]
    assert "—: the region had recorded nothing by then." in english_html(appendix(PAST))
    assert "recorded nothing by then" not in english_html(appendix(CURRENT))

    portfolio_past = report_context(run("tsi_portfolio", f"{PAST}-H2"))
    assert matrix_cells(portfolio_past, reference)["region-a"] == "planned"
    portfolio_now = report_context(run("tsi_portfolio", Period.containing(TODAY, "H").label))
    assert matrix_cells(portfolio_now, reference)["region-a"] == "implemented"


def test_a_record_is_written_for_each_change_and_only_then(reference, personas):
    row = RegionalImplementation.objects.get(initiative=reference, organisation=personas.region_b)
    records = ImplementationRecord.objects.filter(implementation=row)
    assert records.count() == 1  # its first, written when the reference data made the row
    row.save()  # nothing changed
    assert records.count() == 1
    row.note = "Afventer leverandør."
    row.save()
    row.status = RegionalImplementation.Status.IN_PROGRESS
    row.save()
    again = RegionalImplementation.objects.get(pk=row.pk)
    again.save()
    assert list(records.order_by("pk").values_list("status", "note")) == [
        ("not_started", ""),
        ("not_started", "Afventer leverandør."),
        ("in_progress", "Afventer leverandør."),
    ]
    assert records.latest("pk").recorded_at == row.updated_at  # the row's time of the change

    # A strategy's rows made in bulk get their first record too.
    reference.implementations.all().delete()
    regions = Organisation.objects.regions().count()
    assert implementations_ensure(strategy=reference.strategy) == regions
    assert not RegionalImplementation.objects.filter(records__isnull=True).exists()


def test_the_latest_record_on_or_before_the_day_decides(reference, personas):
    row = RegionalImplementation.objects.get(initiative=reference, organisation=personas.region_a)
    row.status = RegionalImplementation.Status.PLANNED
    row.save()
    row.status = RegionalImplementation.Status.IN_PROGRESS
    row.save()
    first, planned, in_progress = ImplementationRecord.objects.filter(implementation=row).order_by(
        "pk"
    )
    recorded_on(date(2025, 1, 10), ImplementationRecord.objects.filter(pk=first.pk))
    recorded_on(date(2025, 6, 30), ImplementationRecord.objects.filter(pk=planned.pk))
    # Late in the evening of 30 September, Danish time: still 30 September.
    late = timezone.make_aware(datetime(2025, 9, 30, 23, 30))
    ImplementationRecord.objects.filter(pk=in_progress.pk).update(recorded_at=late)

    def status_on(day: date) -> str | None:
        found = implementations_at([reference], day, today=TODAY, organisation=personas.region_a)
        state = found.get((reference.pk, personas.region_a.pk))
        return None if state is None else state[0]

    assert status_on(date(2025, 1, 9)) is None
    assert status_on(date(2025, 1, 10)) == "not_started"
    assert status_on(date(2025, 6, 29)) == "not_started"
    assert status_on(date(2025, 6, 30)) == "planned"
    assert status_on(date(2025, 9, 29)) == "planned"
    assert status_on(date(2025, 9, 30)) == "in_progress"
    row.status = RegionalImplementation.Status.IMPLEMENTED
    row.save()
    assert status_on(TODAY) == "implemented"  # the row itself
    assert status_on(TODAY - timedelta(days=1)) == "in_progress"


# -- the groups' topics -------------------------------------------------------------------


def group_section(html: str) -> str:
    return html[html.index('id="groups"') : html.index("</section>", html.index('id="groups"'))]


def test_topics_changed_after_a_periods_end_show_as_they_were_in_that_periods_reports(
    reference, personas, api_as
):
    group = WorkingGroupFactory(
        name_da="Arbejdsgruppen for operationel sikkerhed",
        kind=WorkingGroup.Kind.WORKING,
        topics="Fælles logplatform\nSOC-samarbejde",
    )
    recorded_on(BACK_THEN, WorkingGroupTopics.objects.filter(group=group))
    WorkingGroupFactory(name_da="Ny erfaringsgruppe", kind=WorkingGroup.Kind.EXCHANGE, topics="AI")
    response = api_as(personas.secretariat).patch(
        reverse("api:workinggroup-detail", kwargs={"slug": group.slug}),
        {"topics": ["Sårbarhedsscanning", "SOC-samarbejde"]},
        format="json",
        HTTP_IF_MATCH=f'"{group.version}"',
    )
    assert response.status_code == 200, response.content
    assert WorkingGroupTopics.objects.filter(group=group).count() == 2

    past = group_section(english_html(appendix(PAST)))
    assert "<li>Fælles logplatform</li>" in past and "<li>SOC-samarbejde</li>" in past
    assert "Sårbarhedsscanning" not in past
    # The group made today had recorded no topics by the end of last year.
    newcomer = past[past.index("Ny erfaringsgruppe") :]
    assert "No topics recorded by then." in newcomer and "<li>AI</li>" not in newcomer
    current = group_section(english_html(appendix(CURRENT)))
    assert "<li>Sårbarhedsscanning</li>" in current and "Fælles logplatform" not in current
    assert "<li>AI</li>" in current and "by then" not in current

    portfolio_past = group_section(english_html(run("tsi_portfolio", f"{PAST}-H2")))
    assert "<li>Fælles logplatform</li>" in portfolio_past
    assert "Sårbarhedsscanning" not in portfolio_past
    now = Period.containing(TODAY, "H").label
    portfolio_now = group_section(english_html(run("tsi_portfolio", now)))
    assert "<li>Sårbarhedsscanning</li>" in portfolio_now

    # A save that leaves the topics alone writes no record.
    fresh = WorkingGroup.objects.get(pk=group.pk)
    fresh.description = "Etablering af SOC i regionerne."
    fresh.save()
    assert WorkingGroupTopics.objects.filter(group=group).count() == 2
    later = with_topics_at(WorkingGroup.objects.filter(pk=group.pk), BACK_THEN, today=TODAY)
    assert later.get().topics_then == "Fælles logplatform\nSOC-samarbejde"


# -- the cost -----------------------------------------------------------------------------


def test_the_history_costs_the_appendix_a_fixed_number_of_queries(
    reference, personas, django_assert_max_num_queries
):
    """However long the history, the appendix's data gathering asks the same few queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reports = [appendix(PAST), appendix(PAST, personas.region_a), appendix(CURRENT)]

    def counts() -> list[int]:
        found = []
        for report in reports:
            with CaptureQueriesContext(connection) as queries:
                report_context(report)
            found.append(len(queries))
        return found

    before = counts()
    groups = [WorkingGroupFactory(topics=f"Emne {n}") for n in range(4)]
    rows = list(RegionalImplementation.objects.filter(initiative__strategy=reference.strategy))
    for step in ("planned", "in_progress", "implemented"):
        for row in rows[:20]:
            row.status = step
            row.save()
        for group in groups:
            group.topics += f"\n{step}"
            group.save()
    ImplementationRecord.objects.update(recorded_at=moment(BACK_THEN))
    WorkingGroupTopics.objects.update(recorded_at=moment(BACK_THEN))
    assert counts() == before
    # The sector edition reads each region's maturity (a few queries per region).
    for report, limit in zip(reports, (32, 14, 32), strict=True):
        with django_assert_max_num_queries(limit):
            report_context(report)


# -- the demo sector ----------------------------------------------------------------------


def test_the_demo_sector_has_a_history_that_ends_in_todays_state(sector):
    """The demo's regions reached their status step by step since the strategy began, and
    the groups have had their topics since they began: last year's appendix shows them."""
    rows = RegionalImplementation.objects.filter(initiative__strategy__slug="2023-2025")
    today = implementations_at(list(Initiative.objects.all()), TODAY, today=TODAY)
    latest = implementations_at(
        list(Initiative.objects.all()), TODAY - timedelta(days=1), today=TODAY
    )
    assert rows.exists() and latest == today
    steps = ImplementationRecord.objects.filter(implementation__in=rows)
    assert steps.count() > rows.count()  # a way to the status, not one record each
    assert not steps.filter(recorded_at__gte=moment(TODAY)).exists()

    context = report_context(appendix(PAST))
    assert not context["matrix_gaps"]
    groups = [group for _heading, found in context["group_sections"] for group in found]
    assert groups and all(group.topics_known and group.report_topics for group in groups)
