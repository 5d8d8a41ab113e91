"""Static files for costly mobile data: fingerprinted URLs, cached for a year, sent compressed.

Every `url_for("static", filename=…)` gets `?v=<first 12 hex of the file's SHA-256>` added (a url_defaults
hook: templates need no change). A request that names the current fingerprint is answered with
`Cache-Control: public, max-age=31536000, immutable`, so a phone that comes back never asks again; when the
file changes its URL changes. Without the fingerprint (or an old one) the answer must be revalidated
(`no-cache`, with an ETag, so a repeat costs a 304). Each file is read and compressed once per process
(Brotli and gzip, at their highest levels since it happens once) and served from memory.

Shared glue: it imports no feature.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from flask import Flask, Response, abort, current_app, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass
class _Asset:
    mtime_ns: int
    version: str
    mimetype: str
    raw: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)


_cache: dict[str, _Asset] = {}


def _load(path: Path) -> _Asset:
    """The file as served, read once per process (again only if it changed on disk, as in development)."""
    key = str(path)
    stat = path.stat()
    asset = _cache.get(key)
    if asset is None or asset.mtime_ns != stat.st_mtime_ns:
        raw = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        asset = _Asset(stat.st_mtime_ns, hashlib.sha256(raw).hexdigest()[:12], mimetype, raw)
        if mimetype.startswith(COMPRESSIBLE) and len(raw) > 500:
            asset.encoded["br"] = brotli.compress(raw, quality=11)
            asset.encoded["gzip"] = gzip.compress(raw, compresslevel=9, mtime=0)
        _cache[key] = asset
    return asset


def _path(filename: str) -> Path | None:
    folder = current_app.static_folder
    joined = safe_join(folder, filename) if folder else None
    return Path(joined) if joined and os.path.isfile(joined) else None


def version(filename: str) -> str | None:
    path = _path(filename)
    return _load(path).version if path is not None else None


def _accepted(encoding: str) -> bool:
    header = request.headers.get("Accept-Encoding", "")
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == encoding:
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def serve(filename: str) -> Response:
    """The static view: from memory, compressed when the client accepts it, cached for a year when fingerprinted."""
    path = _path(filename)
    if path is None:
        abort(404)
    asset = _load(path)
    encoding = next((e for e in ("br", "gzip") if e in asset.encoded and _accepted(e)), None)
    body = asset.encoded[encoding] if encoding else asset.raw
    response = Response(body, mimetype=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(f"{asset.version}-{encoding or 'identity'}")
    if request.args.get("v") == asset.version:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    @app.url_defaults
    def fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            current = version(values["filename"])
            if current:
                values["v"] = current

    app.view_functions["static"] = serve
