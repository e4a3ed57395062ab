"""Hostile text typed into free-text fields stays text: escaped in the HTML pages and the
report HTML that WeasyPrint prints, cleaned in Markdown narratives, plain in e-mails, and
never a formula in the spreadsheet exports."""

import csv
import io
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.models import (
    Deliverable,
    Initiative,
    Milestone,
    RegionalImplementation,
    StatusUpdate,
    WorkingGroup,
)
from initiatives.services import status_reminders_send
from reports.markdown import render_markdown
from reports.models import NarrativeDraft, ReportRun
from reports.rendering import render_html
from risks.importexport import export_assets, export_risks, export_treatments
from risks.importexport.layouts import FORMULA_STARTS
from risks.models import Asset, AttackSurfaceProfile, CriticalFunction, Risk, TreatmentAction
from tests.sector import make_sector

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
HOSTILE = f"X {SCRIPT} {BREAKOUT}"
#: What must never reach a page unescaped.
RAW = ("<script>alert(1)", "<img src=x", '"><img')
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_inert(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{where} holds {raw!r} unescaped"
    assert 'href="javascript:' not in html.lower(), f"{where} links to javascript:"


@pytest.fixture
def hostile(personas):
    """The sector with hostile text in every free-text field region A's CISO sees."""
    sector = make_sector(personas)
    region = personas.region_a
    region.name_da = f"Region A {HOSTILE}"
    region.save()
    Risk.objects.filter(organisation=region).update(
        title=f"Risiko {HOSTILE}", description=HOSTILE, vulnerability=HOSTILE
    )
    TreatmentAction.objects.filter(risk__organisation=region).update(title=f"Handling {HOSTILE}")
    Asset.objects.filter(organisation=region).update(
        name=f"System {HOSTILE}", description=HOSTILE, supplier=HOSTILE
    )
    CriticalFunction.objects.filter(organisation=region).update(name=HOSTILE, description=HOSTILE)
    AttackSurfaceProfile.objects.filter(organisation=region).update(note=HOSTILE)
    RegionalImplementation.objects.filter(organisation=region).update(note=HOSTILE)
    StatusUpdate.objects.update(
        narrative=HOSTILE, achievements=HOSTILE, next_steps=HOSTILE, blockers=HOSTILE
    )
    WorkingGroup.objects.update(name_da=f"Gruppe {HOSTILE}", topics=HOSTILE, description=HOSTILE)
    Deliverable.objects.update(title=f"Leverance {HOSTILE}", description=HOSTILE)
    Milestone.objects.update(title=f"Milepæl {HOSTILE}")
    NarrativeDraft.objects.filter(organisation=region).update(
        body=f"{HOSTILE}\n\n[klik](javascript:alert(1)) <a href='javascript:alert(2)'>a</a>"
    )
    return sector


def test_it_escapes_hostile_text_on_every_page(hostile, client_as):
    personas = hostile.personas
    risk = hostile.risks["a"][0]
    asset = hostile.assets["a"][0]
    initiative = Initiative.objects.exclude(working_group=None).first()
    pages = {
        "home": reverse("home"),
        "organisations": reverse("organisation_list"),
        "organisation": reverse("organisation_detail", kwargs={"slug": "region-a"}),
        "register": reverse("risks:risk_list"),
        "risk": risk.get_absolute_url(),
        "risk form": reverse("risks:risk_edit", kwargs={"pk": risk.pk}),
        "heatmap": reverse("risks:heatmap"),
        "treatment plan": reverse("risks:treatment_plan"),
        "assets": reverse("risks:asset_list"),
        "asset": asset.get_absolute_url(),
        "asset form": reverse("risks:asset_edit", kwargs={"pk": asset.pk}),
        "critical functions": reverse("risks:critical_function_list"),
        "attack surface": reverse("risks:attack_surface", kwargs={"slug": "region-a"}),
        "portfolio": reverse("initiatives:portfolio"),
        "initiative": initiative.get_absolute_url(),
        "groups": reverse("initiatives:working_group_list"),
        "group": initiative.working_group.get_absolute_url(),
        "deliverable": Deliverable.objects.get().get_absolute_url(),
        "implementation": reverse("initiatives:implementation_matrix"),
        "reports": reverse("reports:run_list"),
    }
    client = client_as(personas.ciso_a)
    shown = 0
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert_inert(html, name)
        shown += ESCAPED in html
    assert shown >= len(pages) - 3  # the text is there, escaped, on (nearly) every page


def test_it_cleans_markdown_narratives():
    for text in (
        SCRIPT,
        BREAKOUT,
        "[klik](javascript:alert(1))",
        "<a href='javascript:alert(1)'>a</a>",
        "![x](javascript:alert(1))",
        '<iframe src="https://example.org"></iframe><p onclick="alert(1)">p</p>',
        "[klik](JaVaScRiPt:alert(1))",
    ):
        html = str(render_markdown(text))
        assert_inert(html, text)
        assert "<iframe" not in html and "onclick" not in html and "javascript:" not in html.lower()
    assert str(render_markdown("**fed** [DCIS](https://www.dcis.dk)")) == (
        '<p><strong>fed</strong> <a href="https://www.dcis.dk" rel="noopener noreferrer">'
        "DCIS</a></p>"
    )


@pytest.mark.parametrize("kind", ["council_appendix", "ciso_quarterly", "tsi_portfolio"])
def test_it_escapes_hostile_text_in_the_report_html(hostile, kind):
    period = {"council_appendix": str(date.today().year), "tsi_portfolio": "2026-H1"}
    run = ReportRun.objects.create(
        kind=kind,
        organisation=None if kind == "tsi_portfolio" else hostile.personas.region_a,
        period=period.get(kind, "2026-Q1"),
        requested_by=hostile.personas.ciso_a,
    )
    NarrativeDraft.objects.update_or_create(
        kind=kind,
        organisation=run.organisation,
        period=run.period,
        section="conclusion",
        defaults={"body": f"{HOSTILE} [klik](javascript:alert(1))"},
    )
    html = render_html(run)
    assert_inert(html, kind)
    assert ESCAPED in html


def test_reminder_mails_are_plain_text_with_a_one_line_subject(hostile, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    group = WorkingGroup.objects.get()
    group.name_da = f"Gruppe {SCRIPT}\nBcc: attacker@example.org"
    group.save()
    Initiative.objects.filter(status_updates=None).update(working_group=group)
    hostile.personas.secretariat.email = "secretariat@test.invalid"
    hostile.personas.secretariat.save()
    assert status_reminders_send(today=date(2026, 12, 20)) == 1
    (message,) = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.recipients() == ["secretariat@test.invalid"]
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])  # no HTML part that could carry markup
    assert message.message()["Bcc"] is None


def _cells(content: bytes, fmt: str) -> list[str]:
    if fmt == "csv":
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
        return [cell for row in rows for cell in row]
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    return [cell.value for cell in cells if isinstance(cell.value, str)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_exported_text_cell_is_a_formula(hostile, fmt):
    region = hostile.personas.region_a
    formula = '=HYPERLINK("https://x.example","klik")'
    Risk.objects.filter(organisation=region).update(
        title=formula, description="+1+1", vulnerability="-2+3", acceptance_reason="@SUM(A1)"
    )
    Asset.objects.filter(organisation=region).update(
        name=formula, description="@A1", supplier="＝1+1"
    )
    TreatmentAction.objects.filter(risk__organisation=region).update(title="\t=1+1")
    exports = [
        export_risks(queryset=Risk.objects.filter(organisation=region), fmt=fmt),
        export_assets(queryset=Asset.objects.filter(organisation=region), fmt=fmt),
        export_treatments(
            queryset=TreatmentAction.objects.filter(risk__organisation=region), fmt=fmt
        ),
    ]
    for content, _type, _suffix in exports:
        cells = _cells(content, fmt)
        dangerous = [cell for cell in cells if cell and cell[0] in FORMULA_STARTS]
        assert not dangerous, dangerous
        assert any(cell.startswith("'=HYPERLINK") or cell.startswith("'\t") for cell in cells)
