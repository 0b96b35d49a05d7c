"""Geometry for the report's monthly bar charts, drawn as inline SVG by the template (no
JavaScript, nothing inline the content security policy would refuse: SVG presentation
attributes are not styles). The same numbers are always shown in a table beside it."""

import math
from collections.abc import Iterable
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


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, last: date, *, limit: int) -> tuple[list[date], bool]:
    """The months from `first` to `last`, at most the last `limit` of them, and whether
    some were left out (a period of centuries must not build a list of centuries)."""
    first, last = _month_start(first), _month_start(last)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    is_truncated = count > limit
    if is_truncated:
        first = _months_back(last, limit - 1)
    months, month = [], first
    while month <= last:
        months.append(month)
        if month.year == 9999 and month.month == 12:
            break
        month = _next_month(month)
    return months, is_truncated


def report_months(
    months_with_data: Iterable[date],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int,
) -> tuple[list[date], bool]:
    """Every month the report covers, empty ones included: the period when given
    (otherwise the first to the last month with data), at most the last `limit`."""
    months_with_data = sorted(months_with_data)
    if not months_with_data and (start is None or end is None):
        return [], False
    first = _month_start(start) if start is not None else months_with_data[0]
    last = (
        _month_start(end - timedelta(microseconds=1)) if end is not None else months_with_data[-1]
    )
    if months_with_data:
        first, last = min(first, months_with_data[0]), max(last, months_with_data[-1])
    return month_range(first, last, limit=limit)


def monthly_bar_chart(
    values: dict[date, int], *, start: datetime | None = None, end: datetime | None = None
) -> BarChart | None:
    """Bars for each month from the first to the last (the report's period when given,
    else the months with data), empty months included; None when there is nothing to
    draw. Only the last `MAX_MONTHS` are drawn; the table keeps more."""
    months, is_truncated = report_months(values, start=start, end=end, limit=MAX_MONTHS)
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
