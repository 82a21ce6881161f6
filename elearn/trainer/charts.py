"""Geometry for the small SVG charts of the reports: pure functions, no drawing library.

Both charts put their first category or date at the start of the reading direction: on the left
in English, on the right in Arabic (`rtl=True` mirrors the x axis). The SVG itself is laid out
left to right (`direction="ltr"`); a date label in Arabic is written right to left
(`Tick.rtl`: the template gives that text `direction="rtl"`, so its words and digits keep their
order), and its anchor is given in the label's own direction. The templates draw them as inline
SVG with a title, a description and the same figures as a table.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
PAD_TOP, PAD_BOTTOM, PAD_SIDE = 16, 44, 48


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str
    anchor: str = "middle"  # start/end in the label's own direction
    rtl: bool = False  # the label is written right to left


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


def _nice_max(value: int) -> int:
    for step in (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250, 300, 400, 500,
                 750, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000):
        if value <= step * 4:
            return step * 4
    return value


def _y_ticks(top: int) -> list[Tick]:
    inner = HEIGHT - PAD_TOP - PAD_BOTTOM
    return [Tick(0, PAD_TOP + inner * (1 - i / 4), f"{top * i // 4:,}") for i in range(5)]


def _x(fraction: float, rtl: bool) -> float:
    inner = WIDTH - 2 * PAD_SIDE
    return PAD_SIDE + inner * ((1 - fraction) if rtl else fraction)


def histogram(counts: list[int], labels: list[str], rtl: bool) -> dict:
    """Bars for `counts` (one per label) on a y axis that starts at zero."""
    top = _nice_max(max(counts, default=0) or 1)
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = (WIDTH - 2 * PAD_SIDE) / max(len(counts), 1)
    bars = []
    for i, (count, label) in enumerate(zip(counts, labels)):
        height = inner_h * count / top
        x = _x(i / len(counts), rtl) - (slot if rtl else 0)
        bars.append(Bar(x + slot * 0.1, PAD_TOP + inner_h - height, slot * 0.8, height, label, count))
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "y_ticks": _y_ticks(top),
            "axis_x": _axis_x(rtl), "baseline": PAD_TOP + inner_h, "label_y": HEIGHT - PAD_BOTTOM + 18}


def _axis_x(rtl: bool) -> float:
    return WIDTH - PAD_SIDE if rtl else PAD_SIDE


def step_line(series: list[tuple[dt.date, int]], ceiling: int, rtl: bool, date_label) -> dict:
    """A cumulative count over days as a step line from the first day to the last."""
    top = _nice_max(max(ceiling, max((v for _, v in series), default=0), 1))
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    days = max(len(series) - 1, 1)
    points = []
    previous_y = None
    for i, (_, value) in enumerate(series):
        x = _x(i / days, rtl)
        y = PAD_TOP + inner_h * (1 - value / top)
        if previous_y is not None and y != previous_y:
            points.append((x, previous_y))
        points.append((x, y))
        previous_y = y
    if len(series) == 1:  # a single day still draws a visible segment
        points.append((_x(1, rtl), points[0][1]))
    picks = sorted({0, len(series) // 2, len(series) - 1}) if series else []
    last = len(series) - 1

    def anchor(i: int) -> str:
        # The end labels stay inside the picture: each runs from its point towards the middle,
        # which is the label's own start (first day) or end (last day) in either direction.
        if i == 0 and last > 0:
            return "start"
        if i == last and last > 0:
            return "end"
        return "middle"

    x_ticks = [Tick(_x(i / days, rtl), HEIGHT - PAD_BOTTOM + 18, date_label(series[i][0]), anchor(i), rtl)
               for i in picks]
    return {"width": WIDTH, "height": HEIGHT, "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
            "y_ticks": _y_ticks(top), "x_ticks": x_ticks, "axis_x": _axis_x(rtl), "baseline": PAD_TOP + inner_h}
