"""The councils' appendix says what seed 003 says: the focus areas of two half-years with
the secretariat's prose and the deliverables finished and under way, TSI's groups with their
topics, each initiative's status with its texts, the region's own implementation beside the
sector's, in the sector edition the implementation matrix and the regions' maturity, and the
strategy it reports on."""

from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from capabilities.models import MaturityAssessment
from initiatives.models import (
    Deliverable,
    ImplementationRecord,
    Initiative,
    RegionalImplementation,
    StatusUpdate,
    WorkingGroup,
    WorkingGroupTopics,
)
from portal.periods import Period
from reports.models import NarrativeDraft, ReportRun
from reports.rendering import render_html, render_pdf, report_context, shorten, strategy_for
from tests.factories import (
    CapabilityFactory,
    DeliverableFactory,
    InitiativeFactory,
    MaturityAssessmentFactory,
    MaturityEntryFactory,
    StrategyFactory,
    UserFactory,
    WorkingGroupFactory,
)
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

#: A status text longer than the appendix prints (the full text is in the portal).
LONG_NEXT_STEPS = (
    "Tilslutte de sidste to regioner til den fælles logplatform og aftale snitflader med "
    "driftsleverandørerne. " * 5
).strip()
LONG_BLOCKERS = ("Mangler budget til licenser og kompetencer til at drive platformen. " * 6).strip()


@pytest.fixture
def reference(personas):
    call_command("load_reference", verbosity=0)
    return Initiative.objects.get(number="2.7", strategy__slug="2023-2025")


def appendix(organisation=None, period="2025", **fields) -> ReportRun:
    return ReportRun(
        kind="council_appendix",
        organisation=organisation,
        period=period,
        classification="public",
        **fields,
    )


def write(section, body, organisation=None, period="2025"):
    return NarrativeDraft.objects.create(
        kind="council_appendix",
        organisation=organisation,
        period=period,
        section=section,
        body=body,
    )


def recorded_on(day: date, *objects) -> None:
    """Date the history of ``objects`` (groups, implementation rows) ``day``, as if their
    topics and statuses had been recorded then: the 2025 appendix shows what was recorded
    by the end of 2025."""
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    for obj in objects:
        records = (
            WorkingGroupTopics.objects.filter(group=obj)
            if isinstance(obj, WorkingGroup)
            else ImplementationRecord.objects.filter(implementation=obj)
        )
        assert records.update(recorded_at=moment), obj


def english_html(run: ReportRun) -> str:
    with translation.override("en"):
        return render_html(run)


# -- a. focus areas ---------------------------------------------------------------------


def test_each_half_years_focus_areas_hold_the_prose_and_what_was_finished_and_under_way(
    reference,
):
    group = WorkingGroupFactory(name_da="Arbejdsgruppen for jura")
    finished = DeliverableFactory(
        working_group=group,
        title="Skabelon for konsekvensanalyser",
        due=date(2024, 9, 30),
        status=Deliverable.Status.DELIVERED,
        delivered_on=date(2024, 10, 1),
    )
    late = DeliverableFactory(
        working_group=group,
        title="Revideret databehandlerinstruks",
        due=date(2024, 11, 30),
        status=Deliverable.Status.DELIVERED,
        delivered_on=date(2025, 2, 1),
    )
    ongoing = DeliverableFactory(
        working_group=group,
        title="Fælles model for risikoanalyser",
        due=date(2025, 5, 31),
        status=Deliverable.Status.IN_PROGRESS,
        initiative=reference,
    )
    longer = DeliverableFactory(
        working_group=group,
        title="Notat om cpr-abonnementer",
        due=date(2026, 3, 31),
        status=Deliverable.Status.IN_PROGRESS,
    )
    DeliverableFactory(
        working_group=group,
        title="Aflyst vejledning",
        due=date(2025, 4, 1),
        status=Deliverable.Status.CANCELLED,
    )
    DeliverableFactory(working_group=group, title="Senere plan", due=date(2026, 9, 1))
    write("focus_last_half", "Prosa om **andet halvår** 2024.")
    write("focus_current_half", "Prosa om første halvår 2025.")

    last, current = report_context(appendix())["focus_areas"]
    assert (last.half.label, current.half.label) == ("2024-H2", "2025-H1")
    assert last.finished == [finished] and last.under_way == [late]
    assert current.finished == [late]
    assert current.under_way == [ongoing, longer]
    assert "andet halvår" in last.text and "første halvår" in current.text

    html = english_html(appendix())
    focus = html[html.index('id="focus"') : html.index('id="groups"')]
    second, first = focus.index("Focus areas in H2 2024"), focus.index("Focus areas in H1 2025")
    assert second < focus.index("Prosa om <strong>andet halvår</strong>") < first
    assert first < focus.index("Prosa om første halvår 2025.")
    under_way = focus.index("Under way at the end of the half-year", first)
    assert under_way < focus.index("Fælles model for risikoanalyser")
    assert "in progress, due 31 May 2025 (initiative 2.7)" in focus
    assert focus.index("Revideret databehandlerinstruks", first) < under_way  # finished then
    for absent in ("Aflyst vejledning", "Senere plan"):
        assert absent not in html, absent


# -- b. groups --------------------------------------------------------------------------


def test_the_working_and_exchange_groups_are_listed_with_their_current_topics(reference):
    working = WorkingGroupFactory(
        name_da="Arbejdsgruppen for operationel sikkerhed",
        kind=WorkingGroup.Kind.WORKING,
        description="Etablering af SOC i regionerne.",
        topics="Regionernes SOC\nSårbarhedsscanning\n",
    )
    exchange = WorkingGroupFactory(
        name_da="Erfaringsudvekslingsgruppen for awareness",
        kind=WorkingGroup.Kind.EXCHANGE,
        topics="Awarenesskampagner",
    )
    WorkingGroupFactory(name_da="Nedlagt gruppe", active_to=date(2023, 12, 31))
    WorkingGroupFactory(name_da="Fremtidig gruppe", active_from=date(2026, 1, 1))
    recorded_on(date(2025, 3, 1), working, exchange)

    html = english_html(appendix())
    groups = html[html.index('id="groups"') : html.index('id="strategy"')]
    working, exchange = groups.index("Working groups</h3>"), groups.index("Experience-exchange")
    assert working < groups.index("Arbejdsgruppen for operationel sikkerhed") < exchange
    assert exchange < groups.index("Erfaringsudvekslingsgruppen for awareness")
    for text in ("Etablering af SOC", "<li>Regionernes SOC</li>", "<li>Awarenesskampagner</li>"):
        assert text in groups, text
    assert "Nedlagt gruppe" not in groups and "Fremtidig gruppe" not in groups


# -- c. each initiative's status ---------------------------------------------------------


def test_shortening_cuts_at_a_word_boundary_and_marks_the_cut():
    assert shorten("  kort\n tekst ") == "kort tekst"
    short = shorten(LONG_BLOCKERS)
    assert len(short) <= 300 and short.endswith("…")
    assert LONG_BLOCKERS.startswith(short[:-1])
    assert LONG_BLOCKERS[len(short) - 1] in " ."  # the cut falls between words


def test_each_initiative_shows_its_status_texts_shortened_as_of_the_period(reference):
    author = UserFactory()
    StatusUpdate.objects.create(
        initiative=reference,
        author=author,
        period="2025-H1",
        status="in_progress",
        rag="amber",
        progress=55,
        narrative="Udrulningen af logindsamling er i gang i tre regioner.",
        next_steps=LONG_NEXT_STEPS,
        blockers=LONG_BLOCKERS,
    )
    StatusUpdate.objects.create(  # after the period: not in the 2025 appendix
        initiative=reference,
        author=author,
        period="2026-H1",
        status="completed",
        rag="green",
        progress=100,
        narrative="Afsluttet i alle regioner.",
    )
    rows = {row.initiative.number: row for row in report_context(appendix())["initiative_statuses"]}
    row = rows["2.7"]
    assert (row.update.period, row.update.rag, row.update.progress) == ("2025-H1", "amber", 55)
    assert row.next_steps == shorten(LONG_NEXT_STEPS) and row.next_steps.endswith("…")
    assert row.blockers == shorten(LONG_BLOCKERS) and len(row.blockers) <= 300

    html = english_html(appendix())
    strategy = html[html.index('id="strategy"') : html.index('id="threats"')]
    assert "Udrulningen af logindsamling er i gang i tre regioner." in strategy
    assert row.next_steps in strategy and row.blockers in strategy
    assert LONG_NEXT_STEPS not in strategy and LONG_BLOCKERS not in strategy
    assert "Next steps:" in strategy and "Blockers:" in strategy
    assert "Afsluttet i alle regioner" not in strategy


def test_a_region_edition_shows_its_own_implementation_beside_the_sectors_status(
    reference, personas
):
    own_row, _made = RegionalImplementation.objects.update_or_create(
        initiative=reference,
        organisation=personas.region_a,
        defaults={"status": "implemented", "note": "Udrullet på alle hospitaler."},
    )
    other_row, _made = RegionalImplementation.objects.update_or_create(
        initiative=reference, organisation=personas.region_b, defaults={"status": "planned"}
    )
    recorded_on(date(2025, 6, 1), own_row, other_row)
    StatusUpdate.objects.create(
        initiative=reference,
        author=UserFactory(),
        period="2025-H1",
        status="in_progress",
        rag="green",
        progress=40,
    )
    own = appendix(personas.region_a)
    rows = {row.initiative.number: row for row in report_context(own)["initiative_statuses"]}
    assert rows["2.7"].implementation[0] == "implemented"
    assert rows["2.7"].implementation_note == "Udrullet på alle hospitaler."
    assert rows["1.1"].implementation[0] == "none"  # nothing recorded by the end of 2025

    html = english_html(own)
    table = html[
        html.index('class="strategy-table') : html.index("</table>", html.index('id="strategy"'))
    ]
    assert "Implementation in Region A" in table
    row = table[table.index("<td>2.7</td>") : table.index("</tr>", table.index("<td>2.7</td>"))]
    assert "In progress" in row and "40 %" in row  # the sector's status …
    assert 'implementation--implemented">Implemented<' in row  # … and the region's beside it
    assert "Udrullet på alle hospitaler." in html
    assert "Planned" not in row  # region B's status is not region A's

    sector = english_html(appendix())
    assert "Implementation in" not in sector and "Udrullet på alle hospitaler." not in sector


# -- d. the sector edition: the matrix and the regions' maturity --------------------------


def approved_campaign(region, period, current, target, capabilities):
    assessment = MaturityAssessmentFactory(organisation=region, period=period)
    for capability in capabilities:
        MaturityEntryFactory(
            assessment=assessment,
            capability=capability,
            current_level=current,
            target_level=target,
        )
    MaturityAssessment.objects.filter(pk=assessment.pk).update(
        status=MaturityAssessment.Status.APPROVED
    )


def test_the_sector_edition_has_the_matrix_and_each_regions_maturity_at_the_period_end(
    reference, personas
):
    capabilities = [CapabilityFactory() for _ in range(2)]
    approved_campaign(personas.region_a, "2025-H2", 2, 4, capabilities)
    approved_campaign(personas.region_a, "2026-H1", 5, 5, capabilities)  # after 2025
    approved_campaign(personas.region_b, "2025-H1", 3, 3, capabilities)
    draft = MaturityAssessmentFactory(organisation=personas.region_b, period="2025-H2")
    MaturityEntryFactory(
        assessment=draft, capability=capabilities[0], current_level=1, target_level=1
    )
    row, _made = RegionalImplementation.objects.update_or_create(
        initiative=reference, organisation=personas.region_b, defaults={"status": "implemented"}
    )
    recorded_on(date(2025, 6, 1), row)

    context = report_context(appendix())
    maturity = {row.region.slug: row for row in context["regions_maturity"]}
    assert maturity["region-a"].period == "2025-H2"
    assert maturity["region-b"].period == "2025-H1"  # the draft campaign never counts
    assert maturity["hovedstaden"].period is None
    discipline = capabilities[0].discipline
    column = [d.pk for d in context["maturity_disciplines"]].index(discipline.pk)
    assert maturity["region-a"].levels[column] == (2, 4)
    assert maturity["region-b"].levels[column] == (3, 3)
    row = next(cells for initiative, cells in context["matrix_rows"] if initiative == reference)
    by_region = dict(zip([r.slug for r in context["matrix_regions"]], row, strict=True))
    assert by_region["region-b"][0] == "implemented"
    assert by_region["region-a"][0] in (None, "not_started")

    html = english_html(appendix())
    assert "The regions' implementation" in html and "The regions' maturity" in html
    table = html[html.index('class="regions-maturity"') :]
    region_a = table[
        table.index("<td>Region A</td>") : table.index("</tr>", table.index("Region A"))
    ]
    assert "H2 2025" in region_a and "2.0 (target 4.0)" in region_a
    assert "5.0" not in region_a  # the 2026 campaign came after the period

    region = report_context(appendix(personas.region_a))
    assert "matrix_rows" not in region and "regions_maturity" not in region


# -- e. the region's own text or the secretariat's ----------------------------------------


def test_a_region_edition_says_whose_text_it_prints(reference, personas):
    write("introduction", "Sekretariatets indledning.")
    write("focus_current_half", "Sekretariatets fokusområder.")
    write("threat_assessment", "Sekretariatets trusselsvurdering.")
    write("threat_assessment", "Regionens egen trusselsvurdering.", personas.region_a)
    write("conclusion", "Sekretariatets konklusion.")

    html = english_html(appendix(personas.region_a))
    inherited = "The secretariat's sector-wide text: the region has not written its own."
    own = "The region's own text."
    introduction = html[html.index('id="introduction"') : html.index('id="focus"')]
    assert inherited in introduction and "Sekretariatets indledning." in introduction
    threats = html[html.index('id="threats"') : html.index('id="region"')]
    assert own in threats and inherited not in threats
    assert (
        "Regionens egen trusselsvurdering." in threats and "Sekretariatets trussel" not in threats
    )
    focus = html[html.index('id="focus"') : html.index('id="groups"')]
    assert inherited in focus and "Sekretariatets fokusområder." in focus
    assert html.count(inherited) == 3 and html.count(own) == 1

    sector = english_html(appendix())
    assert inherited not in sector and own not in sector


# -- f. the strategy --------------------------------------------------------------------


def test_the_strategy_is_the_one_in_force_at_the_period_end_unless_one_is_chosen(
    reference, personas, tmp_path
):
    successor = StrategyFactory(
        slug="2026-2028",
        title_da="Strategi for cyber- og informationssikkerhed 2026-2028",
        title_en="Strategy for cyber and information security 2026-2028",
        start_year=2026,
        end_year=2028,
    )
    InitiativeFactory(strategy=successor, number="1.9", title_da="Nyt initiativ", title_en="")
    assert strategy_for(appendix(period="2025")).slug == "2023-2025"
    assert strategy_for(appendix(period="2026")) == successor
    assert strategy_for(appendix(period="2031")) == successor  # in force until a successor

    latest = report_context(appendix(period="2026"))
    assert [i.number for i in latest["initiatives"]] == ["1.9"]
    chosen = appendix(period="2026", parameters={"strategy": "2023-2025"})
    numbers = [i.number for i in report_context(chosen)["initiatives"]]
    assert "2.7" in numbers and "1.9" not in numbers

    with translation.override("en"):
        text = pdf_text(render_pdf(chosen), tmp_path, layout=False)
    cover = text.split("\f")[0]
    assert "The health sector's strategy for cyber and information security 2023-2025" in cover
    assert "2026-2028" not in text


def test_a_strategy_is_chosen_when_requesting_and_an_unknown_one_refused(
    reference, personas, api_as, client_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    api = api_as(personas.secretariat)
    url = reverse("api:reportrun-list")
    request = {"kind": "council_appendix", "period": "2025"}
    unknown = api.post(url, {**request, "strategy": "1999-2001"}, format="json")
    assert unknown.status_code == 400 and "strategy" in unknown.json()
    made = api.post(url, {**request, "strategy": "2019-2022"}, format="json")
    assert made.status_code == 202, made.content
    assert made.json()["strategy"] == "2019-2022"
    assert ReportRun.objects.get(pk=made.json()["id"]).parameters["strategy"] == "2019-2022"
    default = api.post(url, request, format="json")
    assert default.json()["strategy"] is None

    page = client_as(personas.secretariat).get(reverse("reports:run_list"))
    choices = [value for value, _label in page.context["form"].fields["strategy"].choices]
    assert "2023-2025" in [str(value) for value in choices]


# -- the editor and the cost ------------------------------------------------------------


def test_the_editor_offers_the_focus_areas_of_the_appendix_with_their_half_years(
    personas, client_as
):
    client = client_as(personas.secretariat)
    page = client.get(reverse("reports:drafts"), {"kind": "council_appendix", "period": "2025"})
    assert page.status_code == 200
    labels = [label for _section, label, _form, _history in page.context["sections"]]
    sections = [section for section, _label, _form, _history in page.context["sections"]]
    assert sections.index("focus_last_half") < sections.index("threat_assessment")
    with translation.override("da"):  # the page's language
        last_half = Period(2024, "H", 2).name
    assert str(last_half) in str(labels[sections.index("focus_last_half")]), labels
    response = client.post(
        reverse("reports:drafts") + "?kind=council_appendix&period=2025",
        {"focus_current_half-body": "Første halvår.", "focus_current_half-version": ""},
    )
    assert response.status_code == 302
    assert NarrativeDraft.objects.get(section="focus_current_half").body == "Første halvår."
    portfolio = client.get(
        reverse("reports:drafts"), {"kind": "tsi_portfolio", "period": "2025-H1"}
    )
    assert "focus_last_half" not in [s for s, *_ in portfolio.context["sections"]]


def _queries(run: ReportRun) -> int:
    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        render_html(run)
    return len(queries)


def test_the_appendix_queries_do_not_grow_with_the_groups_deliverables_and_updates(
    reference, personas
):
    author = UserFactory()
    StatusUpdate.objects.create(  # (no update at all would spare a query)
        initiative=reference,
        author=author,
        period="2025-H1",
        status="in_progress",
        rag="green",
        progress=10,
    )
    sector, region = appendix(), appendix(personas.region_a)
    before = (_queries(sector), _queries(region))
    for n, initiative in enumerate(Initiative.objects.filter(strategy__slug="2023-2025")[:6]):
        group = WorkingGroupFactory(topics=f"Emne {n}", kind=WorkingGroup.Kind.EXCHANGE)
        DeliverableFactory(working_group=group, initiative=initiative, due=date(2025, 3, 1))
        DeliverableFactory(
            working_group=group,
            due=date(2024, 8, 1),
            status=Deliverable.Status.DELIVERED,
            delivered_on=date(2024, 9, 1),
        )
        StatusUpdate.objects.create(
            initiative=initiative,
            author=author,
            period="2025-H1",
            status="in_progress",
            rag="amber",
            progress=30,
            narrative="Tekst",
            next_steps="Næste",
            blockers="Hindring",
        )
        for organisation in (personas.region_a, personas.region_b):
            RegionalImplementation.objects.update_or_create(
                initiative=initiative, organisation=organisation, defaults={"status": "planned"}
            )
    assert (_queries(sector), _queries(region)) == before
