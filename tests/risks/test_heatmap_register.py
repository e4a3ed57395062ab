"""A heatmap and the register it opens agree: one filter, shown as removable chips; the result
count; sortable column headers; the heatmap's links are links, not parts of an image."""

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from risks.models import Risk
from tests.factories import AssetFactory
from tests.risks.conftest import make_risk

SVG = "{http://www.w3.org/2000/svg}"


def _da(text: str) -> str:
    with translation.override("da"):
        return translation.gettext(text)


@pytest.fixture
def register(personas, threats):
    """Region A's risks in a few cells, closed ones among them, and region B's risk on a
    system shared with region A (which region A's register lists, but not its heatmap)."""
    risks = {}
    for title, status, residual in (
        ("Åben A1", "identified", (2, 4)),
        ("Accepteret A2", "accepted", (2, 4)),
        ("Lukket A3", "closed", (2, 4)),
        ("Lukket A4", "closed", (5, 5)),
        ("Vurderet A5", "assessed", (1, 1)),
    ):
        risks[title] = make_risk(
            personas.region_a,
            threats,
            title=title,
            status=status,
            residual_likelihood=residual[0],
            residual_consequence=residual[1],
        )
    system = AssetFactory(organisation=personas.region_b)
    system.shared_with.add(personas.region_a)
    shared = make_risk(personas.region_b, threats, title="Delt B1")
    shared.assets.add(system)
    risks["Delt B1"] = shared
    return risks


def _listed(client, url: str) -> list[str]:
    if url.startswith("?"):  # a link relative to the register (a chip's)
        url = reverse("risks:risk_list") + url
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["result_count"] == response.context["paginator"].count
    return [risk.title for risk in response.context["paginator"].object_list]


def _linked_cells(chart):
    return [cell for cell in chart.cells if cell.url]


@pytest.mark.parametrize(
    ("persona", "params"),
    [
        ("ciso_a", {}),  # the only region, implied
        ("viewer_a", {"organisation": "region-a"}),
        ("riskowner_a", {}),  # only the risks they own
        ("admin", {}),  # every region
        ("admin", {"organisation": "region-b"}),
    ],
)
def test_it_lists_as_many_risks_as_each_heatmap_cell_counts(
    personas, register, client_as, persona, params
):
    user = personas.by_name(persona)
    Risk.objects.filter(title__in=["Åben A1", "Lukket A3"]).update(owner=personas.riskowner_a)
    client = client_as(user)
    page = client.get(reverse("risks:heatmap"), params)
    checked = 0
    for kind in ("inherent", "residual"):
        chart = page.context[kind]
        assert chart.total == sum(cell.count for cell in chart.cells)
        for cell in chart.cells:
            if not cell.count:
                assert cell.url is None
                continue
            listed = _listed(client, cell.url)
            assert len(listed) == cell.count, (kind, cell, listed)
            assert not any(title.startswith("Lukket") for title in listed)
            checked += 1
    assert checked
    for _level, count, url in page.context["level_counts"]:
        assert len(_listed(client, url)) == count


def test_a_cell_counts_open_risks_only_and_its_register_lists_the_same(
    personas, register, client_as
):
    client = client_as(personas.ciso_a)
    page = client.get(reverse("risks:heatmap"))
    cell = next(
        c for c in page.context["residual"].cells if (c.likelihood, c.consequence) == (2, 4)
    )
    assert cell.count == 2  # the closed risk in the cell is not counted
    assert sorted(_listed(client, cell.url)) == ["Accepteret A2", "Åben A1"]
    # The closed risk of the cell is a filter away: remove "open" and it is listed.
    query = parse_qs(urlsplit(cell.url).query)
    assert query == {
        "organisation": ["region-a"],
        "residual_likelihood": ["2"],
        "residual_consequence": ["4"],
        "open": ["true"],
    }
    everything = _listed(client, cell.url.replace("&open=true", ""))
    assert sorted(everything) == ["Accepteret A2", "Lukket A3", "Åben A1"]
    # A cell holding only closed risks counts nothing and links nowhere.
    closed_only = next(
        c for c in page.context["residual"].cells if (c.likelihood, c.consequence) == (5, 5)
    )
    assert (closed_only.count, closed_only.url) == (0, None)


def test_the_dashboard_heatmap_and_its_overdue_reviews_open_what_they_count(
    personas, register, client_as
):
    Risk.objects.filter(title__in=["Åben A1", "Lukket A3"]).update(
        next_review=date.today() - timedelta(days=5)
    )
    client = client_as(personas.ciso_a)
    dashboard = client.get(reverse("dashboard_region", kwargs={"slug": "region-a"})).context
    for cell in _linked_cells(dashboard["heatmap"]):
        assert len(_listed(client, cell.url)) == cell.count
    reviews = dashboard["overdue_reviews"]
    assert reviews.total == 1
    assert _listed(client, reviews.url) == ["Åben A1"]


def test_the_heatmap_links_are_named_links_in_a_group_not_parts_of_an_image(
    personas, register, client_as
):
    page = client_as(personas.ciso_a).get(reverse("risks:heatmap")).content.decode()
    drawings = re.findall(r"<svg xmlns=.*?</svg>", page, flags=re.S)
    assert len(drawings) == 2
    for drawing in drawings:
        svg = ElementTree.fromstring(drawing)  # noqa: S314 (the page under test)
        assert svg.get("role") == "group"
        assert svg.get("aria-labelledby")
        links = list(svg.iter(f"{SVG}a"))
        assert links
        for link in links:
            assert not list(link.iter(f"{SVG}a"))[1:], "a link inside a link"
            assert not [e for e in link.iter() if e.get("tabindex") is not None]
            count = link.find(f"{SVG}g/{SVG}text").text
            assert link.get("aria-label").split(": ", 1)[1].startswith(f"{count} ")
        # Everything that is not a link is hidden from screen readers (the table says it).
        groups = [e for e in svg if e.tag == f"{SVG}g"]
        assert groups and all(group.get("aria-hidden") == "true" for group in groups)


def test_a_heatmap_without_links_stays_an_image(personas, register):
    from risks.models import risk_matrix_for
    from risks.selectors import register_heatmap

    chart = register_heatmap(
        queryset=Risk.objects.open(),
        matrix=risk_matrix_for(personas.region_a),
        kind="residual",
        url_for=lambda likelihood, consequence: None,
    )
    svg = ElementTree.fromstring(str(chart.svg()))  # noqa: S314 (the chart under test)
    assert svg.get("role") == "img"
    assert not list(svg.iter(f"{SVG}a"))


def test_the_cells_filters_show_in_the_panel_and_as_chips_that_remove_them(
    personas, register, client_as
):
    client = client_as(personas.ciso_a)
    url = reverse("risks:risk_list")
    query = (
        "organisation=region-a&residual_likelihood=2&residual_consequence=4&open=true"
        "&status=identified&status=accepted&sort=title&page=1"
    )
    response = client.get(f"{url}?{query}")
    chips = {(chip.name, chip.value): chip for chip in response.context["active_filters"]}
    assert set(chips) == {
        ("organisation", "Region A"),
        ("residual_likelihood", "2"),
        ("residual_consequence", "4"),
        ("open", _da("Yes")),
        ("status", _da("Identified")),
        ("status", _da("Accepted")),
    }
    removed = parse_qs(urlsplit(chips[("status", _da("Identified"))].remove_url).query)
    assert removed == {
        "organisation": ["region-a"],
        "residual_likelihood": ["2"],
        "residual_consequence": ["4"],
        "open": ["true"],
        "status": ["accepted"],
        "sort": ["title"],  # the order is kept; the page starts again
    }
    removed = parse_qs(urlsplit(chips[("residual_likelihood", "2")].remove_url).query)
    assert "residual_likelihood" not in removed and removed["residual_consequence"] == ["4"]
    # Following a chip's link lists what the list without that filter lists.
    assert sorted(_listed(client, chips[("open", _da("Yes"))].remove_url)) == [
        "Accepteret A2",
        "Åben A1",
    ]
    page = response.content.decode()
    assert page.count(_da("Remove filter:")) == 6
    for chip in chips.values():
        assert f'href="{chip.remove_url.replace("&", "&amp;")}"' in page
    # The cell's filters are fields of the panel, which is open, not hidden inputs.
    assert re.search(r'<input type="number" name="residual_likelihood" value="2"', page)
    assert re.search(r"<details class=\"filter-panel\" open>", page)


def test_a_refused_filter_is_no_chip_and_the_panel_shows_its_error(personas, register, client_as):
    response = client_as(personas.ciso_a).get(
        reverse("risks:risk_list"), {"residual_likelihood": "x", "q": "A"}
    )
    assert response.status_code == 200
    assert [chip.name for chip in response.context["active_filters"]] == ["q"]
    assert response.context["filter_panel_open"]
    assert "residual_likelihood" in response.context["filter_form"].errors


def test_without_filters_the_panel_is_closed_and_no_chip_is_shown(personas, register, client_as):
    response = client_as(personas.ciso_a).get(reverse("risks:risk_list"), {"q": "A"})
    assert [chip.name for chip in response.context["active_filters"]] == ["q"]
    assert not response.context["filter_panel_open"]
    assert '<details class="filter-panel">' in response.content.decode()


@pytest.mark.parametrize(("titles", "expected"), [(["Én"], 1), (["Én", "To", "Tre"], 3), ([], 0)])
def test_the_result_count_shows_on_a_single_page(personas, threats, client_as, titles, expected):
    for title in titles:
        make_risk(personas.region_a, threats, title=title)
    response = client_as(personas.ciso_a).get(reverse("risks:risk_list"))
    assert response.context["result_count"] == expected
    assert not response.context["is_paginated"]
    with translation.override("da"):
        text = translation.ngettext("%(counter)s result", "%(counter)s results", expected) % {
            "counter": expected
        }
    assert f'<p class="result-count" id="result-count">{text}</p>' in response.content.decode()


def _order(client, **params) -> list[str]:
    response = client.get(reverse("risks:risk_list"), params)
    return [risk.title for risk in response.context["object_list"]]


def _header(response, label: str):
    return next(header for header in response.context["headers"] if header.label == _da(label))


def test_a_column_header_sorts_and_a_second_click_reverses(personas, threats, client_as):
    for title, likelihood, review in (("B", 5, 3), ("A", 1, None), ("C", 3, 1)):
        make_risk(
            personas.region_a,
            threats,
            title=title,
            residual_likelihood=likelihood,
            residual_consequence=1,
            next_review=date.today() + timedelta(days=review) if review else None,
        )
    client = client_as(personas.viewer_a)
    url = reverse("risks:risk_list")

    first = client.get(url)  # the highest residual score first
    assert [risk.title for risk in first.context["object_list"]] == ["B", "C", "A"]
    residual = _header(first, "Residual")
    assert (residual.aria_sort, residual.arrow) == ("descending", "▼")
    assert parse_qs(urlsplit(residual.url).query)["sort"] == ["score"]
    title = _header(first, "Risk")
    assert title.aria_sort is None and parse_qs(urlsplit(title.url).query)["sort"] == ["title"]
    assert _header(first, "Region").url is None
    assert 'aria-sort="descending"' in first.content.decode()

    second = client.get(url + residual.url)
    assert [risk.title for risk in second.context["object_list"]] == ["A", "C", "B"]
    residual = _header(second, "Residual")
    assert (residual.aria_sort, residual.arrow) == ("ascending", "▲")
    assert parse_qs(urlsplit(residual.url).query)["sort"] == ["-score"]

    assert _order(client, sort="title") == ["A", "B", "C"]
    assert _order(client, sort="-title") == ["C", "B", "A"]
    # Without a review date last, in either direction.
    assert _order(client, sort="review") == ["C", "B", "A"]
    assert _order(client, sort="-review") == ["B", "C", "A"]
    # Anything but an offered key is the default order, not an error.
    for bad in ("residual_score", "--score", "owner__password", "-"):
        assert _order(client, sort=bad) == ["B", "C", "A"]


def test_sorting_keeps_the_filters_and_filtering_keeps_the_sort(personas, register, client_as):
    response = client_as(personas.ciso_a).get(
        reverse("risks:risk_list"), {"open": "true", "sort": "title", "page": "1"}
    )
    residual = parse_qs(urlsplit(_header(response, "Residual").url).query)
    assert residual == {"open": ["true"], "sort": ["-score"]}
    assert '<input type="hidden" name="sort" value="title">' in response.content.decode()


def test_the_trend_comes_after_the_pagination(personas, threats, client_as):
    from risks.services import risk_snapshots_take

    for n in range(55):
        make_risk(personas.region_a, threats, title=f"R{n:02d}")
    risk_snapshots_take(today=date.today())
    page = client_as(personas.ciso_a).get(reverse("risks:risk_list")).content.decode()
    assert 'class="pagination"' in page
    assert page.index('class="pagination"') < page.index(_da("Quarter"))
    assert page.index("result-count") < page.index("<table")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_chips_and_headers_cost_the_same_queries_at_any_size(personas, threats, client_as):
    client = client_as(personas.ciso_a)
    url = (
        f"{reverse('risks:risk_list')}?organisation=region-a&residual_likelihood=2"
        "&residual_consequence=4&open=true&status=identified&threat=ransomware&sort=-review"
    )

    def grow(count: int) -> None:
        for n in range(count):
            make_risk(personas.region_a, threats, title=f"R{n}")
            make_risk(personas.region_a, threats, title=f"Lukket {n}", status="closed")

    grow(2)
    small = _queries(client, url)
    grow(60)
    assert _queries(client, url) == small
    assert client.get(url).context["result_count"] == 62


def test_the_open_filter_serves_the_api_too(personas, register, api_as):
    api = api_as(personas.ciso_a)
    url = reverse("api:risk-list")

    def titles(**params) -> list[str]:
        response = api.get(url, {"organisation": "region-a", **params})
        assert response.status_code == 200
        return sorted(row["title"] for row in response.json()["results"])

    assert titles(open="true") == ["Accepteret A2", "Vurderet A5", "Åben A1"]
    assert titles(open="false") == ["Lukket A3", "Lukket A4"]
    assert len(titles()) == 5
