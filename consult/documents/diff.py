"""Word-level differences between two versions of a document, section by section (pure: plain data).

Sections are matched by their stable key, never by position or title: a section moved elsewhere is matched
to itself, and a new title on the same key is a change of that section. The result has the shape of
GET /api/v1/versions/{id}/diff (CONTRACT.md):

    {"sections": [{"key", "title", "change": "added"|"removed"|"changed"|"unchanged",
                   "ops": [["equal"|"insert"|"delete", text], ...], "theme_ids": [...], "reason"}]}

A token is a word with the whitespace and punctuation that follow it (plus, at the start of a text, what
precedes its first word), so joining the texts of the "equal" and "delete" ops gives the old body exactly and
joining "equal" and "insert" gives the new body exactly, whitespace and Markdown included.

Speed: difflib's SequenceMatcher alone is slow on long sections: frequent words ("yang", "dan") make each
longest-match search cost about Σ(word frequency²) × n × m steps (3.4 s for 3,000 words with an edit in
every sentence), and with autojunk on they cannot anchor a match at all, so an edit shows as a big
replacement. So the match is a patience diff: the common head and tail are cut off, words found exactly
once on each side anchor the match (their longest run in the same order), and the gaps between anchors are
matched the same way, recursively; only a gap without such words goes to SequenceMatcher (autojunk off,
unless the gap is over 4 million word pairs: a rewrite of thousands of words from a tiny vocabulary).
14 sections of 5,000 words with edits take about 0.1 s (tests/documents/test_diff.py measures it).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

_TOKEN = re.compile(r"[^\w]+|\w+[^\w]*")

Op = list[str]  # [kind, text]


def tokens(text: str) -> list[str]:
    """Words with their trailing whitespace/punctuation; "".join(tokens(t)) == t for every string t."""
    return _TOKEN.findall(text)


def diff_text(old: str, new: str) -> list[Op]:
    """Word-level ops turning `old` into `new`: [["equal"|"insert"|"delete", text], ...], adjacent ops of a
    kind merged, a deletion before the insertion that replaces it, no empty texts."""
    if old == new:
        return [["equal", old]] if old else []
    a, b = tokens(old), tokens(new)
    ops: list[Op] = []
    i = j = 0
    for bi, bj, size in [*_matching_blocks(a, b), (len(a), len(b), 0)]:
        _add(ops, "delete", a[i:bi])
        _add(ops, "insert", b[j:bj])
        _add(ops, "equal", a[bi : bi + size])
        i, j = bi + size, bj + size
    return ops


WORD_PAIRS_EXACT = 4_000_000  # a gap without anchors longer than this (len(a) * len(b)) uses difflib's autojunk


def _matching_blocks(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """(i, j, size) runs with a[i:i+size] == b[j:j+size], increasing in i and j (patience diff)."""
    blocks: list[tuple[int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        head = 0
        while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
            head += 1
        if head:
            blocks.append((alo, blo, head))
            alo, blo = alo + head, blo + head
        tail = 0
        while ahi - tail > alo and bhi - tail > blo and a[ahi - 1 - tail] == b[bhi - 1 - tail]:
            tail += 1
        if tail:
            blocks.append((ahi - tail, bhi - tail, tail))
            ahi, bhi = ahi - tail, bhi - tail
        if alo == ahi or blo == bhi:
            continue
        anchors = _anchors(a, b, alo, ahi, blo, bhi)
        if not anchors:
            matcher = difflib.SequenceMatcher(
                None, a[alo:ahi], b[blo:bhi], autojunk=(ahi - alo) * (bhi - blo) > WORD_PAIRS_EXACT
            )
            blocks.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
            continue
        prev_i, prev_j = alo, blo
        for i, j in anchors:
            stack.append((prev_i, i, prev_j, j))
            blocks.append((i, j, 1))
            prev_i, prev_j = i + 1, j + 1
        stack.append((prev_i, ahi, prev_j, bhi))
    blocks.sort()
    return blocks


def _anchors(a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int) -> list[tuple[int, int]]:
    """Tokens found exactly once in a[alo:ahi] and once in b[blo:bhi], the longest run of them in the same
    order on both sides (longest increasing subsequence, patience sorting)."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    if not pairs:
        return []
    tops: list[int] = []  # tops[k]: the smallest j ending an increasing run of length k + 1
    top_index: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tops, j)
        if k == len(tops):
            tops.append(j)
            top_index.append(n)
        else:
            tops[k], top_index[k] = j, n
        back[n] = top_index[k - 1] if k else -1
    run = []
    n = top_index[-1]
    while n != -1:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]


def _add(ops: list[Op], kind: str, parts: list[str]) -> None:
    text = "".join(parts)
    if not text:
        return
    if ops and ops[-1][0] == kind:
        ops[-1][1] += text
    else:
        ops.append([kind, text])


def old_text(ops: Iterable[Op]) -> str:
    """The old side of ops: its equal and delete texts joined."""
    return "".join(text for kind, text in ops if kind != "insert")


def new_text(ops: Iterable[Op]) -> str:
    """The new side of ops: its equal and insert texts joined."""
    return "".join(text for kind, text in ops if kind != "delete")


def _field(section: Any, name: str) -> Any:
    return section[name] if isinstance(section, Mapping) else getattr(section, name)


def diff_versions(
    old_sections: Iterable[Any],
    new_sections: Iterable[Any],
    changes: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    with_title_ops: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """The per-section diff of two versions, in the new version's order.

    Sections are mappings or objects with "key", "title" and "body" (the Section model qualifies). A section
    only in the old version is "removed" and placed after the section that preceded it in the old version.
    `changes` is the revised draft's {"<section key>": {"theme_ids": [...], "reason": str}} (CONTRACT.md, POST
    …/versions); sections it does not name get [] and None. `with_title_ops` adds "title_ops" (the word diff of
    the titles) to each section, for a page that shows a renamed section's old title; the API shape has no
    such key, so it is off by default. Raises ValueError if a key appears twice in one version.
    """
    changes = changes or {}
    old = _by_key(old_sections, "old")
    new = _by_key(new_sections, "new")
    old_keys = list(old)
    removed_after: dict[str | None, list[str]] = {}
    previous: str | None = None
    for key in old_keys:
        if key not in new:
            removed_after.setdefault(previous, []).append(key)
        else:
            previous = key

    result: list[dict[str, Any]] = []

    def emit_removed(anchor: str | None) -> None:
        for key in removed_after.get(anchor, ()):
            section = old[key]
            title, body = _field(section, "title"), _field(section, "body")
            result.append(
                _entry(key, title, "removed", [["delete", body]] if body else [], changes, with_title_ops, title, "")
            )

    emit_removed(None)
    for key, section in new.items():
        title, body = _field(section, "title"), _field(section, "body")
        before = old.get(key)
        if before is None:
            result.append(
                _entry(key, title, "added", [["insert", body]] if body else [], changes, with_title_ops, "", title)
            )
        else:
            old_title, old_body = _field(before, "title"), _field(before, "body")
            change = "unchanged" if (old_title, old_body) == (title, body) else "changed"
            result.append(
                _entry(key, title, change, diff_text(old_body, body), changes, with_title_ops, old_title, title)
            )
            emit_removed(key)
    return {"sections": result}


def _by_key(sections: Iterable[Any], side: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for section in sections:
        key = _field(section, "key")
        if key in found:
            raise ValueError(f"section key {key!r} appears twice in the {side} version")
        found[key] = section
    return found


def _entry(
    key: str,
    title: str,
    change: str,
    ops: list[Op],
    changes: Mapping[str, Mapping[str, Any]],
    with_title_ops: bool,
    old_title: str,
    new_title_: str,
) -> dict[str, Any]:
    why = changes.get(key) or {}
    entry: dict[str, Any] = {
        "key": key,
        "title": title,
        "change": change,
        "ops": ops,
        "theme_ids": list(why.get("theme_ids") or []),
        "reason": why.get("reason") or None,
    }
    if with_title_ops:
        entry["title_ops"] = diff_text(old_title, new_title_)
    return entry


def render_ops_html(
    ops: Iterable[Op],
    *,
    inserted: str = "[ditambahkan]",
    deleted: str = "[dihapus]",
    hidden_class: str = "visually-hidden",
) -> str:
    """Ops as safe HTML: text escaped, insertions in <ins> and deletions in <del>, each opened by a visually
    hidden label (for screen readers, which mostly do not announce <ins>/<del>) and, visually, underlined or
    struck through by the browser's defaults: the change is shown by more than colour.

    Pass translated labels (gettext) for another language. The container should keep line breaks (CSS
    `white-space: pre-wrap`); static/css/toolkit.css has the classes. Mark the result safe in the template
    (Markup) only as it comes from here.
    """
    out = []
    hidden = escape(hidden_class)
    for kind, text in ops:
        safe = escape(text, quote=True)
        if kind == "equal":
            out.append(safe)
        elif kind == "insert":
            out.append(f'<ins><span class="{hidden}">{escape(inserted)} </span>{safe}</ins>')
        elif kind == "delete":
            out.append(f'<del><span class="{hidden}">{escape(deleted)} </span>{safe}</del>')
        else:
            raise ValueError(f"unknown op {kind!r}")
    return "".join(out)
