"""Server-rendered SVG charts, shared by the browser pages and the PDF reports.

Each chart is a plain data object rendered by a template under ``templates/charts/``; the
SVG carries a ``<title>`` and ``<desc>`` and each page shows the same numbers as a table, so
the charts are accessible and need no JavaScript. Colours are SVG attributes, not inline
styles, so a strict Content-Security-Policy allows them.
"""

from portal.charts.bars import Bar, BarChart
from portal.charts.heatmap import Heatmap, HeatmapCell
from portal.charts.lines import LineChart, Point, Series

__all__ = ["Bar", "BarChart", "Heatmap", "HeatmapCell", "LineChart", "Point", "Series"]
