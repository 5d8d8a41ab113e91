"""What an agency admin sends for a revised version, checked: its sections (by stable key; a new one gets a key
from its title) and, per changed section, the round's themes it cites or its reason (consult.deliberation.services.
revisions uses them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from consult.deliberation.models import Theme, ThemeStatus
from consult.documents.models import DocumentKind, DocumentVersion
from consult.documents.services import MAX_COMPONENT_CHARS, MAX_DOCUMENT_CHARS, MAX_SECTIONS
from consult.documents.splitting import MAX_KEY, slugify
from consult.errors import Invalid
from consult.extensions import db
from consult.i18n import lazy_gettext as _l
from consult.rounds.models import Round

MAX_TITLE = 300
MAX_REASON = 2_000


@dataclass
class _NewSection:
    key: str
    level: int
    title: str
    body: str


def checked_sections(raw: Any, base: DocumentVersion, kind: str) -> list[_NewSection]:
    if not isinstance(raw, list) or not raw:
        raise Invalid(
            _l("Send the revised text: a list of sections."), fields={"sections": _l("At least one section.")}
        )
    if len(raw) > MAX_SECTIONS:
        raise Invalid(fields={"sections": _l("At most %(n)s sections.", n=MAX_SECTIONS)})
    old_levels = {s.key: s.level for s in base.sections}
    errors: dict[str, object] = {}
    sections: list[_NewSection] = []
    keys: set[str] = set()
    total = 0
    for n, item in enumerate(raw):
        where = f"sections.{n}"
        if not isinstance(item, dict):
            errors[where] = _l("Each section is an object with a title and a body.")
            continue
        title = item.get("title")
        body = item.get("body", "")
        key = item.get("key")
        level = item.get("level")
        if not isinstance(title, str) or not " ".join(title.split()):
            errors[f"{where}.title"] = _l("Enter a title.")
            continue
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            errors[f"{where}.title"] = _l("Use at most %(n)s characters.", n=MAX_TITLE)
        if not isinstance(body, str):
            errors[f"{where}.body"] = _l("The body is text.")
            continue
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        if len(body) > MAX_COMPONENT_CHARS:
            errors[f"{where}.body"] = _l("Use at most %(n)s characters.", n=MAX_COMPONENT_CHARS)
        total += len(body)
        if key is not None and (not isinstance(key, str) or not key or len(key) > MAX_KEY or slugify(key) != key):
            errors[f"{where}.key"] = _l("A section key is lower-case letters, digits and hyphens.")
            continue
        if key is None:  # a new section: its key from its title, unique in the version
            key, suffix = slugify(title), 2
            stem = key
            while key in keys or key in old_levels:
                key, suffix = f"{stem[: MAX_KEY - 4]}-{suffix}", suffix + 1
        elif key in keys:
            errors[f"{where}.key"] = _l("This key is used by another section.")
            continue
        if level is None:
            level = old_levels.get(key, 2)
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 6:
            errors[f"{where}.level"] = _l("The level is a whole number from 1 to 6.")
            continue
        keys.add(key)
        sections.append(_NewSection(key, level, title, body))
    if total > MAX_DOCUMENT_CHARS:
        errors["sections"] = _l("The text is longer than %(n)s characters.", n=MAX_DOCUMENT_CHARS)
    if kind == DocumentKind.SERVICE_STANDARD:
        empty = [s.key for s in sections if not s.body.strip()]
        if empty:
            errors["sections"] = _l("Fill in every component of the service standard.")
    if errors:
        raise Invalid(fields=errors)
    return sections


def checked_changes(raw: Any, rnd: Round, keys: set[str]) -> dict[str, tuple[list[int], str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Invalid(fields={"changes": _l("Changes are an object keyed by section key.")})
    accepted = set(
        db.session.scalars(sa.select(Theme.id).where(Theme.round_id == rnd.id, Theme.status == ThemeStatus.ACCEPTED))
    )
    errors: dict[str, object] = {}
    changes: dict[str, tuple[list[int], str]] = {}
    for key, why in raw.items():
        where = f"changes.{key}"
        if key not in keys:
            errors[where] = _l("No section of either version has this key.")
            continue
        if not isinstance(why, dict):
            errors[where] = _l('Give "theme_ids" and/or "reason".')
            continue
        ids = why.get("theme_ids") or []
        reason = why.get("reason") or ""
        if not isinstance(ids, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            errors[f"{where}.theme_ids"] = _l("Theme ids are a list of numbers.")
            continue
        unknown = sorted(set(ids) - accepted)
        if unknown:
            errors[f"{where}.theme_ids"] = _l(
                "These are not themes of this consultation: %(ids)s.", ids=", ".join(map(str, unknown))
            )
            continue
        if not isinstance(reason, str) or len(reason) > MAX_REASON:
            errors[f"{where}.reason"] = _l("The reason is text of at most %(n)s characters.", n=MAX_REASON)
            continue
        reason = reason.strip()
        if ids or reason:
            changes[key] = (sorted(set(ids)), reason)
    if errors:
        raise Invalid(fields=errors)
    return changes
