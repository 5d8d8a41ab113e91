"""Plain-dict views of models for the JSON API."""

from __future__ import annotations

from typing import Any

from consult.rounds.models import Round
from consult.timeutil import iso_utc


def round_summary(rnd: Round) -> dict[str, Any]:
    return {
        "id": rnd.id,
        "title": rnd.title,
        "state": rnd.state.value,
        "opens_at": iso_utc(rnd.opens_at),
        "closes_at": iso_utc(rnd.effective_closes_at),
        "verified_only": rnd.verified_only,
        "agency": {"slug": rnd.agency.slug, "name": rnd.agency.name},
        "document": {
            "id": rnd.document_id,
            "kind": rnd.document.kind,
            "title": rnd.document.title,
            "summary": rnd.document.summary,
        },
    }


def round_detail(rnd: Round) -> dict[str, Any]:
    version = rnd.version
    data = round_summary(rnd)
    data["version"] = {"id": version.id, "number": version.number, "published_at": iso_utc(version.published_at)}
    data["sections"] = [
        {
            "id": s.id,
            "key": s.key,
            "position": s.position,
            "level": s.level,
            "title": s.title,
            "body": s.body,
            "body_html": s.body_html,
        }
        for s in version.sections
    ]
    return data
