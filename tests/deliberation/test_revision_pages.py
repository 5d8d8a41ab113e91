"""The revision's pages: the agency admin's editor (save, refusal kept, adopt), the public word diff (marks that
are more than colour, themes linked), the traceability table, and the adoption e-mails (once, by the scheduler)."""

from __future__ import annotations

import sqlalchemy as sa

from consult.deliberation.services import revisions
from consult.extensions import db
from consult.notifications.models import OutboxMessage
from consult.timeutil import utcnow
from tests.deliberation.test_revisions import w  # noqa: F401 - the fixture


def _editor_data(rnd, *, edit_first: str | None = None, cite: int | None = None, action: str = "save") -> dict:
    data = {"action": action}
    for n, s in enumerate(rnd.version.sections):
        data[f"title-{n}"] = s.title
        data[f"body-{n}"] = s.body
    if edit_first is not None:
        data["body-0"] = rnd.version.sections[0].body + edit_first
    if cite is not None:
        data["themes-0"] = str(cite)
    return data


def test_the_editor_saves_refuses_uncited_changes_and_adopts(w, client, auth):  # noqa: F811
    url = f"/kelola/{w.agency.slug}/putaran/{w.round.id}/revisi"
    auth.login(w.moderator)
    assert client.get(url).status_code == 403  # agency admins only
    auth.logout()
    auth.login(w.admin)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Jam layanan" in html  # the theme is offered beside its section
    refused = client.post(url, data=_editor_data(w.round, edit_first="\n\nJam buka sampai 20.00.", action="adopt"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Jam buka sampai 20.00." in html  # the input is kept
    assert w.round.version.sections[0].title in html
    saved = client.post(
        url, data=_editor_data(w.round, edit_first="\n\nJam buka sampai 20.00.", cite=w.theme.id, action="adopt")
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:300]
    adopted = revisions.adopted_from_round(w.round.id)
    assert adopted is not None and adopted.state == "adopted"
    auth.logout()
    diff = client.get(saved.headers["Location"])
    html = diff.get_data(as_text=True)
    assert diff.status_code == 200
    assert "<ins>" in html and "[ditambahkan]" in html and "Jam buka sampai 20.00." in html
    assert f"#tema-{w.theme.id}" in html and "Diubah" in html
    trace = client.get(f"/rounds/{w.round.id}/jejak")
    html = trace.get_data(as_text=True)
    assert trace.status_code == 200 and "Jam layanan" in html and "Diterima" in html
    assert f"/perubahan#{w.round.version.sections[0].key}" in html


def test_a_draft_is_only_for_the_agency(w, client, auth):  # noqa: F811
    secs = [{"key": s.key, "title": s.title, "body": s.body + " x"} for s in w.round.version.sections]
    draft = revisions.start_revision(w.admin, w.round, secs, {})
    db.session.commit()
    url = f"/dokumen/{draft.document_id}/versi/{draft.number}/perubahan"
    assert client.get(url).status_code == 404
    auth.login(w.admin)
    page = client.get(url)
    assert page.status_code == 200 and "DRAF" in page.get_data(as_text=True)


def test_the_adoption_emails_go_once_to_those_who_took_part(w, make):  # noqa: F811
    from consult.notifications.jobs import queue_adoption_mails, queue_summary_mails

    queue_summary_mails(utcnow())
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    secs = [{"key": s.key, "title": s.title, "body": s.body} for s in w.round.version.sections]
    secs[0]["body"] += "\n\nBaru."
    version = revisions.start_revision(w.admin, w.round, secs, {secs[0]["key"]: {"theme_ids": [w.theme.id]}})
    revisions.adopt_version(w.admin, version)
    first = queue_adoption_mails(utcnow())
    assert first["adoptions"] == 1 and first["queued"] >= 1
    assert queue_adoption_mails(utcnow()) == {"adoptions": 0, "queued": 0}
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "version_adopted")).all()
    assert (
        len(rows)
        == first["queued"]
        == db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) - before
    )
    assert any(w.author.email == r.to_addr for r in rows)
    assert "Jam layanan" in rows[0].body_text and "/perubahan" in rows[0].body_text
