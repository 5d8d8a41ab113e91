"""The arithmetic of the public statistics pages (pure: plain data in, plain data out; no Flask, no database).

The database answers with small aggregates (counts per local day, reports per whole minute of waiting), and
this module turns them into what the pages show: a time series with its empty days filled in and, for long
spans, days summed into weeks or months; the median of a histogram; the share of reports handled within 48 hours;
response times in bands a reader can compare. consult.monitoring.statistics runs the queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_POINTS = 62  # columns a 360 px chart can still draw apart (about 5 px each): two months of days
WITHIN_MINUTES = 48 * 60  # "handled within 48 hours": the time after which moderation escalates a report
BANDS = ((60, "lt1h"), (6 * 60, "1-6h"), (24 * 60, "6-24h"), (48 * 60, "24-48h"), (None, "gt48h"))


@dataclass(frozen=True)
class Series:
    """Counts per period: `unit` is "day", "week" (starting on Monday) or "month"; each point is the first day of
    its period and one count per measure (in the order the measures were given)."""

    unit: str
    points: list[tuple[dt.date, tuple[int, ...]]]

    def column(self, n: int) -> list[tuple[dt.date, int]]:
        return [(start, counts[n]) for start, counts in self.points]

    def totals(self) -> tuple[int, ...]:
        width = len(self.points[0][1]) if self.points else 0
        return tuple(sum(counts[i] for _, counts in self.points) for i in range(width))


def _start_of(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next(start: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return start + dt.timedelta(days=1)
    if unit == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def unit_for(first: dt.date, last: dt.date, max_points: int = MAX_POINTS) -> str:
    """Days while the span has at most `max_points` of them, then weeks, then months."""
    days = (last - first).days + 1
    if days <= max_points:
        return "day"
    if days <= 7 * max_points:
        return "week"
    return "month"


def series(
    counts: Mapping[dt.date, Sequence[int]],
    first: dt.date | None,
    last: dt.date | None,
    *,
    width: int,
    unit: str | None = None,
) -> Series:
    """Every period from `first` to `last` (widened to the days that have counts), empty ones as zeros, days summed
    into the period they fall in. `width`: how many measures each day carries. Nothing at all: no points."""
    days = sorted(counts)
    if days:
        first = min(first or days[0], days[0])
        last = max(last or days[-1], days[-1])
    if first is None or last is None or last < first:
        return Series(unit or "day", [])
    unit = unit or unit_for(first, last)
    sums: dict[dt.date, list[int]] = {}
    start = _start_of(first, unit)
    while start <= last:
        sums[start] = [0] * width
        start = _next(start, unit)
    for day, values in counts.items():
        bucket = sums[_start_of(day, unit)]
        for i, value in enumerate(values):
            bucket[i] += int(value)
    return Series(unit, [(start, tuple(values)) for start, values in sums.items()])


def median(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many times}; the mean of the two middle ones for an even count;
    None when empty."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
        if not wanted:
            break
    return (found[0] + found[1]) / 2


def within(histogram: Mapping[int, int], limit: int = WITHIN_MINUTES) -> tuple[int, int]:
    """(how many values are below `limit`, how many there are): reports handled within 48 hours of all handled."""
    return sum(n for v, n in histogram.items() if v < limit), sum(histogram.values())


def share(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal, None without a whole."""
    return round(100 * part / whole, 1) if whole else None


def bands(histogram: Mapping[int, int]) -> list[tuple[str, int]]:
    """The values counted in the bands of BANDS: under 1 hour, 1–6, 6–24, 24–48 hours, 48 hours or more."""
    out = {key: 0 for _, key in BANDS}
    for value, n in histogram.items():
        for upper, key in BANDS:
            if upper is None or value < upper:
                out[key] += n
                break
    return list(out.items())


def split_minutes(minutes: float) -> tuple[int, int, int]:
    """A duration in minutes as (days, hours, minutes), rounded to the minute."""
    whole = int(round(minutes))
    return whole // 1440, whole % 1440 // 60, whole % 60


def add_up(rows: Iterable[tuple[object, int]]) -> dict[object, int]:
    """Counts summed by key, keeping the keys' first-seen order."""
    out: dict[object, int] = {}
    for key, n in rows:
        out[key] = out.get(key, 0) + int(n)
    return out
