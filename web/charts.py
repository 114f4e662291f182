"""Server-rendered SVG charts: the geometry here, the markup in ``templates/chart.svg.html``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT = 720, 180
LEFT, BOTTOM, TOP = 36, 24, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: int
    ticks: list[tuple[float, str]]  # (x, label) under the bars: each day's start
    baseline: float
    left: int
    top: int


def bar_chart(series: list[tuple[datetime, int]]) -> Chart:
    """One bar per hour, scaled to the busiest hour; a label at every midnight (UTC)."""
    peak = max((n for _, n in series), default=0)
    plot_width, plot_height = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    step = plot_width / max(len(series), 1)
    bars, ticks = [], []
    for index, (hour, count) in enumerate(series):
        x = LEFT + index * step
        height = plot_height * count / peak if peak else 0
        bars.append(
            Bar(
                x, TOP + plot_height - height, max(step - 1, 1), height, f"{hour:%Y-%m-%d %H}:00 UTC: {count}"
            )
        )
        if hour.hour == 0:
            ticks.append((x, f"{hour:%b %d}"))
    return Chart(WIDTH, HEIGHT, bars, peak, ticks, TOP + plot_height, LEFT, TOP)
