"""The TSI portfolio report prints the same focus-area section as the councils' appendix
(``reports.rendering.focus_areas_for``, ``_appendix.html``'s "focus"): the last and the
current half-year, each with the secretariat's account and the deliverables finished and
under way; and its chapters are numbered in the order they stand."""

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import translation

from portal.periods import Period
from reports.models import NarrativeDraft, ReportRun
from reports.rendering import render_html, render_pdf, report_context
from tests.factories import DeliverableFactory, WorkingGroupFactory
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def focus(db):
    call_command("load_reference", verbosity=0)
    group = WorkingGroupFactory(name_da="Arbejdsgruppen for logning")
    DeliverableFactory(
        working_group=group,
        title="Fælles logpolitik vedtaget",
        due=date(2025, 11, 30),
        status="delivered",
        delivered_on=date(2025, 11, 20),
    )
    DeliverableFactory(
        working_group=group,
        title="SOC-samarbejde under opbygning",
        due=date(2026, 5, 31),
        status="in_progress",
    )
    DeliverableFactory(
        working_group=group,
        title="Gammel leverance fra 2024",
        due=date(2024, 3, 31),
        status="delivered",
        delivered_on=date(2024, 3, 1),
    )
    # The secretariat's accounts, written for the sector's appendices that cover the halves.
    NarrativeDraft.objects.create(
        kind="council_appendix",
        organisation=None,
        period="2026",
        section=NarrativeDraft.Section.FOCUS_LAST_HALF,
        body="I **andet halvår 2025** var logning i fokus.",
    )
    NarrativeDraft.objects.create(
        kind="council_appendix",
        organisation=None,
        period="2026",
        section=NarrativeDraft.Section.FOCUS_CURRENT_HALF,
        body="I første halvår 2026 bygges SOC-samarbejdet op.",
    )
    # Another year's text is not this report's.
    NarrativeDraft.objects.create(
        kind="council_appendix",
        organisation=None,
        period="2025",
        section=NarrativeDraft.Section.FOCUS_CURRENT_HALF,
        body="Tekst om første halvår 2025.",
    )


def portfolio_run() -> ReportRun:
    return ReportRun(kind="tsi_portfolio", period="2026-H1", language="en")


def test_the_portfolio_report_has_the_appendixs_focus_area_section(focus):
    run = portfolio_run()
    context = report_context(run)
    areas = context["focus_areas"]
    assert [area.half.label for area in areas] == ["2025-H2", "2026-H1"]
    assert [d.title for d in areas[0].finished] == ["Fælles logpolitik vedtaget"]
    assert [d.title for d in areas[1].under_way] == ["SOC-samarbejde under opbygning"]
    assert "<strong>andet halvår 2025</strong>" in areas[0].text
    assert "SOC-samarbejdet op" in areas[1].text
    assert "halves" not in context  # the old tables of deliverables are gone

    with translation.override("en"):
        html = render_html(run)
        names = [Period.parse(label).name for label in ("2025-H2", "2026-H1")]
    assert html.count('<h2 id="focus">') == 1
    for name in names:
        assert f"Focus areas in {name}" in html, name
    for phrase in (
        "Finished in the half-year",
        "Fælles logpolitik vedtaget",
        "SOC-samarbejde under opbygning",
        "andet halvår 2025",
    ):
        assert phrase in html, phrase
    assert "Tekst om første halvår 2025" not in html
    assert "Gammel leverance fra 2024" not in html
    # The portfolio report names no edition's own text (that is the appendix's).
    assert "The region's own text." not in html


def test_the_portfolio_reports_chapters_are_numbered_in_order(focus, tmp_path):
    run = portfolio_run()
    with translation.override("en"):
        text = pdf_text(render_pdf(run), tmp_path, layout=False)
    numbers = [int(n) for n in re.findall(r"^(\d+)\. [A-Z]", text, flags=re.MULTILINE)]
    with translation.override("en"):
        chapters = len(re.findall(r"<section><h2 id=", render_html(run)))
    # The table of contents lists each chapter once, then the chapters follow: 1, 2, 3 …
    assert chapters >= 5
    assert numbers == [*range(1, chapters + 1), *range(1, chapters + 1)], numbers
