"""The SVG chart components draw with plain numbers whatever the user's language."""

import re

from django.utils import translation

from portal.charts import BarChart, Heatmap


def _numbers_in_attributes(svg: str) -> list[str]:
    return re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', svg)


def test_bar_chart_coordinates_are_not_localised():
    chart = BarChart(
        title="T", description="D", labels=["A", "B"], values=[3.0, 1.5], targets=[4.5, 2.0]
    )
    with translation.override("da"):
        svg = chart.svg()
    for value in _numbers_in_attributes(svg):
        assert "," not in value, value
    assert "3,0" in svg  # the label a person reads is in Danish format


def test_heatmap_draws_a_cell_per_rating_with_counts():
    chart = Heatmap(
        title="T",
        description="D",
        likelihood_labels=["a", "b", "c"],
        consequence_labels=["x", "y", "z"],
        counts={(3, 3): 7},
        level_for=lambda score: "high" if score > 4 else "low",
        colour_for=lambda level: "#b71c1c" if level == "high" else "#2e7d32",
    )
    with translation.override("da"):
        svg = chart.svg()
    assert svg.count("<rect") == 9
    assert ">7<" in svg
    for value in _numbers_in_attributes(svg):
        assert "," not in value, value


def test_the_last_consequence_label_fits_inside_the_heatmap():
    """Labels are drawn at 45° from below each column; the longest one the template allows
    (18 characters) must end inside the drawing, not be cut at its edge."""
    labels = ["Ubetydelig", "Mindre", "Alvorlig", "Meget alvorlig", "Katastrofal"]
    chart = Heatmap(
        title="T",
        description="D",
        likelihood_labels=labels,
        consequence_labels=[*labels[:4], "Katastrofal ~~~~~~"],  # 18 characters
        counts={},
        level_for=lambda score: "low",
        colour_for=lambda level: "#2e7d32",
    )
    number, label, x = chart.column_labels()[-1]
    # 11 px type: at most ~0.62 em a character; rotated 45°, the run is cos 45° of its length.
    extent = len(f"{number} {label}") * 11 * 0.62 * 0.7072
    assert x + 4 + extent <= chart.width, (x, extent, chart.width)


def test_line_chart_draws_a_path_per_series_and_skips_gaps():
    from portal.charts import LineChart

    chart = LineChart(
        title="T",
        description="D",
        periods=["2024-H1", "2024-H2", "2025-H1"],
        values={"Opdage": [1.0, 2.5, 3.0], "Håndtere": [None, 1.0, 2.0]},
    )
    with translation.override("da"):
        svg = chart.svg()
    assert svg.count("<path") == 2
    assert chart.series[1].path.count("L") == 1  # two points: the gap is skipped
    for value in _numbers_in_attributes(svg):
        assert "," not in value, value


def test_a_charts_axis_and_points_name_the_periods_as_a_reader_writes_them():
    """Labels are the data's values; the axis shows "4. kvt. 2025" and a point's title
    "4. kvartal 2025" (English "Q4 2025"); a label that is no period is kept."""
    from portal.charts import LineChart

    chart = LineChart(
        title="T",
        description="D",
        periods=["2025-Q3", "2025-Q4", "2025"],
        values={"Kritisk": [1.0, 2.0, 3.0]},
    )
    with translation.override("da"):
        svg = chart.svg()
        assert [period for period, _x in chart.period_ticks] == [
            "3. kvt. 2025",
            "4. kvt. 2025",
            "2025",
        ]
    assert ">4. kvt. 2025</text>" in svg and "2025-Q4" not in svg
    assert "Kritisk 4. kvartal 2025: 2,0" in svg
    with translation.override("en"):
        assert "Q4 2025" in chart.svg()
