"""The incident journey in a real browser (issue 18): a CISO registers a ransomware incident
with personal data, reads the 24 h and 72 h clocks in Copenhagen time, records the NIS2 early
warning, downloads a notification draft, is refused closing while a clock is open, records the
rest, closes the incident and turns a lesson into a treatment action that the risk's page
shows with the incident."""

import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from incidents.models import Incident, IncidentStatus, IncidentSubmission
from portal.models import Organisation
from risks.models import Asset, Risk, TreatmentAction
from tests.browser.test_asset_pages import log_in
from tests.conftest import make_personas
from tests.factories import ThreatFactory

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
MONTHS = (
    "",
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def copenhagen(moment: datetime) -> str:
    """``moment`` as the page writes it: Danish, Copenhagen wall-clock time."""
    local = moment.astimezone(COPENHAGEN)
    return f"{local.day}. {MONTHS[local.month]} {local.year} {local:%H:%M}"


def cell(row, column: int) -> str:
    """The text of a table row's cell, its spaces plain (the page keeps "21 timer" together)."""
    return " ".join(row.locator("td").nth(column).inner_text().split())


def field(page, label: str):
    """The form field labelled ``label`` (an optional field's label ends "(frivilligt)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(frivilligt\))?$"))


def wall_clock(moment: datetime) -> str:
    """``moment`` as a ``datetime-local`` input takes it (Copenhagen time)."""
    return moment.astimezone(COPENHAGEN).strftime("%Y-%m-%dT%H:%M")


def record_submission(page, incident: Incident, kind: str, moment: datetime, **fields) -> None:
    page.goto(incident.get_absolute_url())
    page.get_by_role("link", name="Registrér en indberetning").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/submissions/add/")
    field(page, "Type").select_option(kind)
    field(page, "Indberettet").fill(wall_clock(moment))
    for label, value in fields.items():
        field(page, label).fill(value)
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/")


def test_a_ciso_takes_a_ransomware_incident_from_the_clocks_to_a_lesson(page, screenshot):
    personas = make_personas()
    ThreatFactory(slug="ransomware", name_da="Ransomware")
    # Minutes on the page: the times typed in are whole minutes, the clocks run from them.
    now = timezone.now().astimezone(UTC).replace(second=0, microsecond=0)
    detected = now - timedelta(hours=3)
    aware = now - timedelta(hours=2, minutes=30)

    log_in(page, "ciso.a")
    page.goto("/incidents/")
    page.get_by_role("link", name="Tilføj").click()
    page.wait_for_url("**/incidents/add/")
    field(page, "Organisation").select_option(str(personas.region_a.pk))
    field(page, "Titel").fill("Ransomware på laboratoriesystemet")
    field(page, "Beskrivelse").fill(
        "Filer på laboratoriets filserver er krypteret; en løsesumsbesked er fundet."
    )
    field(page, "Kategori").select_option("ransomware")
    field(page, "Alvorlighed").select_option("critical")
    field(page, "Opdaget").fill(wall_clock(detected))
    field(page, "Kendskab opnået").fill(wall_clock(aware))
    field(page, "Mistanke om ulovlig eller ondsindet handling").check()
    field(page, "Personoplysninger involveret").check()
    field(page, "Kategorier af personoplysninger").fill("Helbredsoplysninger, CPR-numre")
    field(page, "Omtrentligt antal registrerede").fill("12000")
    field(page, "Omtrentligt antal registreringer").fill("48000")
    field(page, "Væsentlig hændelse (NIS2)").check()
    field(page, "Begrundelse for NIS2-klassifikationen").fill(
        "Laboratoriets analyser er stoppet: alvorlig driftsforstyrrelse."
    )
    field(page, "Brud på persondatasikkerheden (GDPR)").check()
    screenshot("form")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(re.compile(r".*/incidents/\d+/$"))
    incident = Incident.objects.get(title="Ransomware på laboratoriesystemet")
    assert incident.organisation == personas.region_a
    assert incident.aware_at == aware

    # The clocks, due in absolute time from becoming aware, read in Copenhagen time.
    assert page.get_by_role("heading", name="Indberetningsfrister").is_visible()
    early = page.locator("#deadline-nis2_early_warning")
    assert cell(early, 0) == "NIS2 tidlig varsling"
    assert cell(early, 1) == copenhagen(aware + timedelta(hours=24))
    # 21 h 30 min from the whole minute the page was asked in (a minute may pass meanwhile).
    assert re.fullmatch(r"21 timer, (30|29|28) minutter tilbage", cell(early, 3))
    for kind, label in (
        ("nis2_notification", "NIS2 hændelsesunderretning"),
        ("gdpr_notification", "Anmeldelse til Datatilsynet"),
    ):
        row = page.locator(f"#deadline-{kind}")
        assert cell(row, 0) == label
        assert cell(row, 1) == copenhagen(aware + timedelta(hours=72))
        assert cell(row, 3) == "2 dage, 21 timer tilbage"
    assert page.locator("#deadline-nis2_final_report").is_visible()
    screenshot("clocks")

    # The early warning, sent on virk.dk an hour ago.
    record_submission(
        page,
        incident,
        "nis2_early_warning",
        now - timedelta(hours=1),
        Modtager="virk.dk",
        Referencenummer="VIRK-2026-0412",
    )
    early = page.locator("#deadline-nis2_early_warning")
    assert cell(early, 2) == copenhagen(now - timedelta(hours=1))
    assert cell(early, 3) == "Overholdt"
    submission = IncidentSubmission.objects.get(incident=incident)
    assert submission.kind == "nis2_early_warning"
    assert submission.by == personas.ciso_a
    assert "VIRK-2026-0412" in page.locator(f"#submission-{submission.pk}").inner_text()
    screenshot("early-warning")

    # The timeline: a containment entry (htmx), then the status and what the notification
    # needs, which enter it by themselves.
    page.get_by_text("Tilføj en post").click()
    entry = page.locator("#timeline-form")
    field(entry, "Type").select_option("containment")
    field(entry, "Hvornår").fill(wall_clock(now - timedelta(minutes=45)))
    field(entry, "Hvad skete der").fill(
        "Filserveren er isoleret fra netværket; backuppen er intakt."
    )
    entry.get_by_role("button", name="Føj til tidslinjen").click()
    # htmx answers with HX-Redirect to the page's own #timeline and HX-Refresh: the page is
    # loaded again, with the message and the entry (the location alone only scrolls).
    page.get_by_text("Posten er føjet til tidslinjen.").wait_for()
    page.get_by_role("link", name="Rediger").click()
    field(page, "Status").select_option("investigating")
    field(page, "Virkning").fill("Laboratoriets analyser er stoppet; prøver sendes til region B.")
    field(page, "Kompromitteringsindikatorer").fill("185.220.101.7, kryptering med .lockbit")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    timeline = page.locator("table", has=page.locator("caption", has_text="Tidslinje"))
    rows = [" ".join(row.inner_text().split()) for row in timeline.locator("tbody tr").all()]
    assert len(rows) == 3
    assert "Statusændring Status ændret fra Ny til Undersøges." in rows[0]
    assert "Inddæmning Filserveren er isoleret fra netværket" in rows[1]
    assert "Indberetning NIS2 tidlig varsling indsendt: virk.dk (VIRK-2026-0412)" in rows[2]
    screenshot("incident")

    # What the notification holds, then its draft and PDF.
    page.locator("#draft-nis2_notification").get_by_role("link").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/drafts/nis2_notification/")
    assert page.get_by_role(
        "heading", name="Udkast til indberetning: NIS2 hændelsesunderretning"
    ).is_visible()
    assert page.locator("#draft-complete").is_visible()
    text = page.locator("#draft-text").inner_text()
    assert "Kritisk" in text
    assert "185.220.101.7" in text
    screenshot("draft")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Closing while a clock is open is refused, as a field error on the status.
    page.goto(incident.get_absolute_url())
    page.get_by_role("link", name="Rediger").click()
    field(page, "Status").select_option("closed")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_load_state()
    error = page.locator(".form-error", has=page.locator("select[name=status]"))
    assert error.is_visible()
    assert (
        "Hændelsen kan ikke lukkes, mens en indberetningsfrist er åben: "
        "NIS2 hændelsesunderretning, NIS2 endelig rapport, Anmeldelse til Datatilsynet."
    ) in error.inner_text()
    screenshot("close-refused")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING

    # The rest of the reports, then the incident is closed.
    record_submission(
        page, incident, "nis2_notification", now - timedelta(minutes=40), Modtager="virk.dk"
    )
    record_submission(
        page, incident, "gdpr_notification", now - timedelta(minutes=30), Modtager="Datatilsynet"
    )
    record_submission(
        page, incident, "nis2_final_report", now - timedelta(minutes=10), Modtager="virk.dk"
    )
    for kind in ("nis2_notification", "gdpr_notification", "nis2_final_report"):
        assert cell(page.locator(f"#deadline-{kind}"), 3) == "Overholdt"
    page.get_by_role("link", name="Rediger").click()
    field(page, "Status").select_option("closed")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    latest = " ".join(timeline.locator("tbody tr").first.inner_text().split())
    assert "Statusændring Status ændret fra Undersøges til Lukket." in latest
    screenshot("closed")

    # The lesson: a risk created from the incident, with a treatment action.
    page.get_by_role("link", name="Opret en risiko ud fra hændelsen").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/lessons/risk/add/")
    assert field(page, "Titel").input_value() == incident.title
    field(page, "Titel").fill("Ransomware rammer laboratoriet igen")
    field(page, "Trussel").select_option(label="Ransomware")
    field(page, "Angrebsflade").select_option("digital")
    field(page, "Iboende sandsynlighed").select_option("4")
    field(page, "Iboende konsekvens").select_option("4")
    field(page, "Sandsynlighed efter tiltag").select_option("2")
    field(page, "Konsekvens efter tiltag").select_option("3")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/#lessons")
    risk = Risk.objects.get(title="Ransomware rammer laboratoriet igen")
    assert risk.organisation == personas.region_a
    lessons = page.locator(".lesson-list")
    assert lessons.get_by_role(
        "link", name="Ransomware rammer laboratoriet igen", exact=True
    ).is_visible()
    lessons.get_by_role("link", name="Tilføj tiltag").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/lessons/{risk.pk}/treatment/add/")
    field(page, "Titel").fill("Offline backup af laboratoriets filserver")
    field(page, "Ejer").select_option(label="ciso.a")
    field(page, "Frist").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/#lessons")
    action = TreatmentAction.objects.get(risk=risk)
    assert action.title == "Offline backup af laboratoriets filserver"
    assert action.owner == personas.ciso_a
    screenshot("lessons")

    # The risk's page shows the incident it is a lesson of, and the treatment action.
    lessons.get_by_role("link", name="Ransomware rammer laboratoriet igen", exact=True).click()
    page.wait_for_url(f"**/risks/{risk.pk}/")
    assert page.get_by_role("heading", name="Hændelser").is_visible()
    related = page.locator("#incidents + .related-list")
    assert related.get_by_role("link", name=incident.title).is_visible()
    assert "Lukket" in related.inner_text()
    assert page.locator(f"#treatment-{action.pk}").is_visible()
    screenshot("risk")


def test_the_secretariat_reads_the_sector_risk_picture_of_the_demo_sector(
    page, screenshot, settings
):
    """The picture the README shows: the demo sector's five regions, counts only."""
    settings.DEBUG = True  # seed_demo refuses to run in production
    call_command("seed_demo", "--scale", "0.05", stdout=StringIO())

    log_in(page, "secretariat", password="demo-cyberportal")
    menu = page.get_by_role("navigation", name="Hovedmenu")
    link = menu.get_by_role("link", name="Sektorens risikobillede", include_hidden=True).first
    assert link.get_attribute("href") == "/risks/sector/"
    page.goto("/risks/sector/")
    assert page.get_by_role("heading", name="Sektorens risikobillede").is_visible()
    rows = page.locator("#sector-regions tbody th[scope=row]").all_inner_texts()
    regions = Organisation.objects.regions().order_by("name_da")
    assert rows == [*(region.name for region in regions), "Sektoren"]
    assert page.locator("#sector-trend tbody tr").count() == 8
    assert page.locator("figure svg").first.is_visible()
    # Counts only: no region's risk, system or person is named.
    html = page.content()
    for risk in Risk.objects.order_by("-residual_score", "pk")[:20]:
        assert risk.title not in html
    for system in Asset.objects.order_by("pk")[:20]:
        assert system.name not in html
    screenshot("sector-picture")
