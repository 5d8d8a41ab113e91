"""Server-rendered SVG charts, each with the table that says the same in text (pure).

Built for the site's Content-Security-Policy (style-src 'self'): no style attribute and no <style> element,
only presentation attributes (fill=, stroke=, font-size=) and classes (chart-*) that static/css/toolkit.css
may restyle. Accessible: role="img" with a <title> and a <desc> named by aria-labelledby, and the table
alternative (Chart.table, or table_html()) next to it. Meaning never rests on colour alone: stance segments
also differ by pattern and are written out under each bar, groups on the opinion map differ by shape and
carry their name, and every bar carries its number. Colours are the Okabe-Ito palette (distinguishable with
the common colour-vision deficiencies) or darker tones of it where text must contrast (WCAG AA).

Responsive: a viewBox 360 units wide and width="100%", so on a 360 px phone one unit is one CSS pixel and
the 12–13 unit text is 12–13 px; wider screens scale it up. Every text is XML-escaped by ElementTree after
consult.monitoring.xmltext.xml_safe() removed what XML cannot hold: the markup is safe to mark as such.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from consult.monitoring.opinion_map import opinion_map
from consult.monitoring.svg import (
    BLUE,
    GRID,
    MUTED,
    PAD,
    SMALL,
    WIDTH,
    Chart,
    Table,
    element_id,
    num,
    number,
    svg_root,
    table_html,
    text,
    tostring,
)
from consult.monitoring.xmltext import fit, xml_safe

__all__ = ["Chart", "Table", "bar_chart", "opinion_map", "percentages", "stance_bars", "table_html", "trend_chart"]

STANCES = (  # key, default label, colour, pattern
    ("support", "Setuju", BLUE, None),
    ("neutral", "Netral", "#6b7280", "hatch"),
    ("oppose", "Tidak setuju", "#a4161a", "dots"),
)


def _patterns(root: ET.Element, cid: str) -> None:
    defs = ET.SubElement(root, "defs")
    for key, _, colour, pattern in STANCES:
        if pattern is None:
            continue
        p = ET.SubElement(
            defs,
            "pattern",
            {"id": f"{cid}-{key}", "width": "6", "height": "6", "patternUnits": "userSpaceOnUse"},
        )
        ET.SubElement(p, "rect", {"width": "6", "height": "6", "fill": colour})
        if pattern == "hatch":
            ET.SubElement(p, "path", {"d": "M0,6 L6,0", "stroke": "#ffffff", "stroke-width": "1.5"})
        else:
            ET.SubElement(p, "circle", {"cx": "3", "cy": "3", "r": "1.3", "fill": "#ffffff"})


def _fill(cid: str, key: str) -> str:
    for k, _, colour, pattern in STANCES:
        if k == key:
            return colour if pattern is None else f"url(#{cid}-{k})"
    raise KeyError(key)


def percentages(counts: Sequence[int]) -> list[int]:
    """Whole percentages that add up to 100 (largest remainders), or all 0 for no counts."""
    total = sum(counts)
    if total <= 0:
        return [0 for _ in counts]
    exact = [c * 100 / total for c in counts]
    whole = [int(x) for x in exact]
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - whole[i]), i))
    for i in order[: 100 - sum(whole)]:
        whole[i] += 1
    return whole


def stance_bars(
    rows: Sequence[tuple[str, int, int, int]],
    *,
    title: str,
    desc: str,
    chart_id: str = "stances",
    labels: Sequence[str] = ("Setuju", "Netral", "Tidak setuju"),
    empty: str = "Belum ada sikap",
    heading: str = "Bagian",
) -> Chart:
    """One horizontal stacked bar per section: (section title, support, neutral, oppose) counts."""
    cid = element_id(chart_id)
    legend_h, row_h = 30, 62
    root = svg_root(chart_id, legend_h + row_h * max(1, len(rows)), title, desc)
    _patterns(root, cid)
    x = PAD
    for (key, _, _, _), label in zip(STANCES, labels, strict=True):
        ET.SubElement(
            root,
            "rect",
            {"x": num(x), "y": "8", "width": "14", "height": "14", "fill": _fill(cid, key), "class": f"chart-{key}"},
        )
        text(root, x + 19, 20, label, font_size=str(SMALL))
        x += 19 + 7.2 * len(label) + 14
    table = Table(title, [heading, *labels, "n"])
    bar_w = WIDTH - 2 * PAD
    for n, (name, *counts) in enumerate(rows):
        top = legend_h + n * row_h
        group = ET.SubElement(root, "g", {"class": "chart-row"})
        ET.SubElement(group, "title").text = xml_safe(name)
        text(group, PAD, top + 13, fit(name, 38), font_weight="600")
        total = sum(counts)
        shares = percentages(counts)
        table.rows.append([xml_safe(name), *counts, total])
        ET.SubElement(
            group,
            "rect",
            {"x": num(PAD), "y": num(top + 19), "width": num(bar_w), "height": "18", "fill": "#ffffff", "stroke": GRID},
        )
        left = PAD
        for (key, _, _, _), count in zip(STANCES, counts, strict=True):
            if total and count:
                w = bar_w * count / total
                ET.SubElement(
                    group,
                    "rect",
                    {
                        "x": num(left),
                        "y": num(top + 19),
                        "width": num(w),
                        "height": "18",
                        "fill": _fill(cid, key),
                        "class": f"chart-{key}",
                    },
                )
                left += w
        parts = [f"{label} {share}%" for label, share in zip(labels, shares, strict=True)]
        caption = " · ".join(parts) + f" (n={total})" if total else empty
        text(group, PAD, top + 52, caption, font_size=str(SMALL), fill=MUTED)
    return Chart(tostring(root), table)


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    chart_id: str = "bars",
    heading: str = "Kategori",
    value_heading: str = "Jumlah",
) -> Chart:
    """Horizontal bars, one per (label, count), the label above its bar and the number after it."""
    row_h = 40
    root = svg_root(chart_id, PAD + row_h * max(1, len(items)), title, desc)
    top_value = max((v for _, v in items), default=0) or 1
    bar_w = WIDTH - 2 * PAD - 48
    table = Table(title, [heading, value_heading])
    for n, (label, value) in enumerate(items):
        top = PAD + n * row_h
        group = ET.SubElement(root, "g", {"class": "chart-row"})
        ET.SubElement(group, "title").text = xml_safe(label)
        text(group, PAD, top + 11, fit(label, 46))
        w = max(0.0, bar_w * value / top_value)
        ET.SubElement(
            group,
            "rect",
            {
                "x": num(PAD),
                "y": num(top + 16),
                "width": num(w),
                "height": "14",
                "fill": BLUE,
                "class": "chart-bar",
            },
        )
        text(group, PAD + w + 5, top + 27, number(value), font_size=str(SMALL), font_weight="600")
        table.rows.append([xml_safe(label), value])
    return Chart(tostring(root), table)


def nice_top(value: float) -> float:
    """The smallest 4 × (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) at or above value: gridlines on round numbers."""
    if value <= 4:
        return 4  # counts: gridlines at 0, 1, 2, 3, 4 rather than at quarters
    step = 10 ** math.floor(math.log10(value / 4))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if (step * factor) % 1 == 0 and 4 * step * factor >= value:  # whole steps: counts have no halves
            return 4 * step * factor
    return 40 * step


def trend_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    desc: str,
    chart_id: str = "trend",
    kind: str = "line",
    y_max: float | None = None,
    heading: str = "Periode",
    value_heading: str = "Nilai",
) -> Chart:
    """A value per period (IKM per quarter: kind "line", y_max 100; participation per day: kind "column").
    A period without a value (None) is a gap, not a zero."""
    if kind not in ("line", "column"):
        raise ValueError(f"kind must be 'line' or 'column', not {kind!r}")
    height, left, right, top, bottom = 220, 40, WIDTH - PAD, 16, 180
    root = svg_root(chart_id, height, title, desc)
    values = [v for _, v in points if v is not None]
    y_top = y_max if y_max is not None else nice_top(max(values, default=0))
    table = Table(title, [heading, value_heading], [[xml_safe(label), value] for label, value in points])
    for tick in range(5):
        value = y_top * tick / 4
        y = bottom - (bottom - top) * tick / 4
        ET.SubElement(root, "line", {"x1": num(left), "x2": num(right), "y1": num(y), "y2": num(y), "stroke": GRID})
        text(root, left - 4, y + 4, number(round(value, 2)), font_size=str(SMALL), fill=MUTED, text_anchor="end")
    count = max(1, len(points))
    step = (right - left) / count
    every = max(1, -(-count // 7))  # at most 7 period labels fit under 360 px
    labelled = count <= 12
    coords = []
    for n, (label, value) in enumerate(points):
        cx = left + step * (n + 0.5)
        if n % every == 0:
            text(root, cx, bottom + 16, fit(label, 10), font_size=str(SMALL), fill=MUTED, text_anchor="middle")
        if value is None:
            coords.append(None)
            continue
        y = bottom - (bottom - top) * min(value, y_top) / y_top
        coords.append((cx, y))
        if kind == "column":
            ET.SubElement(
                root,
                "rect",
                {
                    "x": num(cx - step * 0.35),
                    "y": num(y),
                    "width": num(step * 0.7),
                    "height": num(bottom - y),
                    "fill": BLUE,
                    "class": "chart-bar",
                },
            )
        if labelled:
            text(root, cx, y - 5, number(value), font_size=str(SMALL), text_anchor="middle", font_weight="600")
    if kind == "line":
        run: list[tuple[float, float]] = []
        for point in [*coords, None]:
            if point is not None:
                run.append(point)
                continue
            if len(run) > 1:
                d = " ".join(f"{'M' if i == 0 else 'L'}{num(x)},{num(y)}" for i, (x, y) in enumerate(run))
                ET.SubElement(root, "path", {"d": d, "fill": "none", "stroke": BLUE, "stroke-width": "2.5"})
            for x, y in run:
                ET.SubElement(root, "circle", {"cx": num(x), "cy": num(y), "r": "3.5", "fill": BLUE})
            run = []
    ET.SubElement(
        root, "line", {"x1": num(left), "x2": num(right), "y1": num(bottom), "y2": num(bottom), "stroke": MUTED}
    )
    return Chart(tostring(root), table)
