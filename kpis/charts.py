"""Server-rendered SVG charts, so the same picture shows in the browser and in a PDF report.

Only presentation attributes are used (no style attributes), which the strict CSP allows.
"""

from decimal import Decimal

from django.utils.html import format_html, format_html_join

from .status import Status

COLOURS = {
    Status.GREEN: "#198754",
    Status.AMBER: "#b8860b",
    Status.RED: "#c0392b",
    Status.MISSING: "#8a8f98",
}


def _scale(values: list[Decimal], target: Decimal, height: float, pad: float):
    finite = [v for v in values if v is not None] + [target]
    low, high = min(finite), max(finite)
    if low == high:
        low, high = low - 1, high + 1
    span = high - low

    def y(value: Decimal) -> float:
        return round(pad + (height - 2 * pad) * float((high - value) / span), 1)

    return y


def sparkline(history, *, target: Decimal, width: int = 120, height: int = 32, label: str = ""):
    """A line through the period values with a dashed target line; gaps where a value is missing.

    `history` is a list of objects with `.value` and `.status` (oldest first).
    """
    values = [h.value for h in history]
    if not values:
        return ""
    pad = 4.0
    y = _scale(values, Decimal(target), height, pad)
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    xs = [round(pad + i * step, 1) for i in range(len(values))]
    segments, current = [], []
    for x, v in zip(xs, values, strict=True):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(f"{x},{y(v)}")
    if current:
        segments.append(current)
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="#0b5d57" stroke-width="1.5"/>',
        ((" ".join(points),) for points in segments),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2.2" fill="{}"/>',
        (
            (x, y(h.value), COLOURS[h.status])
            for x, h in zip(xs, history, strict=True)
            if h.value is not None
        ),
    )
    target_y = y(Decimal(target))
    return format_html(
        '<svg class="sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{label}"><line x1="0" x2="{w}" y1="{ty}" y2="{ty}" stroke="#8a8f98" '
        'stroke-dasharray="3 3" stroke-width="1"/>{lines}{dots}</svg>',
        w=width,
        h=height,
        label=label,
        ty=target_y,
        lines=lines,
        dots=dots,
    )
