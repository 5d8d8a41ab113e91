"""Every frozen archive at once, for monitors: the list of the site's (or one agency's) archives with their hashes,
and one ZIP holding them all, streamed.

The bulk ZIP stores each archive as it was frozen (no recompression: a zip inside is already compressed), under
<agency>/putaran-<round>/<n>-<reason>.zip, beside SHA256SUMS with the hash of each as listed publicly, so
`sha256sum -c SHA256SUMS` after unzipping proves the copies are the archives the site lists. It is written to the
response as it goes (zipfile on a stream without seek), one megabyte at a time: memory stays flat whatever the
number of archives.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from consult.agencies.models import Agency
from consult.extensions import db
from consult.monitoring.archives import archive_dir
from consult.monitoring.models import RoundArchive
from consult.pagination import decode_cursor, encode_cursor
from consult.rounds.models import Round

PAGE_SIZE = 50
COPY = 1 << 20


@dataclass(frozen=True)
class Listed:
    archive: RoundArchive
    round_title: str
    agency_slug: str
    agency_name: str

    @property
    def member_name(self) -> str:
        a = self.archive
        return f"{self.agency_slug}/putaran-{a.round_id}/{a.id}-{a.reason}.zip"


def _query(agency_id: int | None):
    query = (
        sa.select(RoundArchive, Round.title, Agency.slug, Agency.name)
        .join(Round, Round.id == RoundArchive.round_id)
        .join(Agency, Agency.id == Round.agency_id)
    )
    return query.where(Round.agency_id == agency_id) if agency_id is not None else query


def page(agency_id: int | None, cursor: str | None = None, limit: int = PAGE_SIZE) -> tuple[list[Listed], str | None]:
    """Newest first, keyset-paginated by id: one query per page."""
    query = _query(agency_id)
    if cursor:
        (before,) = decode_cursor(cursor, 1)
        query = query.where(RoundArchive.id < before)
    rows = [Listed(*row) for row in db.session.execute(query.order_by(RoundArchive.id.desc()).limit(limit + 1))]
    items = rows[:limit]
    return items, (encode_cursor(items[-1].archive.id) if len(rows) > limit else None)


def everything(agency_id: int | None) -> list[Listed]:
    """Every archive, oldest first (the bulk ZIP's order): a row of metadata each, never the files."""
    return [Listed(*row) for row in db.session.execute(_query(agency_id).order_by(RoundArchive.id))]


class _Pipe:
    """A write-only stream whose bytes are collected for the response (zipfile writes data descriptors when it
    cannot seek back)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.offset += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def bulk_zip(items: list[Listed], folder: Path | None = None) -> Iterator[bytes]:
    folder = folder or archive_dir()
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        sums = []
        for item in items:
            path = folder / item.archive.file_name
            if not path.is_file():
                continue
            info = zipfile.ZipInfo(item.member_name, date_time=item.archive.created_at.timetuple()[:6])
            info.external_attr = 0o644 << 16
            with path.open("rb") as source, zf.open(info, "w", force_zip64=True) as target:
                while block := source.read(COPY):
                    target.write(block)
                    yield pipe.take()
            sums.append(f"{item.archive.sha256}  {item.member_name}\n")
            yield pipe.take()
        zf.writestr(zipfile.ZipInfo("SHA256SUMS", date_time=(2026, 1, 1, 0, 0, 0)), "".join(sums))
    yield pipe.take()
