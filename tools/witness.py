#!/usr/bin/env python3
"""Countersign a consultation site's signed audit heads, as a witness (docs/VERIFY.md, "Be a witness").

    python3 tools/witness.py keygen witness-key.pem          make your key; prints the public key to register
    python3 tools/witness.py countersign witness-key.pem HEAD.json
                                                             prints HEAD.json with your "countersignature"
    python3 tools/witness.py fetch https://SITE [--key witness-key.pem] [--token TOKEN]
                                                             fetches the site's head now, keeps it in
                                                             head-<seq>.json, countersigns it and, with a
                                                             token, sends it to the site's witness page

One file, the standard library and `cryptography` only; it imports nothing of the site's code. What you sign is
the canonical JSON (sorted keys, no spaces, UTF-8) of the site's {"seq", "hash", "at", "signature", "key_id"}.
Keep your key file private and the head files: they are your evidence.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FIELDS = ("seq", "hash", "at", "signature", "key_id")


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_key(path: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        sys.exit(f"{path} is not an Ed25519 private key")
    return key


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def countersign(key: Ed25519PrivateKey, head: dict) -> dict:
    missing = [name for name in FIELDS if name not in head]
    if missing:
        sys.exit(f"the head lacks {', '.join(missing)}: use it as GET /api/v1/audit/head gave it")
    signed = {name: head[name] for name in FIELDS}
    return {**signed, "countersignature": base64.b64encode(key.sign(canonical(signed))).decode("ascii")}


def keygen(path: str) -> None:
    target = Path(path)
    if target.exists():
        sys.exit(f"{path} exists: keep your old key, or choose another file name")
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    print(public_b64(load_key(path)))


def fetch(site: str, key_path: str | None, token: str | None) -> None:
    site = site.rstrip("/")
    with urllib.request.urlopen(f"{site}/api/v1/audit/head", timeout=60) as response:  # noqa: S310 - the site
        head = json.loads(response.read())
    Path(f"head-{head['seq']}.json").write_text(json.dumps(head, indent=2) + "\n")
    if key_path is None:
        print(json.dumps(head))
        return
    signed = countersign(load_key(key_path), head)
    if token:
        request = urllib.request.Request(  # noqa: S310 - the site the witness chose
            f"{site}/api/v1/witnesses/heads",
            data=json.dumps(signed).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            print(f"recorded: {response.status}")
    print(json.dumps(signed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("keygen").add_argument("key")
    sign = sub.add_parser("countersign")
    sign.add_argument("key")
    sign.add_argument("head")
    get = sub.add_parser("fetch")
    get.add_argument("site")
    get.add_argument("--key")
    get.add_argument("--token")
    args = parser.parse_args()
    if args.command == "keygen":
        keygen(args.key)
    elif args.command == "countersign":
        print(json.dumps(countersign(load_key(args.key), json.loads(Path(args.head).read_text()))))
    else:
        fetch(args.site, args.key, args.token)


if __name__ == "__main__":
    main()
