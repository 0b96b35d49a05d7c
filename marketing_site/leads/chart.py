"""Server-rendered SVG bar charts for the funnel report: geometry is computed here and
drawn by the template with SVG attributes only (no script, no inline style, so it
works under the admin's Content Security Policy and without JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from marketing_site.leads.selectors import Funnel

CHART_WIDTH = 640
LABEL_WIDTH = 170
BAR_HEIGHT = 28
BAR_GAP = 14
VALUE_GAP = 8
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_x: int
    text_y: int
    percent_of_first: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    summary: str


def bar_chart(*, title: str, items: list[tuple[str, int]]) -> BarChart:
    """Horizontal bars scaled to the largest value; percentages relative to the first
    bar (the top of the funnel)."""
    largest = max((value for _label, value in items), default=0) or 1
    first = items[0][1] if items else 0
    usable = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(usable * value / largest) if value else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=max(width, 2 if value else 0),
                text_x=LABEL_WIDTH + max(width, 2) + VALUE_GAP,
                text_y=y + BAR_HEIGHT // 2 + 5,
                percent_of_first=round(100 * value / first, 1) if first else 0.0,
            )
        )
    height = max(len(items), 1) * (BAR_HEIGHT + BAR_GAP)
    summary = "; ".join(f"{label}: {value}" for label, value in items) or "No data"
    return BarChart(
        title=title,
        bars=bars,
        width=CHART_WIDTH,
        height=height,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        summary=summary,
    )


def funnel_chart(funnel: Funnel) -> BarChart:
    total = funnel.total
    return bar_chart(
        title="Lead funnel",
        items=[
            ("Leads", total.leads),
            ("Confirmed email", total.confirmed),
            ("Signed up", total.signed_up),
            ("First purchase", total.purchased),
        ],
    )


def sources_chart(funnel: Funnel, *, limit: int = 8) -> BarChart:
    by_source: dict[str, int] = {}
    for row in funnel.rows:
        by_source[row.source] = by_source.get(row.source, 0) + row.leads
    top = sorted(by_source.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return bar_chart(title="Leads by source", items=top)
