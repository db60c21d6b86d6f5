"""The SVG charts: pure functions, so they are tried without a database."""

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from sti import charts


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>", svg)


def assert_accessible(svg: str, label: str) -> None:
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert f'aria-label="{label}"' in svg and f"<title>{label}</title>" in svg
    assert "style=" not in svg  # the CSP allows presentation attributes only


def test_bars_print_both_directions_and_skip_missing_ones():
    svg = charts.indicator_bars(
        [("Openness", D("7.25"), D("6.5")), ("Reachability", D("8"), None)], label="Scores"
    )
    assert_accessible(svg, "Scores")
    shown = texts(svg)
    assert {"Openness", "Reachability", "7.3", "6.5", "8.0", "–"} <= set(shown)
    # Three bars (plus the two legend squares): nothing drawn for the missing direction.
    assert svg.count("<rect") == 3 + 2
    assert 'width="312.0"' in svg  # 8.0 of 10 on the 390-wide scale (x 200 to 590)


def test_bars_are_empty_without_rows_and_escape_names():
    assert charts.indicator_bars([], label="x") == ""
    svg = charts.indicator_bars([("<b>Open</b> & fair", D(5), D(5))], label="x")
    assert "<b>" not in svg and "&lt;b&gt;Open&lt;/b&gt; &amp; fair" in svg


def test_values_follow_the_language():
    with translation.override("nl"):
        svg = charts.indicator_bars([("Openheid", D("7.2"), D("5.3"))], label="x")
    assert "7,2" in texts(svg) and "5,3" in texts(svg)


def test_long_names_are_shortened_with_the_full_name_as_title():
    name = "Keeping agreements about cleaning schedules"
    svg = charts.indicator_bars([(name, D(6), D(6))], label="x")
    assert f"<title>{name}</title>" in svg and "Keeping agreements about cl…" in svg


def test_trend_draws_two_lines_with_labels():
    svg = charts.grade_trend(
        [
            ("2025-Q3", D("5.3"), D("6.0")),
            ("2025-Q4", D("6.1"), D("6.4")),
            ("2026-Q1", D("7.2"), D("6.9")),
        ],
        label="Trend",
    )
    assert_accessible(svg, "Trend")
    assert svg.count("<polyline") == 2
    shown = texts(svg)
    assert {"2025-Q3", "2025-Q4", "2026-Q1", "5.3", "7.2", "6.0", "6.9"} <= set(shown)


def test_trend_breaks_a_line_at_a_missing_grade():
    svg = charts.grade_trend(
        [("Q1", D(5), None), ("Q2", D(6), D(7)), ("Q3", None, D(8))], label="Trend"
    )
    assert svg.count("<polyline") == 2  # each direction has one stretch of two points
    assert svg.count("<circle") == 4
    assert "–" not in texts(svg)


def test_trend_of_a_single_survey_is_two_dots_in_the_middle():
    svg = charts.grade_trend([("2026-Q2", D("5.5"), D("7.5"))], label="Trend", width=640)
    assert "<polyline" not in svg and svg.count("<circle") == 2
    assert svg.count('cx="326.0"') == 2  # halfway between the axis (36) and the edge (616)
    assert {"2026-Q2", "5.5", "7.5"} <= set(texts(svg))


def test_trend_without_surveys_is_empty():
    assert charts.grade_trend([], label="x") == ""


def test_trend_grade_ten_sits_on_top_and_one_at_the_bottom():
    svg = charts.grade_trend([("Q1", D(10), D(1))], label="x", height=240)
    assert 'cy="40.0"' in svg and 'cy="196.0"' in svg


def _positions(svg: str, value: str) -> list[tuple[float, float, str]]:
    """(x, y, anchor) of each <text> printing `value`."""
    found = re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)"[^>]*>' + re.escape(value) + "<",
        svg,
    )
    return [(float(x), float(y), anchor) for x, y, anchor in found]


def test_trend_keeps_values_clear_of_the_axis_and_quarters_inside_the_chart():
    # A grade of 5.8 at the first quarter sits at the height of the axis number 6: the printed
    # value must stay right of that number, and the last quarter's label inside the width.
    with translation.override("nl"):
        svg = charts.grade_trend(
            [("2025-Q3", D("5.8"), D("5.0")), ("2026-Q2", D("7.0"), D("6.0"))],
            label="Trend",
            width=640,
        )
    [(axis_x, axis_y, anchor)] = _positions(svg, "6")
    assert anchor == "end"  # the axis number ends at axis_x, left of the plot
    [(value_x, value_y, _a)] = _positions(svg, "5,8")
    assert abs(value_y - axis_y) < 14  # same height, so only the x distance keeps them apart
    assert value_x - 3.5 * 7 / 2 > axis_x + 4  # half of "5,8" (~7 px a glyph) left of its centre
    [(last_x, _y, _a)] = _positions(svg, "2026-Q2")
    assert last_x + len("2026-Q2") * 7 / 2 < 640
    [(first_x, _y, _a)] = _positions(svg, "2025-Q3")
    assert first_x - len("2025-Q3") * 7 / 2 > 0
    # The quarter labels sit under the lowest possible value label (grade 1, printed below).
    bottom_value = charts.grade_trend([("Q1", D(10), D(1))], label="x", height=240)
    [(_x, low_y, _a)] = _positions(bottom_value, "1.0")
    [(_x, quarter_y, _a)] = _positions(bottom_value, "Q1")
    assert quarter_y - 12 >= low_y


def test_perception_gap_prints_the_signed_gap():
    svg = charts.perception_gap(
        [
            ("Openness (supplier)", "supplier", D("8.0"), D("6.5")),
            ("Openness (client)", "client", D("5.0"), D("6.0")),
        ],
        label="Gap",
    )
    assert_accessible(svg, "Gap")
    shown = texts(svg)
    assert "+1.5" in shown and "-1.0" in shown
    assert svg.count('stroke-width="3"') == 2  # one dumbbell bar per row
    assert svg.count('fill="#fff"') == 1 + 2  # open circles: the legend's and each own view


def test_perception_gap_copes_with_a_missing_view():
    svg = charts.perception_gap(
        [("Reachability (supplier)", "supplier", None, D("7")), ("X", "client", None, None)],
        label="Gap",
    )
    assert texts(svg).count("no comparison") == 2
    assert 'stroke-width="3"' not in svg and svg.count("<circle") == 2 + 1  # legend + one view
    assert "7.0" not in texts(svg)  # only the gap is printed, and there is none
    assert charts.perception_gap([], label="x") == ""
