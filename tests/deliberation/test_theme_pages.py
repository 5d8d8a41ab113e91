"""The staff themes pages without JavaScript: suggestions on the first visit, create, tag (a selection, a
section, a campaign), rename, merge, answer (agency admins only), errors shown again with the input kept,
CSRF tokens on every form."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.deliberation.models import CommentDisposition, Theme, ThemeComment, ThemeStatus
from consult.deliberation.services import themes as services
from consult.deliberation.theme_queries import theme_counts
from consult.extensions import db
from tests.deliberation import theme_world


@pytest.fixture
def w(make):
    return theme_world.build(make)


def _base(w) -> str:
    return f"/kelola/{w.agency.slug}/putaran/{w.round.id}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _forms_have_tokens(client, url: str) -> None:
    """Every POST form of the page carries its CSRF token (the test app checks none, so turn it on to look)."""
    app = client.application
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = _text(client.get(url))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    assert forms
    assert all('name="csrf_token"' in f for f in forms)


def test_first_visit_suggests_and_every_form_has_its_token(client, auth, w):
    auth.login(w.moderator)
    response = client.get(f"{_base(w)}/tema")
    assert response.status_code == 200
    html = _text(response)
    suggested = list(db.session.scalars(sa.select(Theme).where(Theme.status == ThemeStatus.SUGGESTED)))
    assert suggested and all(t.title in html for t in suggested)
    _forms_have_tokens(client, f"{_base(w)}/tema")
    client.get(f"{_base(w)}/tema")  # a second visit suggests nothing more
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == len(suggested)
    first = suggested[0]
    r = client.post(f"{_base(w)}/tema/{first.id}/terima", data={"title": "Jam buka loket"})
    assert r.status_code == 303
    db.session.refresh(first)
    assert (first.status, first.title) == ("accepted", "Jam buka loket")
    if len(suggested) > 1:
        assert client.post(f"{_base(w)}/tema/{suggested[1].id}/tolak").status_code == 303
        assert db.session.get(Theme, suggested[1].id).status == "rejected"


def test_create_tag_rename_and_merge_without_javascript(client, auth, w):
    auth.login(w.moderator)
    r = client.post(f"{_base(w)}/tema", data={"title": "", "synthesis": "Teks yang diketik"})
    assert r.status_code == 422 and "Teks yang diketik" in _text(r) and 'aria-invalid="true"' in _text(r)
    r = client.post(f"{_base(w)}/tema", data={"title": "Jam layanan", "synthesis": "Warga minta jam panjang."})
    assert r.status_code == 303
    theme = db.session.scalar(sa.select(Theme).where(Theme.title == "Jam layanan"))
    assert r.headers["Location"].endswith(f"/tema/{theme.id}")
    page = client.get(f"{_base(w)}/tandai")
    assert page.status_code == 200 and f'value="{w.comments[0].id}"' in _text(page)
    _forms_have_tokens(client, f"{_base(w)}/tandai")
    ids = [str(w.comments[0].id), str(w.comments[1].id)]
    r = client.post(f"{_base(w)}/tandai", data={"theme_id": theme.id, "what": "selection", "comment_ids": ids})
    assert r.status_code == 303
    r = client.post(f"{_base(w)}/tandai", data={"theme_id": theme.id, "what": "campaign", "campaign_id": w.campaign_id})
    assert r.status_code == 303
    assert theme_counts(w.round.id)[theme.id] == (3, 5)
    r = client.post(f"{_base(w)}/tandai", data={"theme_id": theme.id, "what": "section", "section_key": "nope"})
    assert r.status_code == 422
    key = w.sections[2].key
    page = client.get(f"{_base(w)}/tandai?bagian={key}")
    assert "section_key" in _text(page)
    r = client.post(f"{_base(w)}/tandai", data={"theme_id": theme.id, "what": "section", "section_key": key})
    assert r.status_code == 303
    other = services.create_theme(w.moderator, w.round, "Waktu tunggu")
    services.tag(w.moderator, other, comment_ids=[w.comments[4].id])
    page = client.get(f"{_base(w)}/tema/{theme.id}")
    assert page.status_code == 200 and "Warga minta jam panjang." in _text(page)
    _forms_have_tokens(client, f"{_base(w)}/tema/{theme.id}")
    r = client.post(f"{_base(w)}/tema/{theme.id}", data={"title": "Jam buka", "synthesis": "Baru."})
    assert r.status_code == 303 and db.session.get(Theme, theme.id).title == "Jam buka"
    other_id = other.id
    r = client.post(f"{_base(w)}/tema/{theme.id}/gabung", data={"source_id": other_id})
    assert r.status_code == 303 and db.session.get(Theme, other_id) is None
    assert w.comments[4].id in set(
        db.session.scalars(sa.select(ThemeComment.comment_id).where(ThemeComment.theme_id == theme.id))
    )
    r = client.post(f"{_base(w)}/tema/{theme.id}/lepas", data={"comment_ids": [str(w.comments[4].id)]})
    assert r.status_code == 303
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"theme.created", "theme.tagged", "theme.updated", "theme.merged", "theme.untagged"} <= actions


def test_only_agency_admins_answer(client, auth, w):
    theme = services.create_theme(w.moderator, w.round, "Jam layanan")
    auth.login(w.moderator)
    page = _text(client.get(f"{_base(w)}/tema/{theme.id}"))
    assert 'name="value"' not in page  # moderators read the answer, they do not give it
    r = client.post(f"{_base(w)}/tema/{theme.id}/jawaban", data={"value": "adopted", "response": "Ya."})
    assert r.status_code == 303 and db.session.get(Theme, theme.id).disposition_value is None
    auth.logout()
    auth.login(w.admin)
    page = _text(client.get(f"{_base(w)}/tema/{theme.id}"))
    assert 'name="value"' in page
    r = client.post(f"{_base(w)}/tema/{theme.id}/jawaban", data={"value": "not_adopted", "response": ""})
    assert r.status_code == 422 and 'aria-invalid="true"' in _text(r)
    r = client.post(f"{_base(w)}/tema/{theme.id}/jawaban", data={"value": "partly_adopted", "response": "Sebagian."})
    assert r.status_code == 303 and db.session.get(Theme, theme.id).disposition_value == "partly_adopted"
    c = w.comments[0]
    r = client.post(f"{_base(w)}/komentar/{c.id}/jawaban", data={"value": "adopted", "response": "Untuk Anda."})
    assert r.status_code == 303 and db.session.get(CommentDisposition, c.id).value == "adopted"
    r = client.post(f"{_base(w)}/komentar/{w.foreign.id}/jawaban", data={"value": "adopted", "response": "x"})
    assert r.status_code == 404


def test_an_open_round_shows_the_notice_and_refuses(client, auth, make):
    w = theme_world.build(make, closed=False)
    auth.login(w.moderator)
    html = _text(client.get(f"{_base(w)}/tema"))
    assert 'action="' + f"{_base(w)}/tema" + '"' not in html  # no create form while open
    r = client.post(f"{_base(w)}/tema", data={"title": "Jam"})
    assert r.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 0
    with client.session_transaction() as session:
        assert any(cat == "error" for cat, _ in session.get("_flashes", []))


def test_the_manage_page_links_to_the_themes(client, auth, w):
    auth.login(w.moderator)
    html = _text(client.get(_base(w)))
    assert f'href="{_base(w)}/tema"' in html
