"""The response-rate chart: a server-rendered SVG of stacked bars, with a table beside it."""

from django import template
from django.utils.safestring import mark_safe

from resourcecentre.lib.html import html_from_input
from resourcecentre.responses.queries import SEGMENTS, RateRow

register = template.Library()

# Geometry of the chart, in SVG user units; the SVG scales to the width of its container.
LABEL_WIDTH = 230
BAR_X = 240
BAR_WIDTH = 400
ROW_HEIGHT = 30
BAR_HEIGHT = 20
LABEL_CHARS = 30


@register.inclusion_tag("responses/_rate_chart.html")
def rate_chart(rows: list[RateRow], title: str, chart_id: str, heading: str = "") -> dict:
    bars = []
    for index, row in enumerate(rows):
        y = index * ROW_HEIGHT
        label = row.label if len(row.label) <= LABEL_CHARS else row.label[: LABEL_CHARS - 1] + "…"
        bars.append(
            {
                "row": row,
                "label": label,
                "y": y,
                "text_y": y + BAR_HEIGHT - 5,
                "parts": [
                    {**part, "x": BAR_X + BAR_WIDTH * part["x"] / 100, "w": BAR_WIDTH * part["width"] / 100}
                    for part in row.segments
                    if part["count"]
                ],
            }
        )
    return {
        "bars": bars,
        "title": title,
        "heading": heading or title,
        "chart_id": chart_id,
        "height": max(1, len(rows)) * ROW_HEIGHT,
        "legend": [{"css": css, "label": label} for _name, css, label in SEGMENTS],
        "geometry": {
            "label_x": LABEL_WIDTH,
            "bar_x": BAR_X,
            "bar_h": BAR_HEIGHT,
            "rate_x": BAR_X + BAR_WIDTH + 8,
        },
    }


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


@register.filter
def response_html(text: str) -> str:
    """What a company wrote, as the sanitised HTML it will be published as."""
    return mark_safe(html_from_input(text))  # noqa: S308 (escaped by html_from_input)
