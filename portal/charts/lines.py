from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from portal.periods import period_name

#: Series colours (≥ 3:1 against white, told apart by marker shape too).
COLOURS = ["#0059b3", "#d35400", "#1e7b34", "#6a1b9a", "#454545", "#b00020"]
MARKERS = ["circle", "square", "diamond", "triangle", "circle", "square"]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    period: str

    @property
    def label(self) -> str:
        """The point's period in the active language (when the chart is drawn)."""
        return period_name(self.period)


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    marker: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if index == 0 else 'L'}{point.x},{point.y}"
            for index, point in enumerate(self.points)
        )


@dataclass
class LineChart:
    """Series over periods (e.g. average maturity per discipline) on a 0..``maximum`` scale."""

    title: str
    description: str
    periods: list[str]
    values: dict[str, list[float | None]]  # series name -> one value per period (None: gap)
    maximum: float = 5
    width: int = 560
    height: int = 240
    #: The distance between gridlines (e.g. 50 for counts up to 200).
    step: float = 1
    series: list[Series] = field(init=False)

    LEFT = 36
    RIGHT = 12
    TOP = 12
    BOTTOM = 56

    def __post_init__(self) -> None:
        plot_width = self.width - self.LEFT - self.RIGHT
        plot_height = self.height - self.TOP - self.BOTTOM
        step = plot_width / max(1, len(self.periods) - 1)
        self.series = []
        for index, (name, values) in enumerate(self.values.items()):
            points = [
                Point(
                    x=round(self.LEFT + position * step, 1),
                    y=round(self.TOP + plot_height * (1 - value / self.maximum), 1),
                    value=round(value, 1),
                    period=self.periods[position],
                )
                for position, value in enumerate(values)
                if value is not None
            ]
            self.series.append(
                Series(name, COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)], points)
            )

    @property
    def axis_y(self) -> int:
        return self.height - self.BOTTOM

    @property
    def gridlines(self) -> list[tuple[int | float, float]]:
        plot_height = self.height - self.TOP - self.BOTTOM
        levels = [index * self.step for index in range(int(self.maximum / self.step) + 1)]
        return [
            (
                int(level) if float(level).is_integer() else level,
                round(self.TOP + plot_height * (1 - level / self.maximum), 1),
            )
            for level in levels
        ]

    @property
    def period_ticks(self) -> list[tuple[str, float]]:
        plot_width = self.width - self.LEFT - self.RIGHT
        step = plot_width / max(1, len(self.periods) - 1)
        return [
            (period_name(period, short=True), round(self.LEFT + index * step, 1))
            for index, period in enumerate(self.periods)
        ]

    @property
    def legend(self) -> list[tuple[Series, int]]:
        return [(series, self.LEFT + index * 120) for index, series in enumerate(self.series)]

    def svg(self) -> SafeString:
        return SafeString(render_to_string("charts/lines.svg", {"chart": self}))
