"""Text that is safe to put in XML (SVG charts, Atom feeds): only the characters XML 1.0 allows.

ElementTree escapes &, <, > and quotes, but it writes control characters such as U+0000 or U+000B as they
are, and the result is then not XML at all: a feed reader rejects the whole feed and a browser stops
drawing the chart. User text can hold them (pasted from a word processor), so every text goes through here.
"""

from __future__ import annotations

import re

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """str(text) without the characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF)."""
    return _NOT_XML.sub("", str(text))


def fit(text: str, limit: int) -> str:
    """The text cut to `limit` characters with an ellipsis (the whole text goes in a <title> or the table)."""
    text = " ".join(xml_safe(text).split())
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"
