"""Open-data downloads for monitors (consult.monitoring.exports; columns in docs/DATA.md):

- /data                                   the site's tables, each as CSV and JSON, with its number of rows
- /data/<table>.<csv|json>                one table over every round, streamed
- /rounds/<id>/data                       the same for one round
- /rounds/<id>/data/<table>.<csv|json>
- /data/progress/<token>                  how far a download begun with ?progress=<token> has come (JSON)

A download streams (constant memory, whatever the size). The page shows each table's size before it starts and,
with JavaScript, a progress bar: the download carries a random token, the stream writes how many rows it has sent
to a small file named by it (every 2,000 rows), and the page asks for that number while the browser saves the
file itself. Without JavaScript the links are plain downloads. Downloads are limited per address (EXPORT_LIMIT),
generously, since monitors work from shared offices.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, stream_with_context
from flask_babel import format_number

from consult.extensions import client_address, limiter
from consult.monitoring import exports
from consult.rounds.services import get_round

bp = Blueprint("data", __name__)
TOKEN = re.compile(r"^[A-Za-z0-9]{16,40}$")
PROGRESS_LIFETIME = 3600  # seconds: a progress file older than this is removed


def _progress_dir() -> Path:
    path = Path(current_app.instance_path) / "export-progress"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(folder: Path) -> None:
    limit = time.time() - PROGRESS_LIFETIME
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except FileNotFoundError:
            pass


def _reporter(token: str | None, total: int | None):
    """A callback writing {"done", "total", "finished"} for the page's progress bar, or None."""
    if not token or not TOKEN.match(token):
        return None
    folder = _progress_dir()
    _sweep(folder)
    path = folder / f"{token}.json"
    last = {"done": 0}

    def report(done: int | None = None, finished: bool = False) -> None:
        last["done"] = last["done"] if done is None else done
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"done": last["done"], "total": total, "finished": finished}))
        os.replace(temporary, path)

    report(0)
    return report


def _download(name: str, fmt: str, rnd, filename: str) -> Response:
    if name not in exports.TABLES or fmt not in exports.FORMATS:
        abort(404)
    token = request.args.get("progress")
    total = exports.totals(rnd).get(name) if token else None
    report = _reporter(token, total)

    def chunks():
        yield from exports.stream(name, rnd, fmt, progress=report)
        if report is not None:
            report(finished=True)

    mimetype, _ = exports.FORMATS[fmt]
    response = Response(stream_with_context(chunks()), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


_limit = limiter.limit(lambda: current_app.config["EXPORT_LIMIT"], key_func=client_address)


@bp.get("/data")
def site_data():
    return render_template(
        "monitoring/data.html", round=None, tables=exports.TABLES, totals=exports.totals(None), number=format_number
    )


@bp.get("/data/<name>.<fmt>")
@_limit
def site_table(name: str, fmt: str):
    return _download(name, fmt, None, f"konsultasi-{name}")


@bp.get("/rounds/<int:round_id>/data")
def round_data(round_id: int):
    rnd = get_round(round_id)
    return render_template(
        "monitoring/data.html",
        round=rnd,
        tables=exports.TABLES,
        totals=exports.totals(exports.Scope.of(rnd)),
        number=format_number,
    )


@bp.get("/rounds/<int:round_id>/data/<name>.<fmt>")
@_limit
def round_table(round_id: int, name: str, fmt: str):
    rnd = get_round(round_id)
    return _download(name, fmt, exports.Scope.of(rnd), f"putaran-{rnd.id}-{name}")


@bp.get("/data/progress/<token>")
def progress(token: str):
    if not TOKEN.match(token):
        abort(404)
    path = _progress_dir() / f"{token}.json"
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        data = {"done": 0, "total": None, "finished": False}
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response
