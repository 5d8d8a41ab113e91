"""The public record's files for monitors:

- /rounds/<id>/archive.zip             the round's latest frozen archive (404 before the first one)
- /rounds/<id>/arsip                   every archive of the round, with its time, reason, SHA-256 and signed head
- /rounds/<id>/arsip/<n>.zip           one of them
- /alat/verify_archive.py              the standalone verifier monitors run on their own machine (docs/VERIFY.md)
Archives never change once written, so they are served with a long cache lifetime and their hash as ETag.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, make_response, render_template, send_file

from consult.extensions import db
from consult.monitoring import archives
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
