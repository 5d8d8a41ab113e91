"""Signed audit heads: Ed25519 over the canonical JSON of {"seq", "hash", "at"} (pure).

A signed head lets a monitor prove later what the chain's head was at a time, and lets anyone check an
archive's head against the site's published key (GET /api/v1/audit/keys) without trusting the copy they
were given. The signature is base64 (standard alphabet, with padding) of the 64-byte Ed25519 signature; the
key id is the first 16 hex characters of the SHA-256 of the raw 32-byte public key.

tools/verify_archive.py repeats verify_head() on purpose: it is a single file that imports nothing of consult.
canonical_json() is consult.audit's encoding, repeated here because consult.audit imports the database layer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEAD_FIELDS = ("seq", "hash", "at")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 (not \\u escapes), no NaN: the encoding consult.audit hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def generate_private_key_pem() -> bytes:
    """A new Ed25519 private key as unencrypted PKCS#8 PEM (store it as a secret file, mode 0600)."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """The private key from PEM; ValueError if it is not an unencrypted Ed25519 key."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 private key")
    return key


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as published (GET /api/v1/audit/keys) and given to tools/verify_archive.py --key."""
    return base64.b64encode(public_key_raw(key)).decode("ascii")


def load_public_key(b64: str) -> Ed25519PublicKey:
    """A public key from its base64 form; ValueError if it is not 32 bytes of base64."""
    try:
        raw = base64.b64decode(b64.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("the public key is not valid base64") from error
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> str:
    """First 16 hex characters of SHA-256 of the raw public key."""
    raw = key if isinstance(key, bytes) else public_key_raw(key)
    return hashlib.sha256(raw).hexdigest()[:16]


def head_payload(head: dict[str, Any]) -> bytes:
    """The signed bytes: canonical JSON of exactly {"seq", "hash", "at"}."""
    return canonical_json({name: head[name] for name in HEAD_FIELDS}).encode("utf-8")


def sign_head(key: Ed25519PrivateKey, head: dict[str, Any]) -> dict[str, Any]:
    """{"seq", "hash", "at", "signature", "key_id"} for a head {"seq", "hash", "at"} (consult.audit.head())."""
    signature = key.sign(head_payload(head))
    return {
        **{name: head[name] for name in HEAD_FIELDS},
        "signature": base64.b64encode(signature).decode("ascii"),
        "key_id": key_id(key),
    }


def verify_head(public_key: Ed25519PublicKey | str, head: dict[str, Any]) -> bool:
    """Whether a signed head was signed by this key: its key_id must be this key's and its signature valid
    over its seq, hash and at. Malformed heads are simply not valid (False), never an exception."""
    if isinstance(public_key, str):
        try:
            public_key = load_public_key(public_key)
        except ValueError:
            return False
    try:
        if head.get("key_id") != key_id(public_key):
            return False
        signature = base64.b64decode(str(head["signature"]), validate=True)
        public_key.verify(signature, head_payload(head))
    except (InvalidSignature, KeyError, TypeError, ValueError, binascii.Error):
        return False
    return True


SIGNED_HEAD_FIELDS = ("seq", "hash", "at", "signature", "key_id")


def countersign_payload(head: dict[str, Any]) -> bytes:
    """What a witness signs: canonical JSON of the site's whole signed head {"seq", "hash", "at", "signature",
    "key_id"}, so the countersignature vouches for the head and for the site's signature on it."""
    return canonical_json({name: head[name] for name in SIGNED_HEAD_FIELDS}).encode("utf-8")


def verify_countersignature(public_key: Ed25519PublicKey | str, head: dict[str, Any], countersignature: str) -> bool:
    """Whether `countersignature` (base64) is the witness key's signature over countersign_payload(head)."""
    try:
        key = load_public_key(public_key) if isinstance(public_key, str) else public_key
        key.verify(base64.b64decode(str(countersignature), validate=True), countersign_payload(head))
    except (InvalidSignature, KeyError, TypeError, ValueError, binascii.Error):
        return False
    return True
