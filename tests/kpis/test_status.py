from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.status import Status, kpi_status

D = Decimal


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (D(96), "higher", Status.GREEN),
        (D(95), "higher", Status.GREEN),  # meeting the target exactly is green
        (D(92), "higher", Status.AMBER),
        (D(90), "higher", Status.AMBER),  # the edge of the tolerance is still amber
        (D("89.99"), "higher", Status.RED),
        (D(94), "lower", Status.GREEN),
        (D(100), "lower", Status.AMBER),
        (D("100.01"), "lower", Status.RED),
        (None, "higher", Status.MISSING),
    ],
)
def test_status_against_target_95_tolerance_5(value, direction, expected):
    assert kpi_status(value, target=D(95), tolerance=D(5), direction=direction) is expected


def test_zero_is_a_value_not_missing():
    assert kpi_status(D(0), target=D(5), tolerance=D(1), direction="lower") is Status.GREEN
    assert kpi_status(D(0), target=D(5), tolerance=D(1), direction="higher") is Status.RED


RANK = {Status.GREEN: 0, Status.AMBER: 1, Status.RED: 2}
numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)
tolerances = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)


@given(a=numbers, b=numbers, target=numbers, tolerance=tolerances)
def test_a_better_value_never_gets_a_worse_status(a, b, target, tolerance):
    low, high = sorted((a, b))
    up = {
        v: kpi_status(v, target=target, tolerance=tolerance, direction="higher")
        for v in (low, high)
    }
    down = {
        v: kpi_status(v, target=target, tolerance=tolerance, direction="lower") for v in (low, high)
    }
    assert RANK[up[high]] <= RANK[up[low]]
    assert RANK[down[low]] <= RANK[down[high]]


@given(value=numbers, target=numbers, small=tolerances, extra=tolerances)
def test_a_wider_tolerance_never_gives_a_worse_status(value, target, small, extra):
    for direction in ("higher", "lower"):
        narrow = kpi_status(value, target=target, tolerance=small, direction=direction)
        wide = kpi_status(value, target=target, tolerance=small + extra, direction=direction)
        assert RANK[wide] <= RANK[narrow]


@given(value=numbers, target=numbers, tolerance=tolerances)
def test_directions_mirror_each_other(value, target, tolerance):
    up = kpi_status(value, target=target, tolerance=tolerance, direction="higher")
    mirrored = kpi_status(-value, target=-target, tolerance=tolerance, direction="lower")
    assert up is mirrored
