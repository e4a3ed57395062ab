from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    target: float | None
    x: int
    width: int
    height: float
    y: float
    target_y: float | None


@dataclass
class BarChart:
    """Vertical bars (e.g. a region's average maturity per discipline) on a 0..``maximum``
    scale, with an optional target marker per bar. Shared by pages and PDFs."""

    title: str
    description: str
    labels: list[str]
    values: list[float | None]
    targets: list[float | None] = field(default_factory=list)
    maximum: float = 5
    step: float = 1
    value_label: str = ""
    target_label: str = ""
    width: int = 420
    height: int = 220
    bars: list[Bar] = field(init=False)

    LEFT = 36
    BOTTOM = 40
    TOP = 12

    def __post_init__(self) -> None:
        plot_height = self.height - self.BOTTOM - self.TOP
        slot = (self.width - self.LEFT - 8) / max(1, len(self.labels))
        self.bars = []
        for index, label in enumerate(self.labels):
            value = self.values[index] or 0
            target = self.targets[index] if index < len(self.targets) else None
            height = plot_height * value / self.maximum
            self.bars.append(
                Bar(
                    label=label,
                    value=round(value, 1),
                    target=None if target is None else round(target, 1),
                    x=int(self.LEFT + index * slot + slot * 0.2),
                    width=int(slot * 0.6),
                    height=round(height, 1),
                    y=round(self.TOP + plot_height - height, 1),
                    target_y=None
                    if target is None
                    else round(self.TOP + plot_height * (1 - target / self.maximum), 1),
                )
            )

    @property
    def axis_y(self) -> int:
        return self.height - self.BOTTOM

    @property
    def gridlines(self) -> list[tuple[int | float, float]]:
        plot_height = self.height - self.BOTTOM - self.TOP
        levels = [round(index * self.step, 2) for index in range(int(self.maximum / self.step) + 1)]
        return [
            (
                int(level) if float(level).is_integer() else level,
                round(self.TOP + plot_height * (1 - level / self.maximum), 1),
            )
            for level in levels
        ]

    def svg(self) -> SafeString:
        return SafeString(render_to_string("charts/bars.svg", {"chart": self}))
