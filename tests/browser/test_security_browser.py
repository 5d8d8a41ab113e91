"""The probe's stored-XSS attack replayed in a real browser (360x640, JavaScript on, CSP enforced).

A moderator blocks a citizen with a reason that carries htmx attributes; a comment, a rule and a document
carry them too. The citizen opens the round page, their comment's page and their moderation page. Before the
fix, htmx found the injected <span hx-post=… hx-trigger="load"> and withdrew the citizen's comment with the
CSRF token of <body hx-headers>. Now the reason is text: no request leaves for the injected address, and the
comment is still there.
"""

from __future__ import annotations

import datetime as dt

import pytest

from consult.extensions import db, write_transaction
from consult.moderation import services as moderation
from consult.participation import services as participation
from consult.participation.models import Comment
from consult.timeutil import utcnow
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def payload(target: str) -> str:
    return f'Spam <span id="pwn" hx-post="{target}" hx-trigger="load" hx-swap="none"></span> selesai'


def test_a_block_reason_with_htmx_attributes_does_nothing_in_the_victims_browser(new_context, make):
    agency = make.agency(slug="dinas-xss")
    moderation.add_rule("test", agency, "Aturan satu", payload("/rules-body"))
    rnd = make.round(agency)
    victim = make.user(verified=True)
    moderator = make.user("moderator", agency)
    mine = participation.post_comment(victim, rnd, "Komentar saya yang tidak boleh ditarik orang lain.")
    kept_id = mine.id
    target = f"/comments/{kept_id}/tarik"
    other = participation.post_comment(make.user(verified=True), rnd, payload(target))  # sanitised at write
    moderation.block_author(
        moderator, db.session.get(Comment, kept_id), utcnow() + dt.timedelta(days=3), payload(target)
    )
    with write_transaction():
        db.session.get(type(rnd), rnd.id).title = "Putaran " + payload(target)
    db.session.commit()

    context = new_context(axe=False)
    assert context.request.post("/login", form={"email": victim.email, "password": PASSWORD}).ok
    page = context.new_page()
    sent, problems = [], []
    page.on("request", lambda r: sent.append((r.method, r.url)) if r.method != "GET" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    for url in (f"/rounds/{rnd.id}", f"/comments/{kept_id}", f"/comments/{other.id}", "/profil/moderasi"):
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_function("() => window.htmx !== undefined")  # htmx has processed the page
        assert page.locator("#pwn").count() == 0, f"the payload became an element on {url}"
    page.goto(f"/rounds/{rnd.id}")
    notice = page.locator("#form-komentar")
    assert "hx-post=" in notice.inner_text()  # the reason is shown, as text
    page.wait_for_timeout(500)  # a load-triggered request would have left by now
    assert sent == [], f"requests left the victim's browser without their action: {sent}"
    assert problems == []
    db.session.rollback()
    assert db.session.get(Comment, kept_id).status == "visible"
