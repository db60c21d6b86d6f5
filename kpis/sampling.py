"""Single sampling plans for normal inspection per ISO 2859-1 (= ANSI/ASQ Z1.4, MIL-STD-105E).

Pure Python, no models and no database: the two tables of the standard that a single sampling
plan needs, encoded as data, and the lookup that combines them.

* Table I (ISO 2859-1 "Table 1"): lot size x inspection level -> sample size code letter.
* Table II-A (ISO 2859-1 "Table 2-A"): code letter x AQL -> sample size, acceptance number Ac
  and rejection number Re, or an arrow. An arrow means "use the first sampling plan below (↓) or
  above (↑) the arrow"; the sample size then comes from that plan's row, not from the original
  code letter.
* If the sample size equals or exceeds the lot size, every item is inspected (100 %); Ac and Re
  of the plan stay the same.

In Tandem the "lot" is the number of rooms or elements of one area type (e.g. 120 sanitary
rooms), the AQL is agreed per area type (e.g. 4.0 for sanitary, 6.5 for offices, in the spirit
of VSR-KMS / NEN 2075), the sample size is the number of rooms to inspect, and the defects found
in the sample decide acceptance:

    >>> plan = plan_for(120, "4.0")
    >>> plan.sample_size, plan.accept, plan.reject
    (20, 2, 3)
    >>> verdict(plan, nonconforming=2), verdict(plan, nonconforming=3)
    (True, False)
"""

import decimal
import operator
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final

__all__ = [
    "AQL_VALUES",
    "CODE_LETTERS",
    "DOWN",
    "LEVELS",
    "SAMPLE_SIZES",
    "TABLE_II_A",
    "UP",
    "SamplingPlan",
    "code_letter",
    "plan_for",
    "verdict",
]

#: Inspection levels of Table I: the special levels S-1…S-4 and the general levels I, II, III.
LEVELS: Final[tuple[str, ...]] = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
DEFAULT_LEVEL: Final = "II"

#: Sample size code letters in table order (the standard skips I and O).
CODE_LETTERS: Final = "ABCDEFGHJKLMNPQR"

# fmt: off
#: The AQL columns of Table II-A (percent nonconforming or nonconformities per 100 items;
#: values above 10 are nonconformities per 100 items only).
AQL_VALUES: Final[tuple[Decimal, ...]] = tuple(map(Decimal, (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65",
    "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15", "25", "40", "65",
    "100", "150", "250", "400", "650", "1000",
)))
# fmt: on

#: Arrow cells of Table II-A.
DOWN: Final = "↓"  # use the first sampling plan below the arrow
UP: Final = "↑"  # use the first sampling plan above the arrow

# --- Table I: sample size code letters -----------------------------------------------------
# Source: ISO 2859-1:1999 Table 1 (identical: ANSI/ASQ Z1.4-2008 Table I, MIL-STD-105E Table I).
# Columns: lot size from, lot size to (None = and over), then the letter for each level in the
# order of LEVELS: S-1 S-2 S-3 S-4 I II III.
_TABLE_I: Final[tuple[tuple[int, int | None, str], ...]] = (
    (2, 8, "A A A A A A B"),
    (9, 15, "A A A A A B C"),
    (16, 25, "A A B B B C D"),
    (26, 50, "A B B C C D E"),
    (51, 90, "B B C C C E F"),
    (91, 150, "B B C D D F G"),
    (151, 280, "B C D E E G H"),
    (281, 500, "B C D E F H J"),
    (501, 1200, "C C E F G J K"),
    (1201, 3200, "C D E G H K L"),
    (3201, 10000, "C D F G J L M"),
    (10001, 35000, "C D F H K M N"),
    (35001, 150000, "D E G J L N P"),
    (150001, 500000, "D E G J M P Q"),
    (500001, None, "D E H K N Q R"),
)

# --- Table II-A: single sampling plans for normal inspection (master table) ----------------
# Source: ISO 2859-1:1999 Table 2-A (identical: ANSI/ASQ Z1.4-2008 Table II-A, MIL-STD-105E
# Table II-A), split in two halves to fit the line length. A cell is "Ac/Re", ↓ or ↑.
#
# Two corner cells cannot be followed as printed in MIL-STD-105E-based reproductions, which
# simply continue the diagonal pattern (↑ right of every "0/1", ↓ after that):
#   * A / AQL 10 would be ↑, but row A has nothing above it. It is encoded as ↓, which leads
#     (through B's ↓) to C: n=5, Ac 1, Re 2 -- the plan that published guidance for the
#     standard prescribes for code letter A at AQL 10 under normal inspection.
#   * R / AQL 0.015 would be ↓, but row R has nothing below it. It is encoded as ↑, which leads
#     (through Q's ↑) to P: n=800, Ac 0, Re 1, as published guidance prescribes.
_TABLE_II_A_TEXT: Final = """
        0.010 0.015 0.025 0.040 0.065 0.10  0.15  0.25  0.40  0.65  1.0   1.5   2.5
A    2  ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
B    3  ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓
C    5  ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     0/1
D    8  ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     0/1   ↑
E   13  ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     0/1   ↑     ↓
F   20  ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     0/1   ↑     ↓     1/2
G   32  ↓     ↓     ↓     ↓     ↓     ↓     ↓     ↓     0/1   ↑     ↓     1/2   2/3
H   50  ↓     ↓     ↓     ↓     ↓     ↓     ↓     0/1   ↑     ↓     1/2   2/3   3/4
J   80  ↓     ↓     ↓     ↓     ↓     ↓     0/1   ↑     ↓     1/2   2/3   3/4   5/6
K  125  ↓     ↓     ↓     ↓     ↓     0/1   ↑     ↓     1/2   2/3   3/4   5/6   7/8
L  200  ↓     ↓     ↓     ↓     0/1   ↑     ↓     1/2   2/3   3/4   5/6   7/8   10/11
M  315  ↓     ↓     ↓     0/1   ↑     ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15
N  500  ↓     ↓     0/1   ↑     ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22
P  800  ↓     0/1   ↑     ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 ↑
Q 1250  0/1   ↑     ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 ↑     ↑
R 2000  ↑     ↑     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 ↑     ↑     ↑

        4.0   6.5   10    15    25    40    65    100   150   250   400   650   1000
A    2  ↓     0/1   ↓     ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31
B    3  0/1   ↑     ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45
C    5  ↑     ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45 ↑
D    8  ↓     1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45 ↑     ↑
E   13  1/2   2/3   3/4   5/6   7/8   10/11 14/15 21/22 30/31 44/45 ↑     ↑     ↑
F   20  2/3   3/4   5/6   7/8   10/11 14/15 21/22 ↑     ↑     ↑     ↑     ↑     ↑
G   32  3/4   5/6   7/8   10/11 14/15 21/22 ↑     ↑     ↑     ↑     ↑     ↑     ↑
H   50  5/6   7/8   10/11 14/15 21/22 ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
J   80  7/8   10/11 14/15 21/22 ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
K  125  10/11 14/15 21/22 ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
L  200  14/15 21/22 ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
M  315  21/22 ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
N  500  ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
P  800  ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
Q 1250  ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
R 2000  ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑     ↑
"""

Cell = tuple[int, int] | str


def _parse_table_ii_a(text: str) -> tuple[dict[str, int], dict[str, tuple[Cell, ...]]]:
    """Read the text grid above into {letter: n} and {letter: (cell per AQL in AQL_VALUES)}."""
    sizes: dict[str, int] = {}
    cells: dict[str, list[Cell]] = {}
    columns: list[Decimal] = []
    for block in text.strip().split("\n\n"):
        header, *rows = block.strip().splitlines()
        columns += [Decimal(v) for v in header.split()]
        for row in rows:
            letter, size, *tokens = row.split()
            if sizes.setdefault(letter, int(size)) != int(size):
                raise ValueError(f"Table II-A: two sample sizes for code letter {letter}")
            for token in tokens:
                if token in (UP, DOWN):
                    cells.setdefault(letter, []).append(token)
                else:
                    ac, re_ = (int(part) for part in token.split("/"))
                    cells.setdefault(letter, []).append((ac, re_))
    if tuple(columns) != AQL_VALUES or "".join(sizes) != CODE_LETTERS:
        raise ValueError("Table II-A: the columns or rows do not match AQL_VALUES/CODE_LETTERS")
    if any(len(row) != len(AQL_VALUES) for row in cells.values()):
        raise ValueError("Table II-A: every row needs one cell per AQL")
    return sizes, {letter: tuple(row) for letter, row in cells.items()}


_sizes, _cells = _parse_table_ii_a(_TABLE_II_A_TEXT)

#: Table II-A sample size per code letter: A=2, B=3, C=5 … R=2000.
SAMPLE_SIZES: Final = MappingProxyType(_sizes)
#: Table II-A as printed (after the two corner corrections above): for each code letter one cell
#: per AQL in AQL_VALUES, either an (Ac, Re) pair or UP / DOWN.
TABLE_II_A: Final = MappingProxyType(_cells)


def _follow_arrows(row: int, column: int) -> tuple[str, int, int]:
    """The (code letter, Ac, Re) of the plan a Table II-A cell stands for, arrows followed."""
    cell = TABLE_II_A[CODE_LETTERS[row]][column]
    if isinstance(cell, tuple):
        return CODE_LETTERS[row], cell[0], cell[1]
    step = 1 if cell == DOWN else -1
    r = row + step
    while 0 <= r < len(CODE_LETTERS):
        target = TABLE_II_A[CODE_LETTERS[r]][column]
        if isinstance(target, tuple):
            return CODE_LETTERS[r], target[0], target[1]
        if target != cell:  # an arrow pointing back: the table is inconsistent
            break
        r += step
    where = f"{CODE_LETTERS[row]}/{AQL_VALUES[column]}"
    raise ValueError(f"Table II-A: the arrow at {where} leads nowhere")


# Every cell resolved once at import time; an inconsistent table fails loudly here.
_RESOLVED: Final = {
    (letter, aql): _follow_arrows(row, column)
    for row, letter in enumerate(CODE_LETTERS)
    for column, aql in enumerate(AQL_VALUES)
}


@dataclass(frozen=True)
class SamplingPlan:
    """A single sampling plan for normal inspection, ready for use on one lot.

    ``code_letter`` is the letter from Table I for the lot size and level; ``plan_letter`` is
    the letter whose plan Table II-A leads to (it differs when an arrow was followed).
    ``sample_size`` is the number of items to inspect (never more than the lot). The lot is
    accepted when at most ``accept`` (Ac) nonconforming items are found and rejected from
    ``reject`` (Re) on.
    """

    lot_size: int
    level: str
    aql: Decimal
    code_letter: str
    sample_size: int
    accept: int
    reject: int
    plan_letter: str

    @property
    def full_inspection(self) -> bool:
        """True when the whole lot is inspected (the table's sample size reached the lot size)."""
        return self.sample_size == self.lot_size


def _lot_size(lot_size: int) -> int:
    lot = operator.index(lot_size)  # TypeError for floats, strings, None
    if isinstance(lot_size, bool) or lot < 2:
        raise ValueError(f"A lot needs at least 2 items for sampling inspection, not {lot_size!r}.")
    return lot


def _level(level: str) -> str:
    normalised = level.strip().upper() if isinstance(level, str) else level
    if normalised not in LEVELS:
        raise ValueError(f"Unknown inspection level {level!r}; use one of {', '.join(LEVELS)}.")
    return normalised


def _aql_index(aql: Decimal | str | float) -> int:
    try:
        if isinstance(aql, bool):
            raise TypeError
        value = aql if isinstance(aql, Decimal) else Decimal(str(aql).strip())
        if value.is_finite():
            for index, candidate in enumerate(AQL_VALUES):
                if value == candidate:
                    return index
    except (TypeError, decimal.InvalidOperation):
        pass
    allowed = ", ".join(str(v) for v in AQL_VALUES)
    raise ValueError(f"AQL {aql!r} is not in ISO 2859-1 Table II-A; use one of {allowed}.")


def code_letter(lot_size: int, level: str = DEFAULT_LEVEL) -> str:
    """The sample size code letter of ISO 2859-1 Table I for a lot size and inspection level.

    >>> code_letter(1000), code_letter(1000, "I"), code_letter(1000, "S-3")
    ('J', 'G', 'E')

    Raises ValueError for a lot of fewer than 2 items or an unknown level.
    """
    lot = _lot_size(lot_size)
    column = LEVELS.index(_level(level))
    for low, high, letters in _TABLE_I:
        if low <= lot and (high is None or lot <= high):
            return letters.split()[column]
    raise AssertionError("unreachable: Table I covers every lot size from 2")  # pragma: no cover


def plan_for(lot_size: int, aql: Decimal | str | float, level: str = DEFAULT_LEVEL) -> SamplingPlan:
    """The single sampling plan for normal inspection of a lot (ISO 2859-1 Tables I and II-A).

    The AQL must be one of AQL_VALUES (given as Decimal, string or number: "4.0", 4, 4.0 and
    Decimal("4") are all AQL 4.0). Arrows in Table II-A are followed, so sample size, Ac and Re
    come from the plan the arrow points to; if that sample size equals or exceeds the lot, the
    whole lot is inspected with the same Ac and Re.

    >>> plan = plan_for(1000, "0.25")  # J at AQL 0.25 is ↑: the plan of H (n=50) is used
    >>> plan.code_letter, plan.plan_letter, plan.sample_size, plan.accept, plan.reject
    ('J', 'H', 50, 0, 1)

    Raises ValueError for a lot of fewer than 2 items, an AQL not in the table or an unknown
    level.
    """
    lot = _lot_size(lot_size)
    normalised_level = _level(level)
    table_aql = AQL_VALUES[_aql_index(aql)]
    letter = code_letter(lot, normalised_level)
    plan_letter, accept, reject = _RESOLVED[letter, table_aql]
    return SamplingPlan(
        lot_size=lot,
        level=normalised_level,
        aql=table_aql,
        code_letter=letter,
        sample_size=min(SAMPLE_SIZES[plan_letter], lot),
        accept=accept,
        reject=reject,
        plan_letter=plan_letter,
    )


def verdict(plan: SamplingPlan, nonconforming: int) -> bool:
    """True when the lot is accepted: at most Ac nonconforming items (or, for AQLs counted per
    100 items, nonconformities) were found in the sample; False from Re on.

    Raises ValueError for a negative count.
    """
    count = operator.index(nonconforming)
    if count < 0:
        raise ValueError(f"The number of nonconforming items cannot be negative ({count}).")
    return count <= plan.accept
