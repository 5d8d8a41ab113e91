"""The instance's audit signing keys: the Ed25519 key that signs every audit head the site gives out.

Like SECRET_KEY, the private key is generated into the instance folder on first use (instance/audit_signing_key.pem,
mode 0600) unless AUDIT_SIGNING_KEY_FILE names a PEM file (set the same file on every web process). Its public
half, and every earlier one, is listed in instance/audit_keys.json ([{"key_id", "public_key", "from", "until"}],
public, served at GET /api/v1/audit/keys), so that a head signed by a retired key can still be checked.

Rotation (`flask audit rotate-key`, docs/OPERATIONS.md): a new key is generated; the old one's "until" is set to
now and its private file is renamed audit_signing_key.<key_id>.retired.pem (keep it offline or delete it: old
signatures are checked with the public key alone); the rotation is recorded in the audit chain with both key ids
and the new public key, in an entry that the old key's signed heads precede, so a monitor can follow the change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from consult.monitoring import signing
from consult.timeutil import utcnow

KEY_FILE = "audit_signing_key.pem"
HISTORY_FILE = "audit_keys.json"
_lock = threading.Lock()
_cache: dict[str, tuple[float, Ed25519PrivateKey]] = {}


@dataclass(frozen=True)
class PublishedKey:
    key_id: str
    public_key: str
    valid_from: str
    until: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"key_id": self.key_id, "public_key": self.public_key, "from": self.valid_from, "until": self.until}


def _stamp(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _key_path() -> Path:
    configured = current_app.config.get("AUDIT_SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / KEY_FILE


def _history_path() -> Path:
    return _key_path().with_name(HISTORY_FILE)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `mode` (never overwrite: two processes starting at once keep the first one's key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _read_history() -> list[dict[str, Any]]:
    path = _history_path()
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8")))


def _write_history(rows: list[dict[str, Any]]) -> None:
    path = _history_path()
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _ensure_listed(key: Ed25519PrivateKey) -> None:
    rows = _read_history()
    kid = signing.key_id(key)
    if any(row.get("key_id") == kid for row in rows):
        return
    rows.append({"key_id": kid, "public_key": signing.public_key_b64(key), "from": _stamp(utcnow()), "until": None})
    _write_history(rows)


def signing_key() -> Ed25519PrivateKey:
    """The current private key, generated on first use; re-read when its file changes (a rotation elsewhere)."""
    path = _key_path()
    with _lock:
        if not path.exists():
            with contextlib.suppress(FileExistsError):  # another process made it first
                _write_new(path, signing.generate_private_key_pem(), 0o600)
        mtime = path.stat().st_mtime
        cached = _cache.get(str(path))
        if cached is None or cached[0] != mtime:
            key = signing.load_private_key(path.read_bytes())
            _ensure_listed(key)
            _cache[str(path)] = (mtime, key)
        return _cache[str(path)][1]


def sign(head: dict[str, Any]) -> dict[str, Any]:
    """A head {"seq", "hash", "at"} with its "signature" and "key_id"."""
    return signing.sign_head(signing_key(), head)


def published_keys() -> list[PublishedKey]:
    signing_key()  # the current key is listed before anyone asks
    return [PublishedKey(r["key_id"], r["public_key"], r["from"], r.get("until")) for r in _read_history()]


def rotate() -> tuple[str, str]:
    """Retire the current key and make a new one; (old key id, new key id). The caller records it in the chain."""
    path = _key_path()
    old = signing_key()
    old_id = signing.key_id(old)
    with _lock:
        now = _stamp(utcnow())
        new_pem = signing.generate_private_key_pem()
        new = signing.load_private_key(new_pem)
        retired = path.with_name(f"audit_signing_key.{old_id}.retired.pem")
        os.replace(path, retired)
        _write_new(path, new_pem, 0o600)
        rows = _read_history()
        for row in rows:
            if row.get("key_id") == old_id and row.get("until") is None:
                row["until"] = now
        rows.append(
            {"key_id": signing.key_id(new), "public_key": signing.public_key_b64(new), "from": now, "until": None}
        )
        _write_history(rows)
        _cache.pop(str(path), None)
    return old_id, signing.key_id(new)


def public_key_of(key_id: str) -> str | None:
    return next((k.public_key for k in published_keys() if k.key_id == key_id), None)
