"""Split a Markdown document into sections at its headings. Plain computation: no Flask, no database.

A heading (`#` … `######`) at `split_level` or above (`##` and `#` for level 2) starts a section; a deeper one
stays inside its section's body, as a heading there. Text before the first such heading becomes a preamble
section. Headings inside fenced code blocks are ignored. A section's key is the slug of its heading,
with `-2`, `-3` … added when the same heading appears again, so importing the same text twice gives the
same keys, and a later version whose headings are unchanged keeps every key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The optional closing sequence of #s must follow a space (CommonMark), so "## Using C#" keeps its "#".
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
PREAMBLE_KEY = "pembuka"
MAX_KEY = 100
SPLIT_LEVELS = (1, 2, 3)  # what the document form offers: Heading 1, up to Heading 2, up to Heading 3
DEFAULT_SPLIT_LEVEL = 2


@dataclass(frozen=True)
class SplitSection:
    key: str
    title: str
    level: int
    body: str


def slugify(text: str) -> str:
    """ASCII slug of a heading: lower case, words joined by '-'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:MAX_KEY].rstrip("-") or "bagian"


def split_markdown(
    text: str, preamble_title: str = "Pembuka", split_level: int = DEFAULT_SPLIT_LEVEL
) -> list[SplitSection]:
    """Split `text` into sections, one per heading of `split_level` or above (plus a preamble when text precedes
    the first one)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    raw: list[tuple[str, int, list[str]]] = []  # (title, level, body lines)
    current: tuple[str, int, list[str]] = (preamble_title, 0, [])
    fence: str | None = None
    for line in lines:
        fence_match = _FENCE.match(line)
        if fence_match:
            marker, rest = fence_match.groups()
            if fence is None:
                if not (marker[0] == "`" and "`" in rest):  # a backtick fence's info string has no backtick
                    fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
                fence = None  # a closing fence: same character, at least as long, nothing after it
            current[2].append(line)
            continue
        heading = None if fence else _HEADING.match(line)
        if heading and len(heading.group(1)) <= split_level:
            raw.append(current)
            current = (heading.group(2).strip(), len(heading.group(1)), [])
        else:
            current[2].append(line)
    raw.append(current)

    sections: list[SplitSection] = []
    used: set[str] = set()
    for index, (title, level, body_lines) in enumerate(raw):
        body = "\n".join(body_lines).strip("\n")
        if index == 0 and level == 0:
            if not body.strip():
                continue
            base = PREAMBLE_KEY
        else:
            base = slugify(title)
        key, n = base, 1
        while key in used:
            n += 1
            key = f"{base}-{n}"
        used.add(key)
        sections.append(SplitSection(key=key, title=title[:300], level=level or 1, body=body))
    return sections


def split_level_of(text: str, levels: list[int]) -> int:
    """The split level a draft was made with, read back from its text and its sections' levels (a draft stores
    only those): the default when it splits the text into the same sections, else the level offered that does.
    A level no heading of the text has makes no difference, so any level found gives back the same sections."""
    same = [n for n in SPLIT_LEVELS if [s.level for s in split_markdown(text, split_level=n)] == list(levels)]
    if DEFAULT_SPLIT_LEVEL in same or not same:
        return DEFAULT_SPLIT_LEVEL if same or not levels else min(max(levels), SPLIT_LEVELS[-1])
    return same[-1]
