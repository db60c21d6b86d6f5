"""ISO 2859-1 single sampling plans for normal inspection (kpis.sampling). No database needed."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpis.sampling import (
    AQL_VALUES,
    CODE_LETTERS,
    DOWN,
    LEVELS,
    SAMPLE_SIZES,
    TABLE_II_A,
    UP,
    SamplingPlan,
    code_letter,
    plan_for,
    verdict,
)

D = Decimal

# --- Table I ---------------------------------------------------------------------------------

# Typed again from ISO 2859-1 Table 1 (not imported): first and last lot size of each range and
# the letters for S-1 S-2 S-3 S-4 I II III.
TABLE_I = [
    (2, 8, "AAAAAAB"),
    (9, 15, "AAAAABC"),
    (16, 25, "AABBBCD"),
    (26, 50, "ABBCCDE"),
    (51, 90, "BBCCCEF"),
    (91, 150, "BBCDDFG"),
    (151, 280, "BCDEEGH"),
    (281, 500, "BCDEFHJ"),
    (501, 1200, "CCEFGJK"),
    (1201, 3200, "CDEGHKL"),
    (3201, 10000, "CDFGJLM"),
    (10001, 35000, "CDFHKMN"),
    (35001, 150000, "DEGJLNP"),
    (150001, 500000, "DEGJMPQ"),
    (500001, 10**9, "DEHKNQR"),
]


@pytest.mark.parametrize(("low", "high", "letters"), TABLE_I)
def test_table_i_both_ends_of_every_lot_range(low, high, letters):
    for level, letter in zip(LEVELS, letters, strict=True):
        assert code_letter(low, level) == letter, (low, level)
        assert code_letter(high, level) == letter, (high, level)


@pytest.mark.parametrize(
    ("lot", "level", "letter"),
    [
        (1000, "II", "J"),
        (500, "II", "H"),
        (3000, "II", "K"),
        (50, "II", "D"),
        (120, "II", "F"),
        (8, "II", "A"),
        (10, "I", "A"),
        (120, "I", "D"),
        (1000, "I", "G"),
        (280, "III", "H"),
        (8, "III", "B"),
        (1000, "III", "K"),
        (1_000_000, "III", "R"),
        (1000, "S-1", "C"),
        (1000, "S-4", "F"),
        (1_000_000, "S-3", "H"),
    ],
)
def test_known_code_letters(lot, level, letter):
    assert code_letter(lot, level) == letter


def test_level_ii_is_the_default_and_levels_are_case_insensitive():
    assert code_letter(1000) == code_letter(1000, "II") == "J"
    assert code_letter(1000, " iii ") == "K"
    assert code_letter(1000, "s-2") == "C"


# --- Table II-A --------------------------------------------------------------------------------


def test_sample_size_per_code_letter():
    assert dict(SAMPLE_SIZES) == {
        "A": 2,
        "B": 3,
        "C": 5,
        "D": 8,
        "E": 13,
        "F": 20,
        "G": 32,
        "H": 50,
        "J": 80,
        "K": 125,
        "L": 200,
        "M": 315,
        "N": 500,
        "P": 800,
        "Q": 1250,
        "R": 2000,
    }


def test_aql_columns():
    assert " ".join(str(v) for v in AQL_VALUES) == (
        "0.010 0.015 0.025 0.040 0.065 0.10 0.15 0.25 0.40 0.65 1.0 1.5 2.5 4.0 6.5 "
        "10 15 25 40 65 100 150 250 400 650 1000"
    )


SERIES = [1, 2, 3, 5, 7, 10, 14, 21, 30, 44]  # Ac from the diagonal after "0 1, ↑, ↓"


def expected_cell(row: int, column: int):
    """Table II-A is constant along its diagonals: one row down (sample size x ~1.6) and one AQL
    column left (AQL / ~1.6) keep the same plan. Rows A-E reach Ac 44, rows F-R stop at Ac 21."""
    if (row, column) == (0, 15):  # A / AQL 10: no plan above row A, follow down to C
        return DOWN
    if (row, column) == (15, 1):  # R / AQL 0.015: no plan below row R, follow up to P
        return UP
    d = row + column
    if d <= 13 or d == 16:
        return DOWN
    if d == 14:
        return (0, 1)
    if d == 15 or d > (26 if row <= 4 else 24):
        return UP
    return (SERIES[d - 17], SERIES[d - 17] + 1)


def test_table_ii_a_follows_the_diagonal_structure_of_the_standard():
    for row, letter in enumerate(CODE_LETTERS):
        assert len(TABLE_II_A[letter]) == len(AQL_VALUES)
        for column, cell in enumerate(TABLE_II_A[letter]):
            assert cell == expected_cell(row, column), (letter, AQL_VALUES[column])


def test_table_ii_a_every_pair_has_re_one_above_ac():
    pairs = {cell for row in TABLE_II_A.values() for cell in row if isinstance(cell, tuple)}
    assert {ac for ac, _ in pairs} == {0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 44}
    assert all(re_ == ac + 1 for ac, re_ in pairs)


# (lot, AQL) at level II -> (plan letter, n, Ac, Re). Rows checked against ISO 2859-1 Table 2-A
# (= Z1.4 Table II-A); "↑"/"↓" marks a plan reached through an arrow (sample size changes).
LEVEL_II_PLANS = [
    # lot 1000: code letter J, n = 80
    (1000, "0.15", "J", 80, 0, 1),
    (1000, "0.25", "H", 50, 0, 1),  # ↑
    (1000, "0.40", "K", 125, 1, 2),  # ↓
    (1000, "0.65", "J", 80, 1, 2),
    (1000, "1.0", "J", 80, 2, 3),
    (1000, "1.5", "J", 80, 3, 4),
    (1000, "2.5", "J", 80, 5, 6),
    (1000, "4.0", "J", 80, 7, 8),
    (1000, "6.5", "J", 80, 10, 11),
    (1000, "10", "J", 80, 14, 15),
    (1000, "15", "J", 80, 21, 22),
    # lot 120: code letter F, n = 20
    (120, "0.65", "F", 20, 0, 1),
    (120, "1.0", "E", 13, 0, 1),  # ↑
    (120, "1.5", "G", 32, 1, 2),  # ↓
    (120, "2.5", "F", 20, 1, 2),
    (120, "4.0", "F", 20, 2, 3),
    (120, "6.5", "F", 20, 3, 4),
    (120, "10", "F", 20, 5, 6),
    (120, "15", "F", 20, 7, 8),
    # lot 50: code letter D, n = 8
    (50, "0.65", "F", 20, 0, 1),  # ↓
    (50, "1.0", "E", 13, 0, 1),  # ↓
    (50, "1.5", "D", 8, 0, 1),
    (50, "2.5", "C", 5, 0, 1),  # ↑
    (50, "4.0", "E", 13, 1, 2),  # ↓
    (50, "6.5", "D", 8, 1, 2),
    (50, "10", "D", 8, 2, 3),
    (50, "15", "D", 8, 3, 4),
    # lot 500: code letter H, n = 50
    (500, "0.25", "H", 50, 0, 1),
    (500, "0.40", "G", 32, 0, 1),  # ↑
    (500, "0.65", "J", 80, 1, 2),  # ↓
    (500, "1.0", "H", 50, 1, 2),
    (500, "2.5", "H", 50, 3, 4),
    (500, "4.0", "H", 50, 5, 6),
    (500, "6.5", "H", 50, 7, 8),
    (500, "15", "H", 50, 14, 15),
    # lot 3000: code letter K, n = 125
    (3000, "0.10", "K", 125, 0, 1),
    (3000, "0.15", "J", 80, 0, 1),  # ↑
    (3000, "1.0", "K", 125, 3, 4),
    (3000, "2.5", "K", 125, 7, 8),
    (3000, "6.5", "K", 125, 14, 15),
    (3000, "10", "K", 125, 21, 22),
    (3000, "15", "J", 80, 21, 22),  # ↑ (Ac 21 is the largest for rows F-R)
    # lot 5000 (L, n = 200) and 20000 (M, n = 315)
    (5000, "0.065", "L", 200, 0, 1),
    (5000, "1.0", "L", 200, 5, 6),
    (5000, "6.5", "L", 200, 21, 22),
    (5000, "10", "K", 125, 21, 22),  # ↑
    (20000, "0.65", "M", 315, 5, 6),
    (20000, "4.0", "M", 315, 21, 22),
    (20000, "6.5", "L", 200, 21, 22),  # ↑
    # lot 1,000,000: code letter Q, n = 1250
    (1_000_000, "0.010", "Q", 1250, 0, 1),
    (1_000_000, "0.015", "P", 800, 0, 1),  # ↑
    (1_000_000, "0.65", "Q", 1250, 14, 15),
    (1_000_000, "1.0", "Q", 1250, 21, 22),
    (1_000_000, "1.5", "P", 800, 21, 22),  # ↑
    # small lots: A (n = 2) and B (n = 3)
    (8, "6.5", "A", 2, 0, 1),
    (8, "4.0", "B", 3, 0, 1),  # ↓
    (8, "2.5", "C", 5, 0, 1),  # ↓
    (8, "25", "A", 2, 1, 2),
    (8, "100", "A", 2, 5, 6),
    (12, "4.0", "B", 3, 0, 1),
    (12, "6.5", "A", 2, 0, 1),  # ↑
    (12, "10", "C", 5, 1, 2),  # ↓
    (12, "15", "B", 3, 1, 2),
]


@pytest.mark.parametrize(("lot", "aql", "letter", "n", "ac", "re_"), LEVEL_II_PLANS)
def test_known_level_ii_plans(lot, aql, letter, n, ac, re_):
    plan = plan_for(lot, aql)
    assert (plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == (letter, n, ac, re_)
    assert plan.code_letter == code_letter(lot)
    assert plan.aql == D(aql)
    assert plan.level == "II"
    assert not plan.full_inspection


@pytest.mark.parametrize(
    ("lot", "aql", "level", "letter", "n", "ac", "re_"),
    [
        (1000, "4.0", "S-4", "F", 20, 2, 3),
        (1000, "2.5", "S-1", "C", 5, 0, 1),
        (1000, "1.0", "I", "H", 50, 1, 2),  # code letter G; G at 1.0 is ↓
        (1000, "6.5", "III", "K", 125, 14, 15),
        (1_000_000, "0.010", "III", "Q", 1250, 0, 1),  # R at 0.010 is ↑
        (1_000_000, "0.015", "III", "P", 800, 0, 1),  # R at 0.015: ↑ twice
        (1_000_000, "0.025", "III", "R", 2000, 1, 2),
        (1_000_000, "0.65", "III", "R", 2000, 21, 22),
        (1_000_000, "1.0", "III", "Q", 1250, 21, 22),  # ↑
    ],
)
def test_known_plans_at_other_levels(lot, aql, level, letter, n, ac, re_):
    plan = plan_for(lot, aql, level)
    assert (plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == (letter, n, ac, re_)


@pytest.mark.parametrize(
    ("lot", "aql", "letter", "n", "ac", "re_"),
    [
        # The upper right of Table II-A (AQL > 10 are nonconformities per 100 items): rows A-E
        # reach Ac 30 and 44, the ↑ region below them points back into those rows.
        (8, "1000", "A", 2, 30, 31),
        (8, "650", "A", 2, 21, 22),
        (10, "1000", "B", 3, 44, 45),
        (20, "400", "C", 5, 30, 31),
        (20, "1000", "B", 3, 44, 45),  # C/1000 ↑
        (60, "250", "E", 13, 44, 45),
        (60, "400", "D", 8, 44, 45),  # E/400 ↑
        (120, "65", "F", 20, 21, 22),
        (120, "100", "E", 13, 21, 22),  # F/100 ↑
        (120, "150", "E", 13, 30, 31),  # F/150 ↑
    ],
)
def test_upper_right_of_the_table(lot, aql, letter, n, ac, re_):
    plan = plan_for(lot, aql)
    assert (plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == (letter, n, ac, re_)


def test_code_letter_a_at_aql_10_goes_down_to_c():
    # The diagonal pattern would put ↑ here, but nothing is above row A: the plan is C's.
    plan = plan_for(8, "10")
    assert (plan.code_letter, plan.plan_letter, plan.sample_size) == ("A", "C", 5)
    assert (plan.accept, plan.reject) == (1, 2)


# --- 100 % inspection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lot", "aql", "level", "ac", "re_"),
    [
        (2, "6.5", "II", 0, 1),  # A: n = 2 = lot
        (3, "4.0", "III", 0, 1),  # B: n = 3 = lot
        (5, "1.0", "II", 0, 1),  # A/1.0 ↓ to E: n = 13 > 5
        (8, "10", "III", 1, 2),  # B/10 ↓ to C: n = 5 < 8, a sample after all
        (40, "0.10", "II", 0, 1),  # D/0.10 ↓ to K: n = 125 > 40
        (100, "0.010", "II", 0, 1),  # F/0.010 ↓ to Q: n = 1250 > 100
        (1000, "0.010", "II", 0, 1),  # J/0.010 ↓ to Q: n = 1250 > 1000
    ],
)
def test_sample_size_never_exceeds_the_lot(lot, aql, level, ac, re_):
    plan = plan_for(lot, aql, level)
    table_n = SAMPLE_SIZES[plan.plan_letter]
    assert plan.sample_size == min(table_n, lot)
    assert plan.full_inspection == (table_n >= lot)
    assert (plan.accept, plan.reject) == (ac, re_)  # Ac and Re of the plan are kept


def test_full_inspection_when_the_table_sample_reaches_the_lot():
    plan = plan_for(1000, "0.010")
    assert plan.plan_letter == "Q" and plan.sample_size == 1000 and plan.full_inspection
    assert plan_for(2, "6.5").full_inspection
    assert plan_for(1001, "0.010").full_inspection  # J/0.010 ↓ to Q: 1250 > 1001
    assert not plan_for(2000, "0.010").full_inspection  # K/0.010 ↓ to Q: 1250 < 2000


# --- AQL input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("aql", ["4.0", "4", " 4.00 ", 4, 4.0, D("4"), D("4.0")])
def test_aql_as_decimal_string_or_number(aql):
    plan = plan_for(1000, aql)
    assert plan.aql == D("4.0") and str(plan.aql) == "4.0"
    assert (plan.accept, plan.reject) == (7, 8)


def test_float_aqls_match_their_columns():
    assert plan_for(1000, 0.1).aql == D("0.10")
    assert plan_for(1000, 0.065).aql == D("0.065")
    assert plan_for(1000, 0.01).aql == D("0.010")


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lot", [1, 0, -5])
def test_lot_below_two_is_rejected(lot):
    with pytest.raises(ValueError, match="at least 2"):
        plan_for(lot, "4.0")
    with pytest.raises(ValueError, match="at least 2"):
        code_letter(lot)


def test_lot_must_be_an_integer():
    with pytest.raises(TypeError):
        plan_for(12.5, "4.0")
    with pytest.raises(ValueError):
        plan_for(True, "4.0")


@pytest.mark.parametrize(
    "aql", ["3.0", "0.1234", "0", "-4.0", "abc", "", "NaN", "Infinity", 3, float("inf"), None]
)
def test_aql_not_in_the_table_is_rejected(aql):
    with pytest.raises(ValueError, match="not in ISO 2859-1 Table II-A"):
        plan_for(1000, aql)


@pytest.mark.parametrize("level", ["IV", "", "S-5", "G2", None, 2])
def test_unknown_level_is_rejected(level):
    with pytest.raises(ValueError, match="Unknown inspection level"):
        plan_for(1000, "4.0", level)
    with pytest.raises(ValueError, match="Unknown inspection level"):
        code_letter(1000, level)


# --- verdict -----------------------------------------------------------------------------------


def test_verdict_boundaries():
    plan = plan_for(1000, "2.5")  # J: n = 80, Ac 5, Re 6
    assert [verdict(plan, k) for k in range(8)] == [True] * 6 + [False] * 2
    assert verdict(plan, plan.accept) is True
    assert verdict(plan, plan.reject) is False


def test_verdict_with_acceptance_number_zero():
    plan = plan_for(1000, "0.15")  # J: n = 80, Ac 0, Re 1
    assert verdict(plan, 0) is True
    assert verdict(plan, 1) is False


def test_verdict_rejects_a_negative_count():
    with pytest.raises(ValueError, match="negative"):
        verdict(plan_for(120, "4.0"), -1)


def test_plan_is_frozen():
    plan = plan_for(120, "4.0")
    assert isinstance(plan, SamplingPlan)
    with pytest.raises(AttributeError):
        plan.accept = 10


# --- properties ----------------------------------------------------------------------------


def test_acceptance_number_never_decreases_with_the_aql_for_any_code_letter():
    for letter in CODE_LETTERS:
        # The smallest lot and a level that give this code letter in Table I.
        lot, level = next(
            (low, level)
            for low, _high, letters in TABLE_I
            for level, candidate in zip(LEVELS, letters, strict=True)
            if candidate == letter
        )
        assert code_letter(lot, level) == letter
        plans = [plan_for(lot, aql, level) for aql in AQL_VALUES]
        accepts = [plan.accept for plan in plans]
        assert accepts == sorted(accepts), letter
        assert all(plan.reject == plan.accept + 1 for plan in plans)


lots = st.integers(min_value=2, max_value=2_000_000)
aqls = st.sampled_from(AQL_VALUES)
levels = st.sampled_from(LEVELS)


@given(lot=lots, aql=aqls, level=levels)
def test_any_plan_is_well_formed(lot, aql, level):
    plan = plan_for(lot, aql, level)
    assert 1 <= plan.sample_size <= lot
    assert plan.sample_size == min(SAMPLE_SIZES[plan.plan_letter], lot)
    assert plan.reject == plan.accept + 1
    assert plan.accept >= 0
    assert plan.code_letter == code_letter(lot, level)
    assert verdict(plan, plan.accept) and not verdict(plan, plan.reject)


@given(lot=lots, level=levels, a=aqls, b=aqls)
def test_a_larger_aql_never_gives_a_smaller_acceptance_number(lot, level, a, b):
    low, high = sorted((a, b))
    assert plan_for(lot, low, level).accept <= plan_for(lot, high, level).accept
