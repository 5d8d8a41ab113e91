"""Pages and static files travel small: compressed by the app itself, static files fingerprinted and cached.

Citizens pay for their data. `make run` and gunicorn without a proxy must send compressed pages, and a phone
that comes back must not fetch the stylesheet or the scripts again.
"""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from consult import assets


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_urls_in_pages_carry_the_files_fingerprint(client):
    urls = _static_urls(client.get("/").get_data(as_text=True))
    assert {u.split("?")[0] for u in urls} >= {"/static/css/app.css", "/static/js/consult.js"}
    for url in urls:
        path, _, query = url.partition("?")
        assert re.fullmatch(r"v=[0-9a-f]{12}", query), url
        assert query[2:] == assets.version(path.removeprefix("/static/"))


def test_a_fingerprinted_static_file_is_cached_for_a_year_and_never_revalidated(client):
    (url,) = [u for u in _static_urls(client.get("/").get_data(as_text=True)) if "app.css" in u]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in response.headers["Vary"]


def test_a_static_file_without_its_current_fingerprint_must_be_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-cache"
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_static_files_are_sent_compressed_and_decompress_to_the_file(client, encoding, decode):
    plain = client.get("/static/css/app.css", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    packed = client.get("/static/css/app.css", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert decode(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    # the ETag names the encoding: a cache never answers a gzip client with Brotli
    assert packed.headers["ETag"] != plain.headers["ETag"]


def test_a_refused_encoding_is_not_sent(client):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_static_paths_cannot_leave_the_static_folder(client):
    assert client.get("/static/../consult/config.py").status_code == 404
    assert client.get("/static/%2e%2e/consult/config.py").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404


@pytest.mark.parametrize(("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_are_compressed_by_the_app(client, make, encoding, decode):
    rnd = make.round()
    url = f"/rounds/{rnd.id}"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": encoding})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert decode(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_json_answers_are_compressed_too(client, make):
    for _ in range(3):
        make.round()
    response = client.get("/api/v1/rounds", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data).startswith(b"{")
