"""The satisfaction index of Permenpan RB 14/2017 (consult/accountability/ikm.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from consult.accountability.ikm import (
    ELEMENTS,
    KREJCIE_MORGAN,
    InvalidResponse,
    Quarter,
    compute_ikm,
    grade,
    krejcie_morgan,
    minimum_sample,
    quarter_of,
    quarters,
    round_half_up,
    sample_status,
    validate_response,
)


def test_there_are_nine_elements_in_the_regulations_order():
    assert [e.code for e in ELEMENTS] == [f"U{n}" for n in range(1, 10)]
    assert [e.key for e in ELEMENTS] == [
        "requirements",
        "procedure",
        "completion_time",
        "cost",
        "product",
        "staff_competence",
        "staff_conduct",
        "complaint_handling",
        "facilities",
    ]


def test_all_fours_give_exactly_100_and_grade_a():
    result = compute_ikm([[4] * 9] * 10)
    assert result.index == Decimal("100.00")
    assert (result.grade.letter, result.grade.quality) == ("A", "Sangat Baik")


def test_exact_weights_give_75_for_all_threes_where_the_rounded_weight_would_give_74_25():
    result = compute_ikm([[3] * 9])
    assert result.index == Decimal("75.00")
    assert Decimal(3 * 9) * Decimal("0.11") * 25 == Decimal("74.25")  # the regulation's rounded 0.11 weight
    assert result.grade.letter == "C"


def test_all_ones_give_25_and_grade_d():
    result = compute_ikm([[1] * 9])
    assert (result.index, result.grade.letter, result.grade.quality) == (Decimal("25.00"), "D", "Tidak Baik")


def test_index_is_the_mean_of_element_means_times_25():
    responses = [[4, 3, 2, 4, 3, 3, 4, 2, 3], [3, 3, 3, 4, 4, 3, 4, 3, 2], [4, 4, 3, 3, 3, 4, 4, 3, 3]]
    result = compute_ikm(responses)
    exact = sum(Fraction(sum(col), 3) for col in zip(*responses, strict=True)) / 9 * 25
    assert result.index == round_half_up(exact)
    assert result.responses == 3
    assert result.element_means[0] == Decimal("3.667")


def test_rounding_is_half_up_on_the_decimal_not_bankers_rounding():
    assert round(82.125, 2) == 82.12  # what float rounding would show
    assert round_half_up(Fraction("82.125")) == Decimal("82.13")
    assert round_half_up(Fraction("76.605")) == Decimal("76.61")
    assert round_half_up(Fraction("76.6049999")) == Decimal("76.60")
    assert round_half_up(Fraction(1, 3), 3) == Decimal("0.333")


def test_an_index_is_graded_after_rounding_at_each_boundary():
    cases = {
        "64.99": "D",
        "65.00": "C",
        "76.60": "C",
        "76.61": "B",
        "88.30": "B",
        "88.31": "A",
        "100": "A",
        "25": "D",
    }
    for value, letter in cases.items():
        assert grade(value).letter == letter, value


def test_a_value_that_rounds_up_across_a_boundary_takes_the_higher_grade():
    # 88.305 exactly rounds to 88.31: grade A, though the unrounded value is below 88.31
    assert round_half_up(Fraction("88.305")) == Decimal("88.31")
    assert grade(round_half_up(Fraction("88.305"))).letter == "A"
    assert grade(round_half_up(Fraction("88.3049"))).letter == "B"


@pytest.mark.parametrize("value", ["24.99", "100.01", "-1"])
def test_an_index_outside_the_scale_has_no_grade(value):
    with pytest.raises(ValueError, match="from 25.00 to 100.00"):
        grade(value)


def test_no_responses_give_no_index():
    result = compute_ikm([])
    assert (result.responses, result.index, result.grade) == (0, None, None)
    assert result.as_dict()["index"] is None and result.as_dict()["grade"] is None


def test_the_report_card_object_is_plain_json():
    data = compute_ikm([[4, 4, 4, 4, 4, 4, 4, 4, 3]]).as_dict()
    assert data["index"] == 97.22 and data["grade"] == "A" and data["quality"] == "Sangat Baik"
    assert data["elements"][8] == {"key": "facilities", "code": "U9", "name": "Sarana dan prasarana", "mean": 3.0}


@pytest.mark.parametrize(
    ("scores", "message", "element"),
    [
        ([4] * 8, "exactly 9 values", None),
        ([4] * 10, "exactly 9 values", None),
        ("444444444", "a list of 9", None),
        (None, "a list of 9", None),
        ([4, 4, 5, 4, 4, 4, 4, 4, 4], "U3 Waktu penyelesaian: the score must be from 1 to 4, not 5", "completion_time"),
        ([4, 4, 4, 0, 4, 4, 4, 4, 4], "U4 Biaya/tarif", "cost"),
        ([4, 4, 4, 4, 4, 4, 4, 4, 2.5], "U9 Sarana dan prasarana: the score must be a whole number", "facilities"),
        ([True, 4, 4, 4, 4, 4, 4, 4, 4], "U1 Persyaratan", "requirements"),
        ([4, "4", 4, 4, 4, 4, 4, 4, 4], "U2 Sistem", "procedure"),
    ],
)
def test_an_invalid_response_is_refused_naming_the_element(scores, message, element):
    with pytest.raises(InvalidResponse, match=message) as caught:
        validate_response(scores)
    assert (caught.value.element.key if caught.value.element else None) == element


def test_compute_refuses_the_first_invalid_response():
    with pytest.raises(InvalidResponse, match="U7"):
        compute_ikm([[4] * 9, [4, 4, 4, 4, 4, 4, 9, 4, 4]])


def test_the_sample_table_is_krejcie_and_morgans_formula_rounded_to_nearest():
    for population, sample in KREJCIE_MORGAN:
        assert round_half_up(krejcie_morgan(population), 0) == sample, population
    assert [n for n, _ in KREJCIE_MORGAN] == sorted(n for n, _ in KREJCIE_MORGAN)


@pytest.mark.parametrize(
    ("population", "sample"),
    [
        (0, 0),
        (1, 1),
        (9, 9),
        (10, 10),
        (100, 80),
        (101, 86),  # between rows: the next larger population's row (110 → 86)
        (1000, 278),
        (1001, 285),
        (75_000, 382),
        (75_001, 384),
        (1_000_000, 384),
        (50_000_000, 384),
    ],
)
def test_minimum_sample_by_the_table(population, sample):
    assert minimum_sample(population) == sample


def test_between_rows_the_minimum_is_never_below_the_formula():
    for population in range(10, 20_000, 7):
        assert minimum_sample(population) >= round_half_up(krejcie_morgan(population), 0), population


def test_sample_status_warns_when_responses_are_below_the_minimum():
    assert sample_status(79, 100) == {"responses": 79, "population": 100, "minimum_sample": 80, "below_minimum": True}
    assert sample_status(80, 100)["below_minimum"] is False
    assert sample_status(3, None) == {
        "responses": 3,
        "population": None,
        "minimum_sample": None,
        "below_minimum": False,
    }


def test_quarter_of_a_date_and_its_bounds():
    q = quarter_of(dt.date(2026, 8, 17))
    assert (q, str(q), q.start, q.end) == (Quarter(2026, 3), "2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert quarter_of(dt.date(2026, 12, 31)).end == dt.date(2027, 1, 1)


def test_quarter_of_a_utc_datetime_is_taken_in_the_agencys_time_zone():
    late = dt.datetime(2026, 12, 31, 20, 0)  # naive UTC: 03:00 on 1 January in Jakarta (UTC+7)
    assert quarter_of(late) == Quarter(2027, 1)
    assert quarter_of(late, tz="UTC") == Quarter(2026, 4)
    assert quarter_of(dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC), tz="Asia/Jayapura") == Quarter(2026, 2)


def test_quarters_fill_a_trend_without_gaps():
    assert [str(q) for q in quarters(Quarter(2025, 3), Quarter(2026, 2))] == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    assert quarters(Quarter(2026, 2), Quarter(2026, 1)) == []


def test_quarter_parse_round_trips_and_refuses_nonsense():
    assert Quarter.parse("2026-q4") == Quarter(2026, 4)
    for text in ["2026-Q5", "2026Q1", "Q1-2026", ""]:
        with pytest.raises(ValueError, match="written like 2026-Q3"):
            Quarter.parse(text)
