"""The building blocks of consult's SVG charts (see consult.monitoring.charts): the root element with its
accessible name, text, numbers, the table alternative. No style attributes: presentation attributes only."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import escape
from typing import Any

from consult.monitoring.xmltext import xml_safe

WIDTH = 360
PAD = 10
FONT = 13
SMALL = 12
INK, MUTED, GRID = "#1b1f24", "#4f5863", "#c9d0d6"
BLUE = "#0b5cad"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    svg: str  # markup to embed as is: mark it safe in the template, nothing else is needed
    table: Table  # the same data as a table, to show next to it


def element_id(chart_id: str) -> str:
    """An id usable in XML and in url(#…): other characters become "-", a leading digit gets "c-"."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) or "chart"
    return clean if clean[0].isalpha() else "c-" + clean


def svg_root(chart_id: str, height: float, title: str, desc: str) -> ET.Element:
    cid = element_id(chart_id)
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {num(height)}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{cid}-title {cid}-desc",
            "class": "chart",
            "font-family": "system-ui, sans-serif",
        },
    )
    ET.SubElement(root, "title", {"id": f"{cid}-title"}).text = xml_safe(title)
    ET.SubElement(root, "desc", {"id": f"{cid}-desc"}).text = xml_safe(desc)
    return root


def num(value: float) -> str:
    """A coordinate with at most 2 decimals and no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def text(parent: ET.Element, x: float, y: float, content: str, **attrs: str) -> ET.Element:
    """A <text> element; attribute names with "_" are written with "-" (font_size → font-size)."""
    attributes = {"x": num(x), "y": num(y), "font-size": str(FONT), "fill": INK}
    attributes.update({k.replace("_", "-"): v for k, v in attrs.items()})
    element = ET.SubElement(parent, "text", attributes)
    element.text = xml_safe(content)
    return element


def tostring(root: ET.Element) -> str:
    """The markup; ElementTree escapes &, <, > and quotes in text and attribute values."""
    return ET.tostring(root, encoding="unicode")


def number(value: float | None) -> str:
    """A number as Indonesian write it: 1.200 and 80,12; "–" for no value."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")  # Indonesian thousands separator
    return f"{value:.2f}".replace(".", ",")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return number(value)
    return xml_safe(value)


def table_html(table: Table, *, css_class: str = "chart-table") -> str:
    """The table alternative as escaped HTML (<table> with <caption> and <th scope>)."""
    head = "".join(f'<th scope="col">{escape(xml_safe(c))}</th>' for c in table.columns)
    body = []
    for row in table.rows:
        first, *rest = row
        cells = "".join(f"<td>{escape(_cell(v))}</td>" for v in rest)
        body.append(f'<tr><th scope="row">{escape(xml_safe(first))}</th>{cells}</tr>')
    return (
        f'<table class="{escape(css_class)}"><caption>{escape(xml_safe(table.caption))}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
