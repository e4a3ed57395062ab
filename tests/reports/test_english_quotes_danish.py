"""The English edition quotes what people wrote in Danish — the secretariat's and the
regions' narratives, the focus areas' prose — and says so beside each text, marked as
Danish for screen readers; the Danish edition needs no such note."""

import re

import pytest
from django.core.management import call_command
from django.utils import translation

from reports.models import NarrativeDraft, ReportRun
from reports.rendering import render_html, render_pdf
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

SECRETARIAT = "(in Danish, as written by the TSI secretariat)"


@pytest.fixture
def reference(personas):
    call_command("load_reference", verbosity=0)


def write(kind, section, body, organisation=None, period="2025"):
    NarrativeDraft.objects.create(
        kind=kind, organisation=organisation, period=period, section=section, body=body
    )


def html_in(language: str, run: ReportRun) -> str:
    with translation.override(language):
        return render_html(run)


def section(html: str, anchor: str, end: str) -> str:
    return html[html.index(f'id="{anchor}"') : html.index(f'id="{end}"')]


def quoted(html: str, text: str) -> bool:
    """Whether ``text`` is inside an element marked as Danish."""
    return bool(re.search(r'<div class="narrative" lang="da">\s*<p>' + re.escape(text), html))


def test_the_english_appendix_says_whose_danish_text_it_quotes(reference, personas, tmp_path):
    write("council_appendix", "introduction", "Sekretariatets indledning.")
    write("council_appendix", "focus_current_half", "Sekretariatets fokusområder.")
    write("council_appendix", "threat_assessment", "Sekretariatets trusselsvurdering.")
    write("council_appendix", "threat_assessment", "Regionens egen vurdering.", personas.region_a)
    write("council_appendix", "conclusion", "Sekretariatets konklusion.")

    sector = ReportRun(kind="council_appendix", period="2025", classification="public")
    html = html_in("en", sector)
    introduction = section(html, "introduction", "focus")
    assert SECRETARIAT in introduction and quoted(introduction, "Sekretariatets indledning.")
    assert introduction.index(SECRETARIAT) < introduction.index("Sekretariatets indledning.")
    assert SECRETARIAT in section(html, "focus", "groups")
    assert quoted(html, "Sekretariatets fokusområder.")
    assert html.count(SECRETARIAT) == 4 and "as written by Region" not in html
    with translation.override("en"):
        text = pdf_text(render_pdf(sector), tmp_path)
    assert "in Danish, as written by the TSI secretariat" in text

    region = ReportRun(
        kind="council_appendix",
        period="2025",
        organisation=personas.region_a,
        classification="public",
    )
    html = html_in("en", region)
    threats = section(html, "threats", "region")
    assert "(in Danish, as written by Region A)" in threats and SECRETARIAT not in threats
    assert quoted(threats, "Regionens egen vurdering.")
    assert SECRETARIAT in section(html, "introduction", "focus")  # taken over

    danish = html_in("da", region)
    assert "in Danish" not in danish and "(på dansk" not in danish
    assert quoted(danish, "Regionens egen vurdering.")  # still marked as Danish


def test_the_english_quarterly_and_portfolio_reports_mark_their_danish_texts(reference, personas):
    write(
        "ciso_quarterly",
        "conclusion",
        "Direktionen bør prioritere backup.",
        personas.region_a,
        period="2025-Q4",
    )
    quarterly = ReportRun(
        kind="ciso_quarterly",
        period="2025-Q4",
        organisation=personas.region_a,
        classification="confidential",
    )
    html = html_in("en", quarterly)
    assert "(in Danish, as written by Region A)" in html and SECRETARIAT not in html
    assert quoted(html, "Direktionen bør prioritere backup.")

    write("council_appendix", "focus_last_half", "Andet halvår i korte træk.")
    portfolio = ReportRun(kind="tsi_portfolio", period="2025-H1", classification="confidential")
    html = html_in("en", portfolio)
    assert SECRETARIAT in section(html, "focus", "groups")
    assert quoted(html, "Andet halvår i korte træk.")
