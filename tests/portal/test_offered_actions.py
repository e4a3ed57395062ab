"""Pages offer only what works: every link, button and form on the main pages, followed by
each persona who sees it, is not refused (403) — an action the user may not take is not
offered at all (``{% can %}``, the same named actions the views ask)."""

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from capabilities.models import MaturityAssessment
from initiatives.models import Initiative
from reports.forms import ReportRequestForm
from reports.models import ReportKind
from tests.sector import Sector, make_sector

PERSONAS = ("ciso_a", "riskowner_a", "viewer_a", "secretariat", "admin")
#: Links that end the session or change the language: not actions on the portal's data.
SKIPPED = re.compile(r"^/(static/|media/|accounts/logout|logout|i18n/|admin/|api/)")


class _Targets(HTMLParser):
    """The links (GET) and form actions (with their method) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.targets.append(("get", values["href"]))
        if tag == "form":
            method = values.get("method", "get").lower()
            self.targets.append((method, values.get("action", "")))
        for method in ("get", "post"):
            if values.get(f"hx-{method}"):
                self.targets.append((method, values[f"hx-{method}"]))


class _Rollback(Exception):
    pass


def _targets(page_url: str, html: str) -> Iterator[tuple[str, str]]:
    parser = _Targets()
    parser.feed(html)
    for method, target in parser.targets:
        url, _fragment = urldefrag(urljoin(page_url, target))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if not parts.path or SKIPPED.match(parts.path):
            continue
        yield method, parts.path + (f"?{parts.query}" if parts.query else "")


def _answer(client: Client, method: str, url: str) -> int:
    if method == "get":
        return client.get(url).status_code
    # A POST without data: refused (403) before anything is checked, or a field error; what
    # it would change is rolled back.
    status = 0
    try:
        with transaction.atomic():
            status = client.post(url, {}).status_code
            raise _Rollback
    except _Rollback:
        pass
    return status


def _main_pages(sector: Sector) -> list[str]:
    personas = sector.personas
    initiative = Initiative.objects.filter(working_group__isnull=False).first()
    campaign = MaturityAssessment.objects.get(organisation=personas.region_a)
    return [
        reverse("home"),
        reverse("dashboard_tsi"),
        reverse("risks:risk_list"),
        reverse("risks:heatmap"),
        reverse("risks:treatment_plan"),
        reverse("risks:asset_list"),
        sector.risks["a"][0].get_absolute_url(),  # its owner is riskowner_a
        sector.risks["a"][1].get_absolute_url(),  # no owner
        sector.assets["a"][0].get_absolute_url(),
        reverse("initiatives:portfolio"),
        initiative.get_absolute_url(),
        reverse("capabilities:overview"),
        campaign.get_absolute_url(),
        reverse("reports:run_list"),
        sector.runs["a"].get_absolute_url(),
        reverse("audit_export"),
        reverse("audit_reads"),
    ]


@pytest.fixture
def sector(personas) -> Sector:
    return make_sector(personas)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_and_form_on_the_main_pages_works_for_who_sees_it(sector, persona):
    client = Client(raise_request_exception=False)
    client.force_login(sector.personas.by_name(persona))
    refused, followed = [], set()
    for page_url in _main_pages(sector):
        page = client.get(page_url)
        if page.status_code != 200:
            continue  # a page the persona may not open offers nothing
        for method, url in _targets(page_url, page.content.decode()):
            if (method, url) in followed:
                continue
            followed.add((method, url))
            if _answer(client, method, url) == 403:
                refused.append(f"{method.upper()} {url} (offered on {page_url})")
    assert followed, "no link was found on the main pages"
    assert not refused, "\n".join(refused)


def test_the_report_form_offers_a_reader_nothing_to_request(sector, client_as):
    page = client_as(sector.personas.viewer_a).get(reverse("reports:run_list"))
    assert page.status_code == 200
    assert 'id="request_kind"' not in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "kinds", "sector_edition"),
    [
        # The sector's risk picture has no region's edition: never a CISO's to request.
        ("ciso_a", set(ReportKind.values) - {ReportKind.SECTOR_RISK_PICTURE}, False),
        (
            "secretariat",
            {
                ReportKind.COUNCIL_APPENDIX,
                ReportKind.TSI_PORTFOLIO,
                ReportKind.SECTOR_RISK_PICTURE,
            },
            True,
        ),
        ("admin", set(ReportKind.values), True),
        ("viewer_a", set(), False),
    ],
)
def test_the_report_form_offers_only_the_kinds_and_editions_the_user_may_request(
    sector, persona, kinds, sector_edition
):
    form = ReportRequestForm(user=sector.personas.by_name(persona))
    assert {value for value, _label in form.fields["kind"].choices} == kinds
    offers_sector = any(value == "" for value, _label in form.fields["organisation"].choices)
    assert offers_sector == sector_edition
