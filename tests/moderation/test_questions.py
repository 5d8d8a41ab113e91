"""The moderation log searched (kind, rule, words; saved on the observer's desk), and observers' public questions
about a decision answered by the agency in the public log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import ModerationAction
from consult.participation.models import Comment
from consult.participation.services import post_comment
from tests.deliberation.theme_world import build


@pytest.fixture
def w(make):
    world = build(make, closed=False)
    moderation.add_rule("test", world.agency, "Hormati sesama")
    moderation.add_rule("test", world.agency, "Tanpa iklan")
    rude = post_comment(world.citizen, world.round, "Dasar bodoh semua.")
    ad = post_comment(world.citizen, world.round, "Jual pulsa murah, hubungi kami.")
    moderation.hide_comment(world.moderator, db.session.get(Comment, rude.id), 1, "Menghina warga lain.")
    moderation.hide_comment(world.moderator, db.session.get(Comment, ad.id), 2, "Iklan pulsa.")
    moderation.restore_comment(world.moderator, db.session.get(Comment, rude.id), 1, "Ternyata kutipan berita.")
    world.observer = make.user("observer", name="Ibu Pemantau")
    db.session.commit()
    world.actions = db.session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id)).all()
    return world


def test_the_log_searched_by_kind_rule_and_words(w, client):
    hide, hide_ad, restore = w.actions
    base = f"/rounds/{w.round.id}/moderasi"

    def shown(query: str) -> set[int]:
        text = client.get(f"{base}?{query}").get_data(as_text=True)
        return {a.id for a in w.actions if f'id="log-{a.id}"' in text}

    assert shown("") == {hide.id, hide_ad.id, restore.id}
    assert shown("tindakan=hide") == {hide.id, hide_ad.id}
    assert shown("aturan=2") == {hide_ad.id}
    assert shown("kata=PULSA") == {hide_ad.id}  # any case
    assert shown("kata=100%25") == set()  # LIKE's wildcards are plain characters
    assert shown("tindakan=restore&aturan=1") == {restore.id}
    agency = client.get(f"/moderasi?instansi={w.agency.slug}&tindakan=hide").get_data(as_text=True)
    assert f'id="log-{hide.id}"' in agency and f'id="log-{restore.id}"' not in agency
    assert client.get(f"{base}?tindakan=delete").status_code in (400, 422)
    assert client.get(f"{base}?aturan=abc").status_code in (400, 422)


def test_a_search_saved_on_the_desk(w, client, auth):
    auth.login(w.observer)
    page = client.get(f"/rounds/{w.round.id}/moderasi?tindakan=hide").get_data(as_text=True)
    assert "/pemantau/pencarian" in page
    query = f"/rounds/{w.round.id}/moderasi?tindakan=hide&cursor=abc"
    response = client.post("/pemantau/pencarian", data={"name": "Komentar disembunyikan", "query": query})
    assert response.status_code == 303
    desk = client.get("/pemantau").get_data(as_text=True)
    assert "Komentar disembunyikan" in desk and f"/rounds/{w.round.id}/moderasi?tindakan=hide" in desk
    refused = client.post("/pemantau/pencarian", data={"name": "Luar", "query": "https://example.org/moderasi"})
    assert refused.status_code == 422
    from consult.monitoring.models import SavedSearch

    saved = db.session.scalar(sa.select(SavedSearch))
    assert client.post(f"/pemantau/pencarian/{saved.id}/hapus").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedSearch)) == 0


def test_an_observer_asks_and_the_agency_answers_in_public(w, client, auth, make):
    hide = w.actions[0]
    auth.login(w.citizen)
    assert client.post(f"/moderasi/keputusan/{hide.id}/tanya", data={"question": "Kenapa?"}).status_code == 403
    auth.logout()
    auth.login(w.observer)
    page = client.get(f"/moderasi/keputusan/{hide.id}").get_data(as_text=True)
    assert f"/moderasi/keputusan/{hide.id}/tanya" in page
    assert client.post(f"/moderasi/keputusan/{hide.id}/tanya", data={"question": "  "}).status_code == 422
    asked = client.post(
        f"/moderasi/keputusan/{hide.id}/tanya", data={"question": "Aturan mana yang dilanggar kutipan berita?"}
    )
    assert asked.status_code == 303
    from consult.moderation.models import ModerationQuestion

    question = db.session.scalar(sa.select(ModerationQuestion))
    assert question.asker.startswith("Pemantau-") and len(question.asker) == len("Pemantau-") + 5
    log = client.get(f"/rounds/{w.round.id}/moderasi").get_data(as_text=True)
    assert "Aturan mana yang dilanggar kutipan berita?" in log and question.asker in log
    assert "Ibu Pemantau" not in log and w.observer.email not in log
    other_moderator = make.user("moderator", make.agency())
    db.session.commit()
    auth.logout()
    auth.login(other_moderator)
    refused = client.post(f"/moderasi/pertanyaan/{question.id}/jawab", data={"answer": "Bukan urusan kami."})
    assert refused.status_code == 403
    auth.logout()
    auth.login(w.moderator)
    answered = client.post(
        f"/moderasi/pertanyaan/{question.id}/jawab", data={"answer": "Aturan 1; kemudian dipulihkan, lihat di atas."}
    )
    assert answered.status_code == 303
    again = client.post(f"/moderasi/pertanyaan/{question.id}/jawab", data={"answer": "Lagi."})
    assert again.status_code == 409
    log = client.get(f"/rounds/{w.round.id}/moderasi").get_data(as_text=True)
    assert "Aturan 1; kemudian dipulihkan, lihat di atas." in log
    db.session.expire_all()
    question = db.session.get(ModerationQuestion, question.id)
    assert question.answered_by.startswith("Moderator-") and question.answered_by in log
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("moderation.question_%"))).all()
    assert [e.action for e in entries] == ["moderation.question_asked", "moderation.question_answered"]
    assert all("Aturan" not in e.data_json and w.observer.email not in e.data_json for e in entries)


def test_the_api_searches_the_log_the_same_way(w, client):
    hide, hide_ad, restore = w.actions

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/moderation-log?round_id={w.round.id}&{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids("action=hide") == [hide_ad.id, hide.id]
    assert ids("rule=1") == [restore.id, hide.id]
    assert ids("words=pulsa") == [hide_ad.id]
    bad = client.get("/api/v1/moderation-log?action=erase")
    assert bad.status_code in (400, 422) and "action" in str(bad.get_json())
