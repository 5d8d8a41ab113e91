"""The revised version (CONTRACT.md "The revised charter"): made from a closed round's published summary, every
change traced to a theme or a reason, adoption refused while a change cites nothing, the word diff by key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.services import create_api_token
from consult.audit import AuditEntry
from consult.deliberation.models import Revision
from consult.deliberation.services import dispositions, revisions, summary, themes
from consult.documents import diff as diffing
from consult.documents.models import DocumentVersion
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db
from tests.deliberation import theme_world


def _bearer(user) -> dict:
    token = create_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def w(make):
    world = theme_world.build(make)
    theme = themes.create_theme(world.moderator, world.round, "Jam layanan", "Warga minta jam layanan lebih lama.")
    themes.tag(world.moderator, theme, comment_ids=[world.comments[0].id])
    dispositions.set_theme_disposition(world.admin, theme, "adopted", "Jam layanan diperpanjang.")
    summary.publish_summary(world.round, world.admin)
    world.theme = theme
    return world


def _sections(rnd, first_extra: str = "\n\nTambahan.") -> list[dict]:
    secs = [{"key": s.key, "title": s.title, "body": s.body} for s in rnd.version.sections]
    secs[0]["body"] += first_extra
    return secs


def test_a_revision_cites_themes_and_is_adopted(w):
    secs = _sections(w.round)
    version = revisions.start_revision(w.admin, w.round, secs, {secs[0]["key"]: {"theme_ids": [w.theme.id]}})
    assert version.state == "draft" and version.number == w.round.version.number + 1
    adopted = revisions.adopt_version(w.admin, version)
    assert adopted.state == "adopted" and adopted.adopted_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "version.adopted"))
    assert entry is not None and entry.data["round_id"] == w.round.id
    assert entry.data["changes"] == [
        {"key": secs[0]["key"], "change": "changed", "theme_ids": [w.theme.id], "reason_sha256": None}
    ]
    assert revisions.adopted_from_round(w.round.id).id == adopted.id
    with pytest.raises(Conflict):
        revisions.adopt_version(w.admin, adopted)
    result = revisions.version_diff(adopted)
    first = result["sections"][0]
    assert first["change"] == "changed" and first["theme_ids"] == [w.theme.id]
    assert diffing.new_text(first["ops"]) == secs[0]["body"]
    assert diffing.old_text(first["ops"]) == w.round.version.sections[0].body
    assert all(s["change"] == "unchanged" for s in result["sections"][1:])


def test_adoption_is_refused_naming_the_sections_that_cite_nothing(w):
    secs = _sections(w.round)
    secs.append({"title": "Bagian baru", "body": "Isi baru."})
    version = revisions.start_revision(w.admin, w.round, secs, {})
    with pytest.raises(Conflict) as refused:
        revisions.adopt_version(w.admin, version)
    message = str(refused.value.message)
    assert secs[0]["title"] in message and "Bagian baru" in message
    assert db.session.get(DocumentVersion, version.id).state == "draft"
    # a new POST replaces the pending draft; a reason is enough
    again = revisions.start_revision(
        w.admin, w.round, secs, {secs[0]["key"]: {"theme_ids": [w.theme.id]}, "bagian-baru": {"reason": "Aturan baru."}}
    )
    drafts = db.session.scalars(
        sa.select(DocumentVersion).where(
            DocumentVersion.document_id == w.round.document_id, DocumentVersion.status == "draft"
        )
    ).all()
    assert [d.id for d in drafts] == [again.id] and again.number == version.number
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1
    assert revisions.adopt_version(w.admin, again).state == "adopted"


def test_who_may_revise_and_when(w, make):
    secs = _sections(w.round)
    for user in (w.moderator, w.citizen, w.other_admin, None):
        with pytest.raises(NotAllowed):
            revisions.start_revision(user, w.round, secs, {})
    with pytest.raises(Invalid):  # a theme of another round
        other = themes.create_theme(make.user("moderator", w.other_round.agency), theme_world_closed(w), "Lain")
        revisions.start_revision(w.admin, w.round, secs, {secs[0]["key"]: {"theme_ids": [other.id]}})
    with pytest.raises(Invalid):
        revisions.start_revision(w.admin, w.round, [], {})
    with pytest.raises(Invalid):
        revisions.start_revision(w.admin, w.round, [{"key": "a", "title": "A", "body": "x"}] * 2, {})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 0


def theme_world_closed(w):
    theme_world.close(w.other_round)
    db.session.commit()
    from consult.rounds.models import Round

    return db.session.get(Round, w.other_round.id)


def test_a_round_without_a_published_summary_cannot_be_answered(make):
    world = theme_world.build(make)
    with pytest.raises(Conflict):
        revisions.start_revision(world.admin, world.round, _sections(world.round), {})


def test_the_api_follows_the_contract(w, client):
    admin, citizen = _bearer(w.admin), _bearer(w.citizen)
    rid = w.round.id
    full = client.get(f"/api/v1/rounds/{rid}").json
    doc = full["document_id"]
    versions = client.get(f"/api/v1/documents/{doc}/versions").json
    assert isinstance(versions, list) and {"id", "number", "state"} <= set(versions[-1])
    secs = [
        {"key": x["key"], "title": x["title"], "body": x.get("body", "") + "\n\nTambahan."}
        for x in full["sections"][:1]
    ]
    secs += [{"key": x["key"], "title": x["title"], "body": x.get("body", "")} for x in full["sections"][1:]]
    body = {"round_id": rid, "sections": secs, "changes": {secs[0]["key"]: {"theme_ids": [w.theme.id]}}}
    assert client.post(f"/api/v1/documents/{doc}/versions", json=body, headers=citizen).status_code == 403
    r = client.post(f"/api/v1/documents/{doc}/versions", json=body, headers=admin)
    assert r.status_code == 201 and {"id", "number"} <= set(r.json), r.json
    vid = r.json["id"]
    assert client.get(f"/api/v1/versions/{vid}/diff").status_code == 404  # a draft: only for the agency
    assert [v["state"] for v in client.get(f"/api/v1/documents/{doc}/versions").json] == ["published"]
    r = client.post(f"/api/v1/versions/{vid}/adopt", json={}, headers=admin)
    assert r.status_code == 200 and r.json["state"] == "adopted"
    assert client.post(f"/api/v1/versions/{vid}/adopt", json={}, headers=admin).status_code == 409
    d = client.get(f"/api/v1/versions/{vid}/diff?against={versions[-1]['id']}")
    assert d.status_code == 200
    first = d.json["sections"][0]
    assert {"key", "title", "change", "ops", "theme_ids", "reason"} <= set(first)
    assert first["change"] == "changed" and first["theme_ids"] == [w.theme.id]
    assert [v["state"] for v in client.get(f"/api/v1/documents/{doc}/versions").json] == ["published", "adopted"]
