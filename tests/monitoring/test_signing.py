"""Signed audit heads (consult/monitoring/signing.py): Ed25519 over canonical {"seq", "hash", "at"}."""

from __future__ import annotations

import base64
import hashlib

import pytest

from consult.monitoring.signing import (
    canonical_json,
    generate_private_key_pem,
    head_payload,
    key_id,
    load_private_key,
    load_public_key,
    public_key_b64,
    public_key_raw,
    sign_head,
    verify_head,
)

HEAD = {"seq": 42, "hash": "ab" * 32, "at": "2026-11-23T10:00:00.123456Z"}


@pytest.fixture(scope="module")
def key():
    return load_private_key(generate_private_key_pem())


def test_a_signed_head_carries_the_head_its_signature_and_key_id(key):
    signed = sign_head(key, HEAD)
    assert list(signed) == ["seq", "hash", "at", "signature", "key_id"]
    assert {k: signed[k] for k in ("seq", "hash", "at")} == HEAD
    assert len(base64.b64decode(signed["signature"])) == 64
    assert signed["key_id"] == hashlib.sha256(public_key_raw(key)).hexdigest()[:16]
    assert verify_head(public_key_b64(key), signed)
    assert verify_head(key.public_key(), signed)


def test_the_signed_bytes_are_the_canonical_json_of_seq_hash_and_at_only(key):
    assert (
        head_payload({**HEAD, "extra": 1})
        == b'{"at":"2026-11-23T10:00:00.123456Z","hash":"' + b"ab" * 32 + b'","seq":42}'
    )
    signed = sign_head(key, {**HEAD, "ignored": True})
    assert "ignored" not in signed
    key.public_key().verify(base64.b64decode(signed["signature"]), head_payload(HEAD))


@pytest.mark.parametrize(("field", "value"), [("seq", 43), ("hash", "cd" * 32), ("at", "2026-11-23T10:00:00.123457Z")])
def test_changing_any_signed_field_breaks_the_signature(key, field, value):
    signed = sign_head(key, HEAD)
    assert not verify_head(public_key_b64(key), {**signed, field: value})


def test_another_key_does_not_verify_and_a_wrong_key_id_is_refused(key):
    other = load_private_key(generate_private_key_pem())
    signed = sign_head(key, HEAD)
    assert not verify_head(public_key_b64(other), signed)
    assert not verify_head(public_key_b64(key), {**signed, "key_id": key_id(other)})


@pytest.mark.parametrize(
    "broken",
    [
        {"signature": "not base64!"},
        {"signature": base64.b64encode(b"x" * 10).decode()},
        {"signature": None},
        {"seq": None},
        {"key_id": None},
    ],
)
def test_malformed_heads_are_not_valid_rather_than_an_error(key, broken):
    assert not verify_head(public_key_b64(key), {**sign_head(key, HEAD), **broken})


def test_a_head_without_a_signature_is_not_valid(key):
    assert not verify_head(public_key_b64(key), HEAD)


@pytest.mark.parametrize("bad", ["", "abc", base64.b64encode(b"short").decode(), "!!!!"])
def test_a_bad_public_key_is_refused(bad):
    with pytest.raises(ValueError, match="base64|32 bytes"):
        load_public_key(bad)
    assert not verify_head(bad, {**HEAD, "signature": "", "key_id": ""})


def test_private_key_pem_round_trips_and_other_keys_are_refused(key):
    pem = generate_private_key_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_key_raw(load_private_key(pem)) == public_key_raw(load_private_key(pem))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_private_key(ec_pem)


def test_canonical_json_matches_consult_audit():
    from consult import audit

    value = {"b": [1, 2.5, "é"], "a": {"z": None, "y": True}}
    assert canonical_json(value) == audit.canonical_json(value) == '{"a":{"y":true,"z":null},"b":[1,2.5,"é"]}'
