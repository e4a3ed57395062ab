from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

CELL = 56
LEFT = 150
TOP = 10
BOTTOM = 110
#: Room right of the last column for its label, drawn at 45° ("5 Katastrofal" must not be cut).
RIGHT = 80


@dataclass(frozen=True)
class HeatmapCell:
    likelihood: int
    consequence: int
    count: int
    level: str
    colour: str
    url: str | None
    x: int
    y: int
    text_colour: str
    #: What a screen reader says of the cell (its link's accessible name).
    label: str = ""


@dataclass
class Heatmap:
    """A likelihood × consequence grid with the number of risks in each cell.

    ``level_for(score)`` and ``colour_for(level)`` come from the organisation's matrix;
    ``url_for(likelihood, consequence)`` links a cell to the filtered register (or None); an
    empty cell links nowhere. Likelihood runs up the vertical axis, consequence along the
    horizontal one.
    """

    title: str
    description: str
    likelihood_labels: list[str]
    consequence_labels: list[str]
    counts: dict[tuple[int, int], int]
    level_for: Callable[[int], str]
    colour_for: Callable[[str], str]
    url_for: Callable[[int, int], str | None] = lambda likelihood, consequence: None
    axis_likelihood: str = ""
    axis_consequence: str = ""
    cells: list[HeatmapCell] = field(init=False)

    def __post_init__(self) -> None:
        rows = len(self.likelihood_labels)
        self.cells = []
        for likelihood in range(1, rows + 1):
            for consequence in range(1, len(self.consequence_labels) + 1):
                level = self.level_for(likelihood * consequence)
                colour = self.colour_for(level)
                count = self.counts.get((likelihood, consequence), 0)
                self.cells.append(
                    HeatmapCell(
                        likelihood=likelihood,
                        consequence=consequence,
                        count=count,
                        level=level,
                        colour=colour,
                        url=self.url_for(likelihood, consequence) if count else None,
                        x=LEFT + (consequence - 1) * CELL,
                        y=TOP + (rows - likelihood) * CELL,
                        text_colour=_readable_text(colour),
                        label=self._cell_label(likelihood, consequence, count),
                    )
                )

    def _cell_label(self, likelihood: int, consequence: int, count: int) -> str:
        return ngettext(
            "%(title)s: %(count)s risk with likelihood %(likelihood)s (%(likelihood_label)s) "
            "and consequence %(consequence)s (%(consequence_label)s)",
            "%(title)s: %(count)s risks with likelihood %(likelihood)s (%(likelihood_label)s) "
            "and consequence %(consequence)s (%(consequence_label)s)",
            count,
        ) % {
            "title": self.title,
            "count": count,
            "likelihood": likelihood,
            "likelihood_label": self.likelihood_labels[likelihood - 1],
            "consequence": consequence,
            "consequence_label": self.consequence_labels[consequence - 1],
        }

    @cached_property
    def linked(self) -> bool:
        """Whether any cell is a link (then the drawing is a group of links, not an image)."""
        return any(cell.url for cell in self.cells)

    @property
    def width(self) -> int:
        return LEFT + len(self.consequence_labels) * CELL + RIGHT

    @property
    def height(self) -> int:
        return TOP + len(self.likelihood_labels) * CELL + BOTTOM

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def row_labels(self) -> list[tuple[int, str, int]]:
        rows = len(self.likelihood_labels)
        return [
            (index + 1, label, TOP + (rows - index - 1) * CELL + CELL // 2)
            for index, label in enumerate(self.likelihood_labels)
        ]

    def column_labels(self) -> list[tuple[int, str, int]]:
        return [
            (index + 1, label, LEFT + index * CELL + CELL // 2)
            for index, label in enumerate(self.consequence_labels)
        ]

    @property
    def axis_y(self) -> int:
        return TOP + len(self.likelihood_labels) * CELL

    def table_rows(self) -> list[tuple[str, list[HeatmapCell]]]:
        """The same numbers as a table: one row per likelihood, highest first."""
        by_row: dict[int, list[HeatmapCell]] = {}
        for cell in self.cells:
            by_row.setdefault(cell.likelihood, []).append(cell)
        return [
            (self.likelihood_labels[likelihood - 1], by_row[likelihood])
            for likelihood in sorted(by_row, reverse=True)
        ]

    def svg(self) -> SafeString:
        return SafeString(render_to_string("charts/heatmap.svg", {"chart": self}))


def _readable_text(background: str) -> str:
    """Black or white text, whichever contrasts more with ``background`` (#rrggbb)."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return "#000000" if luminance > 0.179 else "#ffffff"
