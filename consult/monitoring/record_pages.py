"""The public record's files for monitors:

- /rounds/<id>/archive.zip             the round's latest frozen archive (404 before the first one)
- /rounds/<id>/arsip                   every archive of the round, with its time, reason, SHA-256 and signed head
- /rounds/<id>/arsip/<n>.zip           one of them
- /arsip[?instansi=SLUG]               every archive of the site (or one agency), newest first, with its hashes
- /arsip/semua.zip[?instansi=SLUG]     all of them in one ZIP with SHA256SUMS, streamed (bulk_archives.py)
- /alat/verify_archive.py              the standalone verifier monitors run on their own machine (docs/VERIFY.md)
Archives never change once written, so they are served with a long cache lifetime and their hash as ETag.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_file,
    stream_with_context,
)

from consult.agencies.services import get_agency
from consult.extensions import client_address, db, limiter
from consult.monitoring import archives, bulk_archives
from consult.monitoring.models import RoundArchive
from consult.rounds.services import get_round

bp = Blueprint("record", __name__)
VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_archive.py"


def _send(row: RoundArchive, path: Path):
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"konsultasi-putaran-{row.round_id}-{row.reason}-{row.created_at:%Y%m%d}.zip",
        etag=row.sha256,
        max_age=31536000,
        conditional=True,
    )
    response.headers["X-Content-SHA256"] = row.sha256
    return response


@bp.get("/rounds/<int:round_id>/archive.zip")
def latest_archive(round_id: int):
    get_round(round_id)
    row, path = archives.latest(round_id)
    return _send(row, path)


@bp.get("/rounds/<int:round_id>/arsip/<int:archive_id>.zip")
def archive_file(round_id: int, archive_id: int):
    row = db.session.get(RoundArchive, archive_id)
    if row is None or row.round_id != round_id:
        abort(404)
    return _send(row, archives.archive_dir() / row.file_name)


@bp.get("/rounds/<int:round_id>/arsip")
def archive_list(round_id: int):
    rnd = get_round(round_id)
    return render_template("monitoring/archives.html", round=rnd, archives=archives.archives_of(rnd.id))


@bp.get("/alat/verify_archive.py")
def verifier():
    response = make_response(VERIFIER.read_bytes())  # 20 KB: from memory, no file left open
    response.mimetype = "text/x-python"
    response.headers["Content-Disposition"] = "attachment; filename=verify_archive.py"
    return response


def _agency():
    slug = request.args.get("instansi")
    return get_agency(slug) if slug else None


@bp.get("/arsip")
def all_archives():
    agency = _agency()
    items, next_cursor = bulk_archives.page(agency.id if agency else None, request.args.get("cursor"))
    return render_template("monitoring/all_archives.html", agency=agency, items=items, next_cursor=next_cursor)


@bp.get("/arsip/semua.zip")
@limiter.limit(lambda: current_app.config["EXPORT_LIMIT"], key_func=client_address)
def bulk_download():
    agency = _agency()
    items = bulk_archives.everything(agency.id if agency else None)
    folder = archives.archive_dir()
    response = Response(stream_with_context(bulk_archives.bulk_zip(items, folder)), mimetype="application/zip")
    name = f"arsip-{agency.slug}" if agency else "arsip-semua"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response
