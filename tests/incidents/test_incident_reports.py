"""The incidents in the reports: the CISO's quarterly report lists the quarter's incidents
with their clocks met and missed; the councils' appendix (public) holds only the counts —
per category and severity, breaches notified to Datatilsynet, the share of clocks met —
never a title. Period-true: incidents detected in the period (Copenhagen days), clocks as
they stood at its end."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from incidents.facts import incident_facts_rebuild
from incidents.models import Incident, IncidentFacts, IncidentSubmission
from incidents.sector import sector_figures
from incidents.selectors import incident_figures, statuses_at
from reports.models import ReportRun
from reports.rendering import period_end, period_start, render_html, render_pdf, report_context
from tests.incidents.conftest import make_incident
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
TITLE = "Kvartalets ransomware XQ-4711 på billedarkivet"
DESCRIPTION = "Beskrivelse der aldrig må stå i et offentligt bilag ZZ-0815"
PHISHING = "Phishing mod lønkontoret PQ-2290"
OCTOBER = "Oktoberhændelse OQ-5521"
JUNE = "Junihændelse JQ-9914"
SECRET_B = "Region B's hemmelige indbrud BQ-6603"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CPH)


def submit(incident, kind, when, by, late_reason=""):
    return IncidentSubmission.objects.create(
        incident=incident,
        kind=kind,
        submitted_at=when,
        recipient="Datatilsynet" if kind == "gdpr_notification" else "virk.dk",
        by=by,
        late_reason=late_reason,
    )


@pytest.fixture
def year_2025(personas):
    """Region A's incidents of 2025: a ransomware incident and breach in Q3 (early warning
    and Datatilsynet in time, the notification late, the final report due in September
    but sent in October), a breach documented only on the last evening of Q3, a DDoS just
    after midnight on 1 October, an insider breach in June notified in time. Region B: a
    physical incident in Q3."""
    region, ciso = personas.region_a, personas.ciso_a
    ransomware = make_incident(
        region,
        title=TITLE,
        description=DESCRIPTION,
        category="ransomware",
        severity="critical",
        detected_at=at(2025, 8, 10, 8, 0),
        aware_at=at(2025, 8, 10, 10, 0),
        personal_data=True,
        gdpr_breach=True,
    )
    submit(ransomware, "nis2_early_warning", at(2025, 8, 10, 20, 0), ciso)
    submit(ransomware, "nis2_notification", at(2025, 8, 14, 12, 0), ciso, "Afventede leverandør")
    submit(ransomware, "gdpr_notification", at(2025, 8, 12, 9, 0), ciso)
    # Due one month after the notification (14 September); sent after the quarter.
    submit(ransomware, "nis2_final_report", at(2025, 10, 20, 9, 0), ciso, "Rodårsag forsinket")
    make_incident(
        region,
        title=PHISHING,
        category="phishing",
        severity="medium",
        detected_at=at(2025, 9, 30, 23, 30),  # 21:30 UTC: still Q3 in Copenhagen
        aware_at=at(2025, 9, 30, 23, 45),
        nis2_significant=False,
        nis2_reason="",
        personal_data=True,
        gdpr_breach=True,
        gdpr_exception_unlikely_risk=True,
        gdpr_exception_reason="Kun navne, ingen følsomme oplysninger.",
    )
    make_incident(
        region,
        title=OCTOBER,
        category="ddos",
        severity="high",
        detected_at=at(2025, 10, 1, 0, 30),  # 30 September 22:30 UTC: Q4 in Copenhagen
        aware_at=at(2025, 10, 1, 1, 0),
        nis2_significant=False,
        nis2_reason="",
    )
    insider = make_incident(
        region,
        title=JUNE,
        category="insider",
        severity="high",
        detected_at=at(2025, 6, 2, 9, 0),
        aware_at=at(2025, 6, 3, 9, 0),
        nis2_significant=False,
        nis2_reason="",
        personal_data=True,
        gdpr_breach=True,
    )
    submit(insider, "gdpr_notification", at(2025, 6, 4, 9, 0), ciso)
    make_incident(
        personas.region_b,
        title=SECRET_B,
        category="physical",
        severity="low",
        detected_at=at(2025, 8, 1, 9, 0),
        aware_at=at(2025, 8, 1, 9, 0),
        nis2_significant=False,
        nis2_reason="",
    )
    return region


def quarterly(region, period="2025-Q3") -> ReportRun:
    return ReportRun(kind="ciso_quarterly", organisation=region, period=period, language="en")


def appendix(region, classification="public") -> ReportRun:
    return ReportRun(
        kind="council_appendix",
        organisation=region,
        period="2025",
        language="en",
        classification=classification,
    )


def flat(html: str) -> str:
    return " ".join(html.split())


def test_the_quarters_figures_are_those_of_the_quarter_as_it_ended(year_2025):
    figures = report_context(quarterly(year_2025))["incident_figures"]
    assert [row.incident.title for row in figures.incidents] == [TITLE, PHISHING]
    by_category = {value: (counts, total) for value, _label, counts, total in figures.by_category}
    assert by_category["ransomware"] == ([0, 0, 0, 1], 1)  # low, medium, high, critical
    assert by_category["phishing"] == ([0, 1, 0, 0], 1)
    assert by_category["ddos"][1] == by_category["physical"][1] == 0  # October's, region B's
    # The final report was due in September and sent in October: missed at the quarter's end.
    states = {deadline.kind: state for deadline, state in figures.incidents[0].clocks}
    assert states == {
        "nis2_early_warning": "met",
        "nis2_notification": "late",
        "nis2_final_report": "missed",
        "gdpr_notification": "met",
    }
    assert figures.clock_counts == {"met": 2, "late": 1, "missed": 1, "running": 0}
    assert figures.share_met == 50
    assert (figures.breaches, figures.breaches_notified, figures.breaches_not_notifiable) == (
        2,
        1,
        1,
    )


def test_the_quarterly_report_lists_the_quarters_incidents(year_2025, tmp_path):
    run = quarterly(year_2025)
    with translation.override("en"):
        html = flat(render_html(run))
        text = flat(pdf_text(render_pdf(run), tmp_path, layout=False))
    assert '<a href="#incidents">Incidents in the quarter</a>' in html
    for phrase in ("Incidents in the quarter", TITLE, PHISHING, "run out without a submission"):
        assert phrase in text, phrase
    for phrase in (OCTOBER, JUNE, SECRET_B):
        assert phrase not in text, phrase
    assert "50 %" in text


def test_the_quarterly_report_in_danish_calls_it_haendelser_i_kvartalet(year_2025):
    run = quarterly(year_2025)
    run.language = "da"
    with translation.override("da"):
        html = render_html(run)
        expected = translation.gettext("Incidents in the quarter")
    assert expected in html


def test_the_public_appendix_holds_counts_only_never_a_title(year_2025, tmp_path):
    run = appendix(year_2025)
    context = report_context(run)
    figures = context["incident_figures"]
    assert figures.incidents == []  # the incidents themselves never reach the template
    assert figures.total == 4  # 2025: June, August, September, October; not region B's
    assert figures.clock_counts == {"met": 3, "late": 2, "missed": 0, "running": 0}
    assert figures.share_met == 60
    assert (figures.breaches, figures.breaches_notified, figures.breaches_not_notifiable) == (
        3,
        2,
        1,
    )
    with translation.override("en"):
        html = render_html(run)
        text = flat(pdf_text(render_pdf(run), tmp_path, layout=False))
    assert "Incidents and personal data breaches" in text
    assert "Counts only: the incidents themselves are confidential." in text
    assert "60 %" in text
    # The leak scan: nothing of any incident but its counts.
    for incident in Incident.objects.all():
        for secret in (incident.title, incident.description, incident.nis2_reason):
            if secret:
                assert secret not in html, secret
                assert secret not in text, secret
    assert "Physical" not in flat(html)  # region B's category has no row


def test_a_confidential_appendix_still_prints_counts_only(year_2025):
    html = render_html(appendix(year_2025, "confidential"))
    assert "Hændelser og brud på persondatasikkerheden" in html
    assert TITLE not in html and DESCRIPTION not in html


def _same_counts(facts_based, register_based) -> None:
    assert facts_based.total == register_based.total
    assert facts_based.by_category == register_based.by_category
    assert facts_based.by_severity == register_based.by_severity
    assert facts_based.clock_counts == register_based.clock_counts
    assert (
        facts_based.breaches,
        facts_based.breaches_notified,
        facts_based.breaches_not_notifiable,
    ) == (
        register_based.breaches,
        register_based.breaches_notified,
        register_based.breaches_not_notifiable,
    )


@pytest.mark.parametrize("period", ["2025", "2025-Q3", "2025-Q4"])
def test_the_facts_count_as_the_registers_period_true(year_2025, personas, period):
    """The sector's counts, from the incidents' facts, are each region's edition's counts
    from its register: the same incidents of the period, each clock as it stood at the
    period's end (Q3's final report, sent in October, is missed in Q3 and late in the
    year)."""
    incident_facts_rebuild(Incident.objects.all())
    run = ReportRun(kind="council_appendix", organisation=None, period=period, language="en")
    start, end, now = period_start(run), period_end(run), timezone.now()
    regions = [personas.region_a, personas.region_b]
    per_region, total = sector_figures(
        IncidentFacts.objects.all(), start=start, end=end, regions=regions, now=now
    )
    for region, counted in zip(regions, per_region, strict=True):
        _same_counts(
            counted.figures,
            incident_figures(
                Incident.objects.filter(organisation=region), start=start, end=end, now=now
            ),
        )
    _same_counts(total, incident_figures(Incident.objects.all(), start=start, end=end, now=now))
    if period == "2025-Q3":
        assert total.clock_counts["missed"] == 1  # the final report, sent in October
    assert total.total > 0


def test_the_sector_appendix_prints_every_regions_counts_and_no_incident(year_2025, tmp_path):
    incident_facts_rebuild(Incident.objects.all())
    run = ReportRun(kind="council_appendix", organisation=None, period="2025", language="en")
    context = report_context(run)
    figures = context["incident_figures"]
    assert figures.total == 5 and figures.incidents == []
    assert figures.breaches == 3 and figures.breaches_notified == 2
    assert [region.figures.total for region in context["sector_incident_regions"]] == [4, 1]
    with translation.override("en"):
        html = render_html(run)
        text = flat(pdf_text(render_pdf(run), tmp_path, layout=False))
    assert "Incidents and personal data breaches in the regions" in text
    assert "Counts only: the incidents themselves are confidential." in text
    assert "Incidents per region" in text
    for incident in Incident.objects.all():
        for secret in (incident.title, incident.description, incident.nis2_reason):
            if secret:
                assert secret not in html and secret not in text, secret


def test_a_period_without_incidents_says_so(year_2025):
    with translation.override("en"):
        html = flat(render_html(quarterly(year_2025, "2024-Q1")))
    assert "The region detected no incident in the period." in html


def test_the_reports_queries_do_not_grow_with_the_incidents(year_2025, personas):
    def queries(run) -> int:
        with CaptureQueriesContext(connection) as captured:
            report_context(run)
        return len(captured)

    runs = (quarterly(year_2025), appendix(year_2025))
    before = [queries(run) for run in runs]
    for n in range(8):
        incident = make_incident(
            year_2025,
            title=f"Ekstra {n}",
            detected_at=at(2025, 7, 1 + n, 9, 0),
            aware_at=at(2025, 7, 1 + n, 10, 0),
        )
        submit(incident, "nis2_early_warning", at(2025, 7, 1 + n, 12, 0), personas.ciso_a)
    assert [queries(run) for run in runs] == before


def test_a_running_quarter_counts_until_now(personas):
    now = timezone.now()
    incident = make_incident(personas.region_a, title="Løbende")
    figures = incident_figures(
        Incident.objects.filter(organisation=personas.region_a),
        start=timezone.localdate(now) - timedelta(days=10),
        end=timezone.localdate(now) + timedelta(days=10),
        now=now,
    )
    assert figures.until <= now
    states = [state for _deadline, state in figures_for(figures, incident)]
    # Aware five hours ago: every clock still running.
    assert set(states) == {"running"}


def figures_for(figures, incident):
    return next(row.clocks for row in figures.incidents if row.incident.pk == incident.pk)


def _status_change(incident, old, new, when, by):
    from incidents.models import IncidentTimelineEntry

    return IncidentTimelineEntry.objects.create(
        incident=incident,
        kind="status_change",
        occurred_at=when,
        author=by,
        old_value=old,
        new_value=new,
    )


def test_the_quarters_incidents_show_their_status_at_the_quarters_end(year_2025, personas):
    """The status recorded on the timeline before the quarter ended, not the one it has now:
    the ransomware contained in September, closed in October; the phishing investigated only
    from October, so new then; region A's June insider (another quarter) unaffected."""
    ciso = personas.ciso_a
    ransomware = Incident.objects.get(title=TITLE)
    phishing = Incident.objects.get(title=PHISHING)
    _status_change(ransomware, "new", "investigating", at(2025, 8, 10, 11, 0), ciso)
    _status_change(ransomware, "investigating", "contained", at(2025, 9, 30, 23, 50), ciso)
    _status_change(ransomware, "contained", "resolved", at(2025, 10, 1, 0, 10), ciso)
    _status_change(ransomware, "resolved", "closed", at(2025, 10, 25, 9, 0), ciso)
    _status_change(phishing, "new", "investigating", at(2025, 10, 2, 9, 0), ciso)
    Incident.objects.filter(pk=ransomware.pk).update(status="closed")
    Incident.objects.filter(pk=phishing.pk).update(status="investigating")
    figures = report_context(quarterly(year_2025))["incident_figures"]
    assert [(row.incident.title, row.status) for row in figures.incidents] == [
        (TITLE, "contained"),
        (PHISHING, "new"),
    ]
    # Before its first change, the status it left; after its last, the one it has.
    assert statuses_at([ransomware], at(2025, 8, 10, 10, 30)) == {ransomware.pk: "new"}
    assert statuses_at([ransomware], at(2025, 10, 26)) == {ransomware.pk: "closed"}
    with translation.override("en"):
        html = flat(render_html(quarterly(year_2025)))
    header = html[html.index("The quarter's incidents") :]
    assert "<th>Status on 30 Sep 2025</th>" in header[: header.index("</thead>")]
    row = html[html.index(TITLE) :]
    row = row[: row.index("</tr>")]
    assert "<td>Contained</td>" in row
    assert "Closed" not in row


def test_an_incident_without_status_changes_shows_the_status_it_has(year_2025):
    figures = report_context(quarterly(year_2025))["incident_figures"]
    assert [row.status for row in figures.incidents] == ["new", "new"]
