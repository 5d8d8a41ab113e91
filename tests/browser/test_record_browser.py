"""The public record on a phone (360x640): open-data downloads with their progress, the observer's desk (a witness
key registered and a head countersigned through the forms), the witness page, the archives list, and the
moderation log searched and questioned. No sideways scrolling, big enough targets, axe-core clean."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consult.extensions import db
from consult.moderation import services as moderation
from consult.participation.models import Comment
from consult.participation.services import post_comment, vote
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.conftest import PASSWORD
from tests.deliberation.theme_world import build

pytestmark = pytest.mark.browser


@pytest.fixture
def w(make):
    world = build(make, closed=False)
    for voter in (make.user(verified=True) for _ in range(3)):
        for comment in world.comments[:3]:
            vote(voter, db.session.get(Comment, comment.id), 1)
    moderation.add_rule("test", world.agency, "Tanpa iklan")
    ad = post_comment(world.citizen, world.round, "Jual pulsa murah, hubungi kami.")
    moderation.hide_comment(world.moderator, db.session.get(Comment, ad.id), 1, "Iklan pulsa.")
    world.observer = make.user("observer")
    db.session.commit()
    return world


def _check(page, axe_check) -> None:
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)


def test_open_data_downloads_show_their_progress(w, phone, axe_check):
    page = phone(js=True)
    assert page.goto(f"/rounds/{w.round.id}").status == 200
    with page.expect_navigation():
        page.locator("a", has_text="Data terbuka").click()
    assert page.url.endswith(f"/rounds/{w.round.id}/data")
    _check(page, axe_check)
    card = page.locator("#tabel-participant-votes")
    assert "9 baris" in card.inner_text()
    with page.expect_download() as download:
        card.locator("a", has_text="CSV").click()
    assert download.value.suggested_filename == f"putaran-{w.round.id}-participant-votes.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "round_id,voter,comment_id,vote,created_at" and len(lines) == 10
    status = card.locator("[role=status]")
    status.filter(has_text="Unduhan selesai.").wait_for(timeout=30_000)
    assert card.locator("progress").get_attribute("value") == "100"


def test_an_observer_becomes_a_witness_through_the_desk(w, phone, axe_check):
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    page = phone(js=True, email=w.observer.email, password=PASSWORD)
    assert page.goto("/pemantau").status == 200
    _check(page, axe_check)
    page.locator("input[name=k-name]").fill("Forum Warga Sukamaju")
    page.locator("input[name=k-public_key]").fill(base64.b64encode(raw).decode())
    with page.expect_navigation():
        page.get_by_role("button", name="Daftarkan kunci").click()
    assert "Kunci saksi Anda sudah terdaftar." in page.locator("body").inner_text()
    head = json.loads(page.request.get("/api/v1/audit/head").text())
    payload = json.dumps(head, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    signed = {**head, "countersignature": base64.b64encode(key.sign(payload)).decode()}
    page.locator("textarea[name=h-head]").fill(json.dumps(signed))
    with page.expect_navigation():
        page.get_by_role("button", name="Catat di halaman saksi").click()
    assert page.url.endswith("/saksi")
    text = page.locator("main").inner_text()
    assert "Forum Warga Sukamaju" in text and "ada dalam rantai" in text and head["hash"] in text
    _check(page, axe_check)
    assert page.goto("/arsip").status == 200
    _check(page, axe_check)


def test_the_log_searched_saved_and_questioned(w, phone, axe_check):
    page = phone(js=True, email=w.observer.email, password=PASSWORD)
    assert page.goto(f"/rounds/{w.round.id}/moderasi").status == 200
    page.locator("select[name=tindakan]").select_option("hide")
    page.locator("input[name=kata]").fill("pulsa")
    with page.expect_navigation():
        page.get_by_role("button", name="Cari di log").click()
    assert "tindakan=hide" in page.url and page.locator(".log-entry").count() == 1
    _check(page, axe_check)
    page.locator("input[name=name]").fill("Iklan yang disembunyikan")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan di meja saya").click()
    assert page.url.endswith("/pemantau#pencarian")
    with page.expect_navigation():
        page.locator("a", has_text="Iklan yang disembunyikan").click()
    assert page.locator(".log-entry").count() == 1
    with page.expect_navigation():
        page.locator(".log-entry a", has_text="Keputusan ini").click()
    page.locator("textarea[name=question]").fill("Apakah penjualnya diberi tahu aturan yang dilanggar?")
    with page.expect_navigation():
        page.get_by_role("button", name="Tanyakan secara terbuka").click()
    assert "Apakah penjualnya diberi tahu aturan yang dilanggar?" in page.locator("main").inner_text()
    _check(page, axe_check)
