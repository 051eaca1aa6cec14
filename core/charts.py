"""Server-rendered SVG charts: geometry here, markup in templates/components/chart.html.

Both charts draw into a fixed viewBox and scale to their container's width, so they
need no JavaScript. Their labels scale with them: in a narrow chart (a phone) the stylesheet
draws them larger and hides the minor date labels to make room, and the margins below leave
room for labels of either size.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 64
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 36


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Segment:
    """One series' part of a stacked bar."""

    series: int  # its index among the chart's series (its colour)
    name: str
    y: float
    height: float
    value: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    href: str = ""  # a page about this bar (e.g. the day's drill-down), if any
    segments: tuple[Segment, ...] = ()  # a stacked bar's parts, bottom first

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str
    minor: bool = False  # every other label: hidden where the chart is narrow
    # The first label starts at its bar rather than centring on it, clear of the y axis's "0".
    anchor: str = "middle"


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # "bar", "line" or "stacked"
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[XLabel]
    line_points: str
    area_points: str
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    plot_bottom: int = HEIGHT - PAD_BOTTOM
    series: tuple[str, ...] = ()  # a stacked chart's series names, for its legend

    @property
    def is_empty(self) -> bool:
        return not self.bars

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above `value`, so axis labels read cleanly."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude) or 1
    return 10 * magnitude


def _fmt(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def _chart(
    title: str,
    kind: str,
    series: Sequence[tuple[str, int]],
    label_every: int,
    hrefs: Sequence[str] = (),
) -> Chart:
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = nice_ceiling(max((v for _, v in series), default=0))
    ticks = [Tick(round(PAD_TOP + plot_h - plot_h * i / 4, 1), _fmt(top * i / 4)) for i in range(5)]
    n = len(series)
    slot = plot_w / n if n else 0
    bars = []
    for i, (label, value) in enumerate(series):
        h = plot_h * value / top
        bars.append(
            Bar(
                x=round(PAD_LEFT + i * slot + slot * 0.15, 1),
                y=round(PAD_TOP + plot_h - h, 1),
                width=round(max(slot * 0.7, 1), 1),
                height=round(h, 1),
                label=label,
                value=value,
                href=hrefs[i] if hrefs else "",
            )
        )
    every = label_every or max(1, math.ceil(n / 8))
    # Label every `every`-th bar, and the last one unless it would crowd its neighbour.
    labelled = [i for i in range(n) if i % every == 0]
    if n and (n - 1) - (labelled[-1] if labelled else -every) >= (every + 1) // 2 + 1:
        labelled.append(n - 1)
    # Every other label is minor: a narrow chart draws labels larger and shows the rest.
    x_labels = [
        XLabel(bars[i].cx, bars[i].label, minor=k % 2 == 1)
        if i
        else XLabel(bars[i].x, bars[i].label, anchor="start")
        for k, i in enumerate(labelled)
    ]
    centres = [(b.cx, b.y) for b in bars]
    line = " ".join(f"{x},{y}" for x, y in centres)
    baseline = PAD_TOP + plot_h
    area = f"{centres[0][0]},{baseline} {line} {centres[-1][0]},{baseline}" if centres else ""
    return Chart(title, kind, bars, ticks, x_labels, line, area)


def bar_chart(
    title: str,
    series: Sequence[tuple[str, int]],
    *,
    label_every: int = 0,
    hrefs: Sequence[str] = (),
) -> Chart:
    """Bars; with `hrefs` (one per bar) each bar is a link (for pointers; see chart.html)."""
    return _chart(title, "bar", series, label_every, hrefs)


def line_chart(title: str, series: Sequence[tuple[str, int]], *, label_every: int = 0) -> Chart:
    return _chart(title, "line", series, label_every)


def stacked_bar_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> Chart:
    """Bars of several series stacked, one bar per label: `series` is (name, one value per
    label), drawn bottom first; negative values count as nothing (a stack shows what came
    in). Bars with nothing in them stay empty; a chart with nothing at all is empty."""
    totals = [sum(max(values[i], 0) for _, values in series) for i in range(len(labels))]
    if not any(totals):
        return Chart(title, "stacked", [], [], [], "", "", series=tuple(n for n, _ in series))
    base = _chart(title, "stacked", list(zip(labels, totals, strict=True)), 0)
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    top = nice_ceiling(max(totals))
    bars = []
    for i, bar in enumerate(base.bars):
        bottom, parts = PAD_TOP + plot_h, []
        for index, (name, values) in enumerate(series):
            value = max(values[i], 0)
            if not value:
                continue
            height = plot_h * value / top
            bottom -= height
            parts.append(Segment(index, name, round(bottom, 1), round(height, 1), value))
        bars.append(
            Bar(bar.x, bar.y, bar.width, bar.height, bar.label, bar.value, segments=tuple(parts))
        )
    return Chart(
        title,
        "stacked",
        bars,
        base.ticks,
        base.x_labels,
        "",
        "",
        series=tuple(name for name, _ in series),
    )


LORENZ_SIZE = 320
LORENZ_LEFT = 44  # room for the share labels on the left
LORENZ_TOP = 10
LORENZ_SPAN = LORENZ_SIZE - LORENZ_LEFT - 12  # the plot is square; the labels go below it


@dataclass(frozen=True)
class Curve:
    """One Lorenz curve: its series (its colour), name and polyline points."""

    series: int
    name: str
    points: str


@dataclass(frozen=True)
class LorenzTick:
    x: float  # where the mark falls along the bottom
    y: float  # and up the side
    label: str


@dataclass(frozen=True)
class LorenzChart:
    """Lorenz curves in a square plot: the share of creators, fewest points first, along the
    bottom; the share of the total they hold up the side; the diagonal is perfect equality.
    `rows` are the curves' values at the quarter marks, for the text alternative."""

    title: str
    curves: tuple[Curve, ...]
    ticks: tuple[LorenzTick, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    size: int = LORENZ_SIZE
    left: int = LORENZ_LEFT
    top: int = LORENZ_TOP
    right: int = LORENZ_LEFT + LORENZ_SPAN
    bottom: int = LORENZ_TOP + LORENZ_SPAN

    @property
    def is_empty(self) -> bool:
        return not self.curves

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(curve.name for curve in self.curves)


def lorenz_chart(
    title: str, curves: Sequence[tuple[str, Sequence[tuple[float, float]]]]
) -> LorenzChart:
    """Lorenz curves from (name, [(share of creators, share of the total), ...]), both
    shares from 0 to 1 and the first ascending (rewards.fairness.lorenz gives them)."""
    bottom = LORENZ_TOP + LORENZ_SPAN

    def xy(creators: float, total: float) -> str:
        x, y = LORENZ_LEFT + LORENZ_SPAN * creators, bottom - LORENZ_SPAN * total
        return f"{round(x, 1)},{round(y, 1)}"

    drawn = tuple(
        Curve(i, name, " ".join(xy(x, y) for x, y in points))
        for i, (name, points) in enumerate(curves)
        if points
    )
    ticks = tuple(
        LorenzTick(
            round(LORENZ_LEFT + LORENZ_SPAN * q / 4, 1),
            round(bottom - LORENZ_SPAN * q / 4, 1),
            f"{q * 25}%",
        )
        for q in range(5)
    )

    def at(points: Sequence[tuple[float, float]], share: float) -> str:
        # The curve's point nearest `share` of creators (rewards.fairness.lorenz's evenly
        # spaced points include the quarter marks when their count allows).
        nearest = min(points, key=lambda point: abs(point[0] - share))
        return f"{nearest[1]:.1%}"

    rows = tuple(
        (f"{q * 25}% of creators", tuple(at(points, q / 4) for _, points in curves if points))
        for q in range(1, 4)
    )
    return LorenzChart(title, drawn, ticks, rows)
