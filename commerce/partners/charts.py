"""Geometry for the report's monthly bar charts, drawn as inline SVG by the template (no
JavaScript, nothing inline the content security policy would refuse: SVG presentation
attributes are not styles). The same numbers are always shown in a table beside it."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

WIDTH = 640
HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_RIGHT = 8
MARGIN_TOP = 20
MARGIN_BOTTOM = 36
MAX_MONTHS = 36
MAX_LABELS = 12


@dataclass(frozen=True)
class Bar:
    month: date
    value: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label: str
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    baseline_y: float
    top_y: float
    axis_x: float
    max_value: int
    is_truncated: bool


def _month_start(moment: date | datetime) -> date:
    return date(moment.year, moment.month, 1)


def _next_month(month: date) -> date:
    return date(month.year + (month.month // 12), month.month % 12 + 1, 1)


def month_range(first: date, last: date) -> list[date]:
    months, month = [], _month_start(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def monthly_bar_chart(
    values: dict[date, int], *, start: datetime | None = None, end: datetime | None = None
) -> BarChart | None:
    """Bars for each month from the first to the last (the report's period when given,
    else the months with data), empty months included; None when there is nothing to
    draw. Only the last `MAX_MONTHS` are drawn; the table keeps them all."""
    if not values and (start is None or end is None):
        return None
    first = _month_start(start) if start is not None else min(values)
    last = _month_start(end - timedelta(microseconds=1)) if end is not None else max(values)
    if values:
        first, last = min(first, min(values)), max(last, max(values))
    months = month_range(first, last)
    is_truncated = len(months) > MAX_MONTHS
    months = months[-MAX_MONTHS:]
    if not months:
        return None
    max_value = max([values.get(month, 0) for month in months] + [1])
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_width / len(months)
    bar_width = max(slot * 0.64, 1.0)
    label_every = math.ceil(len(months) / MAX_LABELS)
    baseline = MARGIN_TOP + plot_height
    bars = []
    for index, month in enumerate(months):
        value = values.get(month, 0)
        height = plot_height * value / max_value
        x = MARGIN_LEFT + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                month=month,
                value=value,
                x=round(x, 2),
                y=round(baseline - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                label_x=round(x + bar_width / 2, 2),
                label=month.strftime("%b %y"),
                show_label=(len(months) - 1 - index) % label_every == 0,
            )
        )
    return BarChart(
        bars=bars,
        width=WIDTH,
        height=HEIGHT,
        baseline_y=baseline,
        top_y=MARGIN_TOP,
        axis_x=MARGIN_LEFT,
        max_value=max_value,
        is_truncated=is_truncated,
    )
