"""Geometry of the dashboard's charts, drawn as inline SVG by the templates: no JavaScript
library, nothing to load, and the numbers stay readable to screen readers (each chart
also carries its data as a table)."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class HorizontalBar:
    label: str
    note: str
    y: int
    width: float


@dataclass(frozen=True)
class HorizontalBarChart:
    """One row per item: its label and note on a line, its bar on the line below."""

    width: int
    height: int
    bars: list[HorizontalBar]
    bar_height: int


def horizontal_bars(
    rows: list[tuple[str, Decimal | int, str]], *, width: int = 480, row_height: int = 50
) -> HorizontalBarChart:
    """Bars for (label, value, note) rows, scaled so the largest value fills the width."""
    largest = max((value for _, value, _ in rows), default=0) or 1
    bars = [
        HorizontalBar(
            label=label,
            note=note,
            y=index * row_height,
            # A non-zero value keeps a sliver of a bar, so it never reads as nothing.
            width=max(float(value) / float(largest) * width, 3 if value else 0),
        )
        for index, (label, value, note) in enumerate(rows)
    ]
    return HorizontalBarChart(
        width=width, height=max(len(rows), 1) * row_height, bars=bars, bar_height=16
    )


@dataclass(frozen=True)
class Column:
    label: str
    show_label: bool
    value: int
    x: float
    y: float
    width: float
    height: float
    centre: float
    value_y: float


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline: int
    columns: list[Column]
    is_empty: bool


def columns(
    points: list[tuple[str, int]], *, width: int = 480, height: int = 200, label_every: int = 2
) -> ColumnChart:
    """Vertical bars for (label, value) points with room for the value above each bar and
    every `label_every`-th label below the baseline (all of them would overlap)."""
    top, bottom, side = 18, 22, 16
    baseline = height - bottom
    # Side margins keep the first and last labels, centred under their bars, inside the box.
    slot = (width - 2 * side) / max(len(points), 1)
    largest = max((value for _, value in points), default=0)
    scale = (baseline - top) / largest if largest else 0
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = value * scale
        bars.append(
            Column(
                label=label,
                # Label the latest point and count back, so the current week always has one.
                show_label=(len(points) - 1 - index) % label_every == 0,
                value=value,
                x=side + index * slot + slot * 0.15,
                y=baseline - bar_height,
                width=slot * 0.7,
                height=bar_height,
                centre=side + index * slot + slot / 2,
                value_y=baseline - bar_height - 4,
            )
        )
    return ColumnChart(
        width=width, height=height, baseline=baseline, columns=bars, is_empty=largest == 0
    )
