"""The opinion map as server-rendered SVG: participants placed by the opinion groups' projection (pure).

A plain module (no Flask, no database): points in, markup out. Built for the site's Content-Security-Policy
(no style attribute, no <style>, no script: presentation attributes and classes only) and for a 360 px phone
(a viewBox 360 units wide drawn at width="100%", so one unit is one CSS pixel there).

Colour is never the only cue: each group has its own colour (the Okabe-Ito palette, told apart with the
common colour-vision deficiencies) AND its own shape (circle, square, triangle, diamond, cross). All markers of
one group are one <path> whose data draws every marker, so a point costs about 30 bytes.

Up to ``MAX_POINTS`` participants are drawn one marker each. Beyond that the map aggregates them into a grid
of ``GRID_CELLS`` x ``GRID_CELLS`` cells: one marker per occupied cell, its area proportional to the number of
participants in the cell, its colour and shape those of the cell's largest group. The page then stays small
whatever the number of participants (at most GRID_CELLS² markers; about 30 KB for 33,000 participants).

The axes have no meaning of their own (the two principal components of the votes), so none are drawn.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 360
PAD = 6
PLOT = WIDTH - 2 * PAD
MAX_POINTS = 1500
GRID_CELLS = 40
POINT_SIZE = 4.0  # half the width of a single participant's marker
GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
SHAPES = ("circle", "square", "triangle", "diamond", "cross")
FRAME = "#c9d0d6"
PATH_STYLE = {"fill-opacity": "0.85", "stroke": "#ffffff", "stroke-width": "0.6"}  # presentation attributes


@dataclass(frozen=True)
class GroupPath:
    group: int
    d: str  # path data drawing every marker of the group
    fill: str


@dataclass(frozen=True)
class OpinionMap:
    """The map as data (what a template draws, escaping every value) and as SVG markup (``svg``)."""

    svg: str  # the same drawing as one string (ElementTree escaped every text)
    paths: tuple[GroupPath, ...]  # one per group that has participants, in group order
    aggregated: bool  # True: one marker per grid cell, not per participant
    markers: int  # markers drawn
    counts: tuple[int, ...]  # participants per group
    height: int = PLOT  # of the plot; the drawing is WIDTH x (height + 2 * PAD)
    width: int = WIDTH
    pad: int = PAD
    plot: int = PLOT


def group_letter(group: int) -> str:
    """Polis names its groups A, B, C…: the letter of group number `group` (0-based)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[group] if 0 <= group < len(letters) else str(group + 1)


def colour_of(group: int) -> str:
    return GROUP_COLOURS[group % len(GROUP_COLOURS)]


def shape_of(group: int) -> str:
    return SHAPES[group % len(SHAPES)]


def _n(value: float) -> str:
    """A coordinate with at most 1 decimal (a tenth of a pixel on a phone) and no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def marker_path(shape: str, x: float, y: float, size: float) -> str:
    """Path data for one marker of `shape` centred on (x, y), `size` about half its width."""
    s = size
    if shape == "circle":
        return f"M{_n(x - s)} {_n(y)}a{_n(s)} {_n(s)} 0 1 0 {_n(2 * s)} 0a{_n(s)} {_n(s)} 0 1 0 {_n(-2 * s)} 0z"
    if shape == "square":
        e = s * 0.9
        return f"M{_n(x - e)} {_n(y - e)}h{_n(2 * e)}v{_n(2 * e)}h{_n(-2 * e)}z"
    if shape == "triangle":
        return f"M{_n(x)} {_n(y - 1.2 * s)}l{_n(1.1 * s)} {_n(2.1 * s)}h{_n(-2.2 * s)}z"
    if shape == "diamond":
        d = 1.25 * s
        return f"M{_n(x)} {_n(y - d)}l{_n(d)} {_n(d)}l{_n(-d)} {_n(d)}l{_n(-d)} {_n(-d)}z"
    # cross (a plus sign with arms a third as thick as it is long)
    a, b = 0.4 * s, 1.2 * s
    return (
        f"M{_n(x - a)} {_n(y - b)}h{_n(2 * a)}v{_n(b - a)}h{_n(b - a)}v{_n(2 * a)}h{_n(a - b)}v{_n(b - a)}"
        f"h{_n(-2 * a)}v{_n(a - b)}h{_n(a - b)}v{_n(-2 * a)}h{_n(b - a)}z"
    )


def legend_path(group: int) -> str:
    """Path data of the group's marker in a 16 x 16 box, for a legend or a table next to the group's name."""
    return marker_path(shape_of(group), 8, 8.5, 6)


def legend_marker(group: int, *, size: int = 16) -> str:
    """A small SVG of the group's marker, for a legend or a table next to the group's name (decorative:
    aria-hidden, the name says it)."""
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": "0 0 16 16",
            "width": str(size),
            "height": str(size),
            "aria-hidden": "true",
            "focusable": "false",
            "class": "group-marker",
        },
    )
    ET.SubElement(
        root,
        "path",
        {
            "d": legend_path(group),
            "fill": colour_of(group),
            "stroke": "#1b1f24",
            "stroke-width": "0.6",
        },
    )
    return ET.tostring(root, encoding="unicode")


def _xml_safe(text: str) -> str:
    return "".join(ch for ch in str(text) if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")


def _scale(points: Sequence[tuple[float, float, int]]):
    """A function placing (x, y) in the plot, keeping the aspect ratio (distances mean something), and the
    plot's height: as tall as the points need (a flat cloud leaves no empty band on a phone), at least half
    its width and at most its width."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
    span = max(hi_x - lo_x, hi_y - lo_y) or 1.0
    margin = 2 * POINT_SIZE + 2
    scale = (PLOT - 2 * margin) / span
    height = min(PLOT, max(PLOT / 2, (hi_y - lo_y) * scale + 2 * margin))
    mid_x, mid_y = (hi_x + lo_x) / 2, (hi_y + lo_y) / 2

    def place(x: float, y: float) -> tuple[float, float]:
        return PAD + PLOT / 2 + (x - mid_x) * scale, PAD + height / 2 - (y - mid_y) * scale

    return place, round(height)


def _cells(points, place, groups: int, height: float) -> list[tuple[float, float, int, int]]:
    """(centre x, centre y, participants, majority group) of every occupied grid cell, in a fixed order."""
    size = PLOT / GRID_CELLS
    rows = max(1, int(height / size))
    counts: dict[tuple[int, int], list[int]] = {}
    for x, y, g in points:
        px, py = place(x, y)
        col = min(GRID_CELLS - 1, max(0, int((px - PAD) / size)))
        row = min(rows - 1, max(0, int((py - PAD) / size)))
        per_group = counts.get((row, col))
        if per_group is None:
            per_group = counts[(row, col)] = [0] * groups
        per_group[g] += 1
    cells = []
    for (row, col), per_group in sorted(counts.items()):
        total = sum(per_group)
        majority = max(range(groups), key=lambda gi: (per_group[gi], -gi))  # ties: the lower group number
        cells.append((PAD + (col + 0.5) * size, PAD + (row + 0.5) * size, total, majority))
    return cells


def render_opinion_map(
    points: Sequence[tuple[float, float, int]],
    groups: int,
    *,
    title: str,
    desc: str,
    chart_id: str = "peta-pendapat",
    max_points: int = MAX_POINTS,
) -> OpinionMap:
    """The map of participants given as (x, y, group number 0 … groups-1). More than `max_points` participants
    are aggregated into grid cells. `title` and `desc` name the image for assistive technology."""
    counts = [0] * groups
    for _, _, g in points:
        if not 0 <= g < groups:
            raise ValueError(f"group number {g} is not one of the {groups} groups")
        counts[g] += 1
    place, height = _scale(points) if points else (None, round(PLOT / 2))
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height + 2 * PAD}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "opinion-map",
        },
    )
    ET.SubElement(root, "title", {"id": f"{chart_id}-title"}).text = _xml_safe(title)
    ET.SubElement(root, "desc", {"id": f"{chart_id}-desc"}).text = _xml_safe(desc)
    ET.SubElement(
        root,
        "rect",
        {"x": str(PAD), "y": str(PAD), "width": str(PLOT), "height": str(height), "fill": "#ffffff", "stroke": FRAME},
    )
    paths: list[list[str]] = [[] for _ in range(groups)]
    aggregated = len(points) > max_points
    markers = 0
    if points:
        if aggregated:
            cells = _cells(points, place, groups, height)
            biggest = max(c[2] for c in cells)
            half_cell = PLOT / GRID_CELLS / 2
            for cx, cy, total, g in cells:
                # area by count: the largest cell fills its square, a lone participant is still visible
                size = max(1.6, half_cell * math.sqrt(total / biggest))
                paths[g].append(marker_path(shape_of(g), cx, cy, size))
            markers = len(cells)
        else:
            for x, y, g in points:
                px, py = place(x, y)
                paths[g].append(marker_path(shape_of(g), px, py, POINT_SIZE))
            markers = len(points)
    drawn = tuple(GroupPath(g, "".join(parts), colour_of(g)) for g, parts in enumerate(paths) if parts)
    for path in drawn:
        ET.SubElement(root, "path", {"d": path.d, "class": f"group-{path.group}", "fill": path.fill, **PATH_STYLE})
    return OpinionMap(ET.tostring(root, encoding="unicode"), drawn, aggregated, markers, tuple(counts), height=height)
