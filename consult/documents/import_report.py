"""What a draft loses on its way to the public, section by section. Plain computation: no Flask, no database.

The sanitiser (consult/sanitize.py) says what it removed from each section's source; this module groups it
into the report a person reads before saving: which section, what (an image as its Markdown, a tag by name),
how often. Pages word it; nothing here is translated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from consult.sanitize import Removed


@dataclass(frozen=True)
class Dropped:
    number: int  # the section's place in the document, from 1 (as the preview numbers them)
    title: str
    kind: str  # "image" | "html"
    what: str  # `![alt](address)` for an image, `<div>` for a tag
    count: int  # how often the same thing was removed from that section


def dropped_per_section(sections: Iterable[tuple[str, Sequence[Removed]]]) -> list[Dropped]:
    """One line per section and distinct removal, in the order of the sections and of first appearance.

    `sections` holds each section's (title, what the sanitiser removed from it), in document order.
    """
    report: list[Dropped] = []
    for number, (title, removed) in enumerate(sections, start=1):
        counts: dict[tuple[str, str], int] = {}
        for item in removed:
            counts[item.kind, item.what] = counts.get((item.kind, item.what), 0) + 1
        report.extend(Dropped(number, title, kind, what, n) for (kind, what), n in counts.items())
    return report
