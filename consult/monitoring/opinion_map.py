"""The opinion map: participants as dots placed by the opinion model, one colour and one shape per group."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from consult.monitoring.svg import GRID, PAD, SMALL, WIDTH, Chart, Table, num, svg_root, text, tostring
from consult.monitoring.xmltext import fit, xml_safe

GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SHAPES = ("circle", "square", "triangle", "diamond", "cross", "star")


def _marker(parent: ET.Element, shape: str, x: float, y: float, colour: str, size: float = 4.5) -> None:
    common = {"fill": colour, "stroke": "#ffffff", "stroke-width": "0.8", "class": f"chart-shape-{shape}"}
    if shape == "circle":
        ET.SubElement(parent, "circle", {"cx": num(x), "cy": num(y), "r": num(size), **common})
        return
    if shape == "square":
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    elif shape == "triangle":
        corners = [(0, -1.2), (1.1, 0.9), (-1.1, 0.9)]
    elif shape == "diamond":
        corners = [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)]
    elif shape == "cross":
        a, b = 0.4, 1.2
        corners = [
            (-a, -b),
            (a, -b),
            (a, -a),
            (b, -a),
            (b, a),
            (a, a),
            (a, b),
            (-a, b),
            (-a, a),
            (-b, a),
            (-b, -a),
            (-a, -a),
        ]
    else:  # star
        corners = [(0, -1.4), (0.4, -0.4), (1.4, -0.4), (0.6, 0.2), (0.9, 1.2), (0, 0.6), (-0.9, 1.2), (-0.6, 0.2)]
        corners += [(-1.4, -0.4), (-0.4, -0.4)]
    points = " ".join(f"{num(x + cx * size)},{num(y + cy * size)}" for cx, cy in corners)
    ET.SubElement(parent, "polygon", {"points": points, **common})


def opinion_map(
    points: Sequence[tuple[float, float, int]],
    groups: Sequence[str],
    *,
    title: str,
    desc: str,
    chart_id: str = "opinion-map",
    heading: str = "Kelompok",
    count_heading: str = "Peserta",
) -> Chart:
    """Participants as (x, y, group index) dots; each group has a colour and a shape, its name at its centre
    and a legend entry with its size. The axes have no meaning of their own (they come from the opinion
    model's projection), so none are drawn."""
    legend_h = 24 * len(groups) + 8
    plot = WIDTH - 2 * PAD
    root = svg_root(chart_id, legend_h + plot + PAD, title, desc)
    counts = [0] * len(groups)
    for _, _, g in points:
        if not 0 <= g < len(groups):
            raise ValueError(f"group index {g} is not one of the {len(groups)} groups")
        counts[g] += 1
    for g, name in enumerate(groups):
        colour, shape = GROUP_COLOURS[g % len(GROUP_COLOURS)], SHAPES[g % len(SHAPES)]
        _marker(root, shape, PAD + 7, 16 + 24 * g, colour, 6)
        text(root, PAD + 20, 21 + 24 * g, f"{fit(name, 34)} ({counts[g]})", font_size=str(SMALL))
    ET.SubElement(
        root,
        "rect",
        {"x": num(PAD), "y": num(legend_h), "width": num(plot), "height": num(plot), "fill": "none", "stroke": GRID},
    )
    if points:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        scale = (plot - 24) / span

        def place(x: float, y: float) -> tuple[float, float]:
            return PAD + plot / 2 + (x - mid_x) * scale, legend_h + plot / 2 - (y - mid_y) * scale

        for x, y, g in points:
            px, py = place(x, y)
            _marker(root, SHAPES[g % len(SHAPES)], px, py, GROUP_COLOURS[g % len(GROUP_COLOURS)])
        for g, name in enumerate(groups):
            members = [(x, y) for x, y, gg in points if gg == g]
            if members:
                cx, cy = place(sum(m[0] for m in members) / len(members), sum(m[1] for m in members) / len(members))
                shown = fit(name, 16)
                half = 4.2 * len(shown)  # about half the width of 13 px bold text: keep the name inside the map
                cx = min(max(cx, PAD + half), WIDTH - PAD - half)
                label = text(root, cx, max(cy - 8, legend_h + 14), shown, font_weight="700", text_anchor="middle")
                label.attrib.update({"stroke": "#ffffff", "stroke-width": "3", "paint-order": "stroke"})
    table = Table(title, [heading, count_heading], [[xml_safe(name), counts[g]] for g, name in enumerate(groups)])
    return Chart(tostring(root), table)
