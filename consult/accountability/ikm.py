"""The community satisfaction index (Indeks Kepuasan Masyarakat, IKM) of Permenpan RB 14/2017 (pure).

A response scores the nine elements of the regulation, each from 1 (tidak sesuai / not satisfied) to 4 (sangat
sesuai / very satisfied). The index of a service is the mean of the nine element means times 25, so it runs
from 25 to 100.

Weights: the regulation weighs each element by 1/9 and writes the weight rounded, as 0.11. We use exactly 1/9:
with 0.11 a service scored 4 on every element by every respondent gets 4 × 9 × 0.11 × 25 = 99.00 instead of
100, and all 3s give 74.25 (grade C) instead of 75.00; the rounded weight is a printing convenience of the
regulation's worked example, not a different rule (its own intervals end at 100.00).

Rounding: the index is computed exactly (fractions) and rounded once, to 2 decimals, half up (82.125 →
82.13; Python's round() would give 82.12), then graded by the regulation's intervals, which are written with
2 decimals: A 88.31–100.00 Sangat Baik, B 76.61–88.30 Baik, C 65.00–76.60 Kurang Baik, D 25.00–64.99 Tidak Baik.

Sample size: the regulation asks for at least the sample of the Krejcie & Morgan (1970) table for the
population (the people served in the period), which its annex reproduces; see minimum_sample().
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Element:
    key: str
    code: str  # U1 … U9, as the regulation numbers the elements ("unsur")
    name: str  # the regulation's Indonesian name
    english: str


ELEMENTS: tuple[Element, ...] = (
    Element("requirements", "U1", "Persyaratan", "Requirements"),
    Element("procedure", "U2", "Sistem, mekanisme, dan prosedur", "Procedure"),
    Element("completion_time", "U3", "Waktu penyelesaian", "Completion time"),
    Element("cost", "U4", "Biaya/tarif", "Cost"),
    Element("product", "U5", "Produk spesifikasi jenis pelayanan", "Service product"),
    Element("staff_competence", "U6", "Kompetensi pelaksana", "Staff competence"),
    Element("staff_conduct", "U7", "Perilaku pelaksana", "Staff conduct"),
    Element("complaint_handling", "U8", "Penanganan pengaduan, saran dan masukan", "Complaint handling"),
    Element("facilities", "U9", "Sarana dan prasarana", "Facilities"),
)
SCORE_MIN, SCORE_MAX = 1, 4


@dataclass(frozen=True)
class Grade:
    letter: str
    low: Decimal  # inclusive, as the regulation writes it
    high: Decimal
    quality: str  # the regulation's "kinerja unit pelayanan"
    english: str


GRADES: tuple[Grade, ...] = (
    Grade("A", Decimal("88.31"), Decimal("100.00"), "Sangat Baik", "Very good"),
    Grade("B", Decimal("76.61"), Decimal("88.30"), "Baik", "Good"),
    Grade("C", Decimal("65.00"), Decimal("76.60"), "Kurang Baik", "Poor"),
    Grade("D", Decimal("25.00"), Decimal("64.99"), "Tidak Baik", "Very poor"),
)


class InvalidResponse(ValueError):
    """A survey response that is not nine whole scores from 1 to 4; `element` is the faulty element or None."""

    def __init__(self, message: str, element: Element | None = None):
        super().__init__(message)
        self.element = element


def validate_response(scores: Any) -> tuple[int, ...]:
    """The nine scores as a tuple of ints, or InvalidResponse naming the first faulty element."""
    if isinstance(scores, str | bytes) or not isinstance(scores, Sequence):
        raise InvalidResponse("scores must be a list of 9 whole numbers from 1 to 4")
    if len(scores) != len(ELEMENTS):
        raise InvalidResponse(f"scores must have exactly {len(ELEMENTS)} values (one per element), not {len(scores)}")
    for element, score in zip(ELEMENTS, scores, strict=True):
        if isinstance(score, bool) or not isinstance(score, int):
            raise InvalidResponse(
                f"{element.code} {element.name}: the score must be a whole number from 1 to 4, not {score!r}", element
            )
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise InvalidResponse(f"{element.code} {element.name}: the score must be from 1 to 4, not {score}", element)
    return tuple(scores)


def round_half_up(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """Round exactly, halves up (82.125 → 82.13, where Python's round() gives 82.12); for values >= 0."""
    scaled = Fraction(value) * 10**places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-places)


def grade(index: Decimal | float | str) -> Grade:
    """The grade of an index already rounded to 2 decimals (ValueError outside 25.00–100.00)."""
    value = Decimal(str(index))
    for g in GRADES:
        if g.low <= value <= g.high:
            return g
    raise ValueError(f"an IKM index runs from 25.00 to 100.00 with 2 decimals, not {index}")


@dataclass(frozen=True)
class IkmResult:
    responses: int
    element_means: tuple[Decimal, ...]  # per element, rounded to 3 decimals for display (the regulation's NRR)
    index: Decimal | None  # None without responses
    grade: Grade | None

    def as_dict(self) -> dict[str, Any]:
        """The report card's "ikm" object: {"responses", "index", "grade", "quality", "elements"}."""
        return {
            "responses": self.responses,
            "index": float(self.index) if self.index is not None else None,
            "grade": self.grade.letter if self.grade else None,
            "quality": self.grade.quality if self.grade else None,
            "elements": [
                {"key": e.key, "code": e.code, "name": e.name, "mean": float(m)}
                for e, m in zip(ELEMENTS, self.element_means, strict=True)
            ],
        }


def compute_ikm(responses: Iterable[Sequence[int]]) -> IkmResult:
    """The index of a service from its responses (each validated: InvalidResponse on the first bad one)."""
    totals = [0] * len(ELEMENTS)
    count = 0
    for response in responses:
        for n, score in enumerate(validate_response(response)):
            totals[n] += score
        count += 1
    return ikm_from_totals(count, totals)


def ikm_from_totals(count: int, totals: Sequence[int]) -> IkmResult:
    """The same result from the number of responses and the nine element sums (a report card's tallies): exact,
    so it equals compute_ikm() over the responses the sums were taken from."""
    if len(totals) != len(ELEMENTS):
        raise ValueError(f"one sum per element: {len(ELEMENTS)} sums, not {len(totals)}")
    if count == 0:
        return IkmResult(0, tuple(Decimal("0.000") for _ in ELEMENTS), None, None)
    if any(not count * SCORE_MIN <= total <= count * SCORE_MAX for total in totals):
        raise ValueError(f"sums of {count} scores from 1 to 4 lie between {count} and {4 * count}")
    means = [Fraction(total, count) for total in totals]
    exact_index = sum(means, Fraction(0)) / len(ELEMENTS) * 25
    index = round_half_up(exact_index, 2)
    return IkmResult(count, tuple(round_half_up(m, 3) for m in means), index, grade(index))


# Krejcie & Morgan (1970), "Determining sample size for research activities", Table 1, as the annex of
# Permenpan RB 14/2017 reproduces it: population N → minimum sample n (95% confidence, 5% margin, P = 0.5).
KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44), (55, 48),
    (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76), (100, 80), (110, 86),
    (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132),
    (210, 136), (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162), (290, 165),
    (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254), (800, 260), (850, 265),
    (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306),
    (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335),
    (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364),
    (8000, 367), (9000, 368), (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380),
    (50000, 381), (75000, 382), (1000000, 384),
)  # fmt: skip
_POPULATIONS = [n for n, _ in KREJCIE_MORGAN]


def krejcie_morgan(population: int) -> Fraction:
    """The table's formula, s = χ²NP(1−P) / (d²(N−1) + χ²P(1−P)), with χ² = 3.841, P = 0.5, d = 0.05."""
    chi2, p, d = Fraction("3.841"), Fraction(1, 2), Fraction(1, 20)
    return chi2 * population * p * (1 - p) / (d * d * (population - 1) + chi2 * p * (1 - p))


def minimum_sample(population: int) -> int:
    """The minimum number of responses for a population, by the table.

    A population listed in the table gets its row. One between two rows gets the row of the next larger
    population: the sample never falls short of what the table asks for the population, where interpolating
    could (the table is concave) and the formula rounded to nearest could give one response fewer. Under 10
    people, everyone (a census); above 1,000,000, the last row (384). 0 or fewer: 0.
    """
    if population <= 0:
        return 0
    if population < _POPULATIONS[0]:
        return population
    at = bisect.bisect_left(_POPULATIONS, population)
    return KREJCIE_MORGAN[min(at, len(KREJCIE_MORGAN) - 1)][1]


def sample_status(responses: int, population: int | None) -> dict[str, Any]:
    """For the report card: {"responses", "population", "minimum_sample", "below_minimum"}; with an unknown
    population nothing can be said (minimum None, below_minimum False)."""
    minimum = None if population is None else minimum_sample(population)
    return {
        "responses": responses,
        "population": population,
        "minimum_sample": minimum,
        "below_minimum": minimum is not None and responses < minimum,
    }


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int  # 1–4

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The first day of the next quarter (exclusive bound)."""
        return self.next().start

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """ "2026-Q3" → Quarter(2026, 3) (ValueError otherwise)."""
        year, sep, q = text.strip().upper().partition("-Q")
        if not sep or not year.isdigit() or q not in {"1", "2", "3", "4"}:
            raise ValueError(f"a quarter is written like 2026-Q3, not {text!r}")
        return cls(int(year), int(q))


def quarter_of(value: dt.date | dt.datetime, tz: str = "Asia/Jakarta") -> Quarter:
    """The calendar quarter of a date, or of a datetime in the agency's time zone (naive datetimes are UTC,
    as the database stores them): 31 December 20:00 UTC is already 1 January in Jakarta."""
    if isinstance(value, dt.datetime):
        aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        value = aware.astimezone(ZoneInfo(tz)).date()
    return Quarter(value.year, (value.month - 1) // 3 + 1)


def quarters(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from first to last inclusive, for a trend with no gaps (empty if last < first)."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = current.next()
    return out
