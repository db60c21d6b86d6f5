"""Server-rendered SVG charts of the cooperation survey, for the browser and the PDF report alike.

Pure functions: plain data in (names, quarter labels, Decimals or None), markup out; nothing is
read from the database. Only presentation attributes are used (no style attributes), which the
strict CSP allows. Each chart is an `<svg role="img">` with an aria-label and a <title>; the page
shows the same figures in a table next to it for screen readers and for copying.

Colours follow who is rated, everywhere: teal for scores given to the supplier (client →
supplier), brown for scores given to the client (supplier → client). Both have at least 4.5:1
contrast on white, so the printed values stay readable.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

TO_SUPPLIER = "#0b5d57"
TO_CLIENT = "#9a4300"
GRID = "#d5dbda"
TEXT = "#212529"
MUTED = "#5c6361"
SCALE_MAX = 10
NAME_CHARS = 28


def _num(value) -> str:
    """One decimal in the active language's notation ("7.2" / "7,2"); a dash when missing."""
    if value is None:
        return "–"
    # Half up, as the templates' floatformat rounds, so the chart and the table agree.
    return formats.number_format(Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP), 1)


def _signed(value) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + _num(value)


def _short(name: str) -> str:
    name = str(name)
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _svg(width: int, height: int, label: str, body: SafeString, css: str) -> SafeString:
    return format_html(
        '<svg class="{css}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{label}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, '
        'sans-serif" font-size="12"><title>{label}</title>{body}</svg>',
        css=css,
        w=width,
        h=height,
        label=label,
        body=body,
    )


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> SafeString:
    """Coloured squares with their text, left to right."""
    parts, cursor = [], x
    for colour, text in items:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                cursor,
                y - 9,
                colour,
                cursor + 14,
                y,
                TEXT,
                text,
            )
        )
        cursor += 24 + 7 * len(str(text))
    return format_html_join("", "{}", ((p,) for p in parts))


def _x_axis(x0: float, x1: float, y_top: float, y_bottom: float) -> SafeString:
    """Vertical grid lines at 0, 2, ... 10 with their numbers under the plot."""
    step = (x1 - x0) / SCALE_MAX
    return format_html_join(
        "",
        '<line x1="{x}" x2="{x}" y1="{t}" y2="{b}" stroke="{g}" stroke-width="1"/>'
        '<text x="{x}" y="{ty}" text-anchor="middle" fill="{m}">{v}</text>',
        (
            {
                "x": round(x0 + v * step, 1),
                "t": y_top,
                "b": y_bottom,
                "ty": y_bottom + 14,
                "g": GRID,
                "m": MUTED,
                "v": v,
            }
            for v in range(0, SCALE_MAX + 1, 2)
        ),
    )


# --- (a) per-indicator bars, both directions side by side ------------------------------------


def indicator_bars(
    rows: Sequence[tuple[str, Decimal | None, Decimal | None]], *, label: str, width: int = 640
) -> SafeString:
    """Horizontal bars per indicator: (name, mean given to the supplier, mean given to the client).

    A direction without scores (the indicator does not rate that side, or nobody answered) gets
    no bar and a dash, so a missing score never looks like a zero.
    """
    if not rows:
        return SafeString("")
    x0, x1, top, bar, group = 200.0, width - 50.0, 30.0, 13, 40
    step = (x1 - x0) / SCALE_MAX
    height = int(top + group * len(rows) + 24)
    parts = [
        _legend(
            [(TO_SUPPLIER, _("Client → supplier")), (TO_CLIENT, _("Supplier → client"))], 8, 16
        ),
        _x_axis(x0, x1, top - 4, top + group * len(rows)),
    ]
    for i, (name, to_supplier, to_client) in enumerate(rows):
        y = top + i * group + 6
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}"><title>{}</title>{}</text>',
                x0 - 8,
                y + bar + 3,
                TEXT,
                name,
                _short(name),
            )
        )
        for offset, value, colour in (
            (0, to_supplier, TO_SUPPLIER),
            (bar + 2, to_client, TO_CLIENT),
        ):
            parts.append(_bar(x0, y + offset, step, bar, value, colour))
    return _svg(width, height, label, format_html_join("", "{}", ((p,) for p in parts)), "chart")


def _bar(x0: float, y: float, step: float, thickness: int, value, colour: str) -> SafeString:
    if value is None:
        return format_html(
            '<text x="{}" y="{}" fill="{}">–</text>', x0 + 4, y + thickness - 2, MUTED
        )
    length = round(float(value) * step, 1)
    return format_html(
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"/>'
        '<text x="{tx}" y="{ty}" fill="{c}" font-weight="600">{v}</text>',
        x=x0,
        y=y,
        w=length,
        h=thickness,
        c=colour,
        tx=round(x0 + length + 4, 1),
        ty=y + thickness - 2,
        v=_num(value),
    )


# --- (b) the grade trend over closed surveys -------------------------------------------------


def grade_trend(
    points: Sequence[tuple[str, Decimal | None, Decimal | None]],
    *,
    label: str,
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """Two lines over the closed surveys: (quarter label, grade to supplier, grade to client).

    The y axis is the whole 1-10 scale, so a rise is not exaggerated; a survey without a grade in
    one direction breaks that line instead of dropping it to zero.
    """
    if not points:
        return SafeString("")
    # The plot area runs from the y axis (`left`) to `right`; its numbers sit outside it, left of
    # the axis. The first and last quarters are inset by `inset`, so a value printed at a dot
    # never runs into the axis numbers and the quarter labels under the ends are not clipped.
    left, right, top, bottom = 36.0, width - 24.0, 40.0, height - 44.0
    inset = 40.0

    def y(value) -> float:
        return round(bottom - (bottom - top) * (float(value) - 1) / (SCALE_MAX - 1), 1)

    first, last = left + inset, right - inset
    step = (last - first) / (len(points) - 1) if len(points) > 1 else 0
    xs = [round(first + i * step if step else (left + right) / 2, 1) for i in range(len(points))]
    parts = [
        _legend(
            [(TO_SUPPLIER, _("Client → supplier")), (TO_CLIENT, _("Supplier → client"))], 8, 16
        ),
        _y_axis(left, right, y),
        format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
            (
                (x, bottom + 34, MUTED, quarter)
                for x, (quarter, _s, _c) in zip(xs, points, strict=True)
            ),
        ),
    ]
    # At each quarter the higher grade is labelled above its dot and the lower one below, so
    # the two labels never sit on top of each other.
    above = [c is None or (s is not None and s >= c) for _q, s, c in points]
    parts.append(_series(xs, [p[1] for p in points], y, TO_SUPPLIER, above))
    parts.append(_series(xs, [p[2] for p in points], y, TO_CLIENT, [not a for a in above]))
    return _svg(width, height, label, format_html_join("", "{}", ((p,) for p in parts)), "chart")


def _y_axis(left: float, right: float, y) -> SafeString:
    return format_html_join(
        "",
        '<line x1="{l}" x2="{r}" y1="{y}" y2="{y}" stroke="{g}" stroke-width="1"/>'
        '<text x="{tx}" y="{ty}" text-anchor="end" fill="{m}">{v}</text>',
        (
            {
                "l": left,
                "r": right,
                "y": y(v),
                "g": GRID,
                "tx": left - 6,
                "ty": y(v) + 4,
                "m": MUTED,
                "v": v,
            }
            for v in (2, 4, 6, 8, 10)
        ),
    )


def _series(xs: list[float], values: list, y, colour: str, above: list[bool]) -> SafeString:
    """A line with gaps at missing values, a dot per value and the value printed beside it."""
    segments, current = [], []
    for x, value in zip(xs, values, strict=True):
        if value is None:
            segments, current = segments + ([current] if current else []), []
        else:
            current.append(f"{x},{y(value)}")
    if current:
        segments.append(current)
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>',
        ((" ".join(s), colour) for s in segments if len(s) > 1),
    )
    dots = format_html_join(
        "",
        '<circle cx="{x}" cy="{cy}" r="4" fill="{c}"/>'
        '<text x="{x}" y="{ty}" text-anchor="middle" fill="{c}" font-weight="600">{v}</text>',
        (
            {"x": x, "cy": y(v), "c": colour, "ty": y(v) + (-9 if up else 17), "v": _num(v)}
            for x, v, up in zip(xs, values, above, strict=True)
            if v is not None
        ),
    )
    return format_html("{}{}", lines, dots)


# --- (c) the perception gap: a side's own view against the other side's ---------------------


def perception_gap(
    rows: Sequence[tuple[str, str, Decimal | None, Decimal | None]],
    *,
    label: str,
    width: int = 640,
) -> SafeString:
    """A dumbbell per (indicator name, rated side, self-assessment, the other side's view).

    The open circle is how the side sees itself, the filled one how the other side sees it; the
    line between them is the gap, printed on the right (positive: the side thinks better of
    itself). `rated side` is "supplier" or "client" and picks the colour.
    """
    if not rows:
        return SafeString("")
    x0, x1, top, row_h = 200.0, width - 100.0, 34.0, 26
    step = (x1 - x0) / SCALE_MAX
    height = int(top + row_h * len(rows) + 22)
    parts = [
        _gap_legend(),
        _x_axis(x0, x1, top - 6, top + row_h * len(rows) - 6),
    ]
    for i, (name, side, own, other) in enumerate(rows):
        colour = TO_SUPPLIER if side == "supplier" else TO_CLIENT
        parts.append(_dumbbell(x0, step, top + i * row_h + 8, name, colour, own, other))
    return _svg(width, height, label, format_html_join("", "{}", ((p,) for p in parts)), "chart")


def _gap_legend() -> SafeString:
    return format_html(
        '<circle cx="13" cy="12" r="5" fill="#fff" stroke="{t}" stroke-width="2"/>'
        '<text x="24" y="16" fill="{t}">{own}</text>'
        '<circle cx="223" cy="12" r="5" fill="{t}"/>'
        '<text x="234" y="16" fill="{t}">{other}</text>',
        t=TEXT,
        own=_("Own view (self-assessment)"),
        other=_("The other side's view"),
    )


def _dumbbell(x0, step, y, name, colour, own, other) -> SafeString:
    def x(value) -> float:
        return round(x0 + float(value) * step, 1)

    parts = [
        format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}"><title>{}</title>{}</text>',
            x0 - 8,
            y + 4,
            TEXT,
            name,
            _short(name),
        )
    ]
    if own is not None and other is not None:
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}" stroke-width="3"/>',
                x(own),
                x(other),
                colour,
                y=y,
            )
        )
    if other is not None:
        parts.append(format_html('<circle cx="{}" cy="{}" r="6" fill="{}"/>', x(other), y, colour))
    if own is not None:
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="6" fill="#fff" stroke="{}" stroke-width="2.5"/>',
                x(own),
                y,
                colour,
            )
        )
    gap = None if own is None or other is None else Decimal(own) - Decimal(other)
    text = _signed(gap) if gap is not None else _("no comparison")
    parts.append(
        format_html(
            '<text x="{}" y="{}" fill="{}" font-weight="600">{}</text>',
            x0 + SCALE_MAX * step + 8,
            y + 4,
            colour if gap is not None else MUTED,
            text,
        )
    )
    return format_html_join("", "{}", ((p,) for p in parts))
