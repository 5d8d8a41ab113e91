"""Pages for anonymous readers, served from memory and revalidated for nothing.

When a consultation is mentioned on television, thousands of anonymous readers open the same round page at
once, on phones that come back often. Rendering it costs about 20 ms of CPU, the database a fraction of a
millisecond. So an anonymous page is rendered once per version of what it shows and kept in each process,
with its Brotli and gzip forms; a phone that has the current version gets 304 and downloads nothing.

The key names everything the page shows: the view passes the counters that move with every public change
(rounds.public_revision, bumped in the change's transaction by every comment, vote, stance, moderation
decision and change of times), the state derived from the clock, the language and the address with its query.
So a cached page is correct the moment anything changes: the next request has a new key. Only anonymous
readers are served so (no login, no flashed message): their pages carry no per-visitor token and set no
cookie (base.html), so one reader's copy holds nothing of another's. Logged-in pages are never cached.

Shared module: it imports no feature. PAGE_CACHE_ENABLED=false turns it off (for the benchmark beside it).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import brotli
from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

MAX_ENTRIES = 2000
MAX_BYTES = 96 * 1024 * 1024  # raw and compressed forms together, per process
VARY = "Accept-Encoding, Cookie, HX-Request"


@dataclass(frozen=True)
class _Page:
    tag: str
    mimetype: str
    forms: dict[str, bytes]  # "identity", "br", "gzip"

    @property
    def size(self) -> int:
        return sum(len(body) for body in self.forms.values())


class _Cache:
    """A least-recently-used map of pages, bounded by count and bytes, safe across a worker's threads."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._pages: OrderedDict[str, _Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, tag: str) -> _Page | None:
        with self._lock:
            page = self._pages.get(tag)
            if page is not None:
                self._pages.move_to_end(tag)
            return page

    def put(self, page: _Page) -> None:
        with self._lock:
            old = self._pages.pop(page.tag, None)
            if old is not None:
                self._bytes -= old.size
            self._pages[page.tag] = page
            self._bytes += page.size
            while self._pages and (len(self._pages) > self.max_entries or self._bytes > self.max_bytes):
                _, evicted = self._pages.popitem(last=False)
                self._bytes -= evicted.size

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


_cache = _Cache(MAX_ENTRIES, MAX_BYTES)


def clear() -> None:
    """Forget every page (tests start each one from an empty database whose ids start again at 1)."""
    _cache.clear()


def anonymous_reader() -> bool:
    """A request whose page is the same for every anonymous reader: a GET with no login and no flashed message."""
    return (
        current_app.config.get("PAGE_CACHE_ENABLED", True)
        and request.method in ("GET", "HEAD")
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def _tag(key: tuple[Any, ...]) -> str:
    parts = (*key, str(get_locale()), request.full_path, request.headers.get("HX-Request") == "true")
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def _accepts(encoding: str) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == encoding:
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _known_to_client(tag: str) -> bool:
    """The client's If-None-Match names this version (in whichever encoding it was sent)."""
    return any(value.split("-")[0] == tag for value in request.if_none_match.as_set(include_weak=True))


def _headers(response: Response, tag: str, encoding: str) -> Response:
    response.set_etag(f"{tag}-{encoding}")
    response.headers["Cache-Control"] = "public, no-cache"  # keep it, but ask each time: a 304 costs nothing
    response.headers["Vary"] = VARY
    return response


def serve(key: tuple[Any, ...], render: Callable[[], Any]) -> Response:
    """The page for `key` (what it shows; the language, address and htmx flag are added here): 304 when the
    client has it, from memory when this process has it, else rendered by `render()` and kept (only a plain
    200 that sets no cookie is kept)."""
    tag = _tag(key)
    if _known_to_client(tag):
        return _headers(Response(status=304), tag, "identity")
    page = _cache.get(tag)
    if page is None:
        response = current_app.make_response(render())
        if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers:
            return response
        raw = response.get_data()
        page = _Page(
            tag,
            response.mimetype,
            {
                "identity": raw,
                "br": brotli.compress(raw, quality=5),
                "gzip": gzip.compress(raw, compresslevel=6, mtime=0),
            },
        )
        _cache.put(page)
    encoding = next((e for e in ("br", "gzip") if _accepts(e)), "identity")
    response = Response(page.forms[encoding], mimetype=page.mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    return _headers(response, tag, encoding)
