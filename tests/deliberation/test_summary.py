"""The deliberation summary: figures, rights, publishing (audited, 409s), e-mails, pages and the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.deliberation.models import Campaign, CampaignMember, CommentDisposition, Summary, Theme, ThemeComment
from consult.deliberation.services import summary as service
from consult.errors import Conflict, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.moderation import services as moderation
from consult.notifications import services as notifications
from consult.participation import services as participation
from consult.participation.models import Comment
from consult.participation.services.votes import set_stance, vote
from consult.rounds.models import Round
from consult.timeutil import utcnow
from tests.mailbox import mails


def _close(rnd):
    with write_transaction():
        r = db.session.get(Round, rnd.id)
        r.closes_at = utcnow() - dt.timedelta(hours=1)
    return db.session.get(Round, rnd.id)


@pytest.fixture
def world(make):
    agency = make.agency(slug="dinas-ringkas")
    moderation.add_rule("test", agency, "Hormati sesama")
    rnd = make.round(agency)
    s1, s2 = rnd.version.sections[1], rnd.version.sections[2]
    people = [make.user(verified=True) for _ in range(5)]
    moderator = make.user("moderator", agency)
    admin = make.user("agency_admin", agency)
    citizen = make.user(verified=True)
    follower = make.user(verified=True)
    silent = make.user(verified=True)
    a = participation.post_comment(people[0], rnd, "Jam layanan terlalu pendek.", section_id=s1.id)
    b = participation.post_comment(people[1], rnd, "Tambah loket di kecamatan.", section_id=s2.id)
    copies = [
        participation.post_comment(people[2 + i], rnd, f"Surat bersama pekerja nomor {i}.", section_id=s1.id)
        for i in range(2)
    ]
    hidden = participation.post_comment(people[4], rnd, "Kata-kata kasar RAHASIA.", section_id=s1.id)
    paper = participation.post_comment(people[4], rnd, "Masukan tertulis dari loket.", section_id=s2.id)
    silent_comment = participation.post_comment(silent, rnd, "Saya tidak mau e-mail.", section_id=s2.id)
    moderation.hide_comment(moderator, db.session.get(Comment, hidden.id), 1, "Menghina.")
    for voter in people[1:4]:
        vote(voter, db.session.get(Comment, a.id), 1)
    set_stance(citizen, rnd, s1.id, "support")
    notifications.follow_round(follower, rnd)
    notifications.update_settings(silent, email_enabled=False, auto_follow=True, locale=None)
    with write_transaction():
        db.session.get(Comment, paper.id).channel = "paper"
        campaign = Campaign(round_id=rnd.id, number=1, size=2, representative_id=copies[0].id)
        db.session.add(campaign)
        db.session.flush()
        for c in copies:
            db.session.add(CampaignMember(campaign_id=campaign.id, comment_id=c.id))
        waktu = Theme(round_id=rnd.id, title="Waktu layanan", synthesis="Warga minta jam lebih panjang.", position=1)
        loket = Theme(round_id=rnd.id, title="Loket", synthesis="Lebih banyak loket.", position=2)
        db.session.add_all([waktu, loket])
        db.session.flush()
        for theme, comment in [(waktu, a), (loket, a), (waktu, copies[0]), (waktu, copies[1]), (loket, b)]:
            db.session.add(ThemeComment(theme_id=theme.id, comment_id=comment.id))
        db.session.add(Theme(round_id=rnd.id, title="Saran ditolak", status="rejected"))
    db.session.commit()
    return {
        "round": rnd,
        "moderator": moderator,
        "admin": admin,
        "people": people,
        "citizen": citizen,
        "follower": follower,
        "silent": silent,
        "a": a,
        "b": b,
        "copies": copies,
        "hidden": hidden,
        "paper": paper,
        "waktu": waktu.id,
        "loket": loket.id,
        "s1": s1,
        "s2": s2,
        "silent_comment": silent_comment,
    }


def _answer_all(w, *, override=True):
    with write_transaction():
        for tid, value, text in [
            (w["waktu"], "adopted", "Jam diperpanjang."),
            (w["loket"], "partly_adopted", "Satu loket baru."),
        ]:
            theme = db.session.get(Theme, tid)
            theme.disposition_value, theme.disposition_response = value, text
            theme.disposition_response_html = f"<p>{text}</p>"
        if override:
            db.session.add(
                CommentDisposition(
                    comment_id=w["b"].id,
                    round_id=w["round"].id,
                    value="not_adopted",
                    response="Anggaran tidak cukup.",
                    response_html="<p>Anggaran.</p>",
                )
            )
    db.session.commit()


def test_figures_count_hidden_comments_and_campaigns_once_and_channels(world):
    rnd = _close(world["round"])
    data = service.summary_for(rnd, world["moderator"])
    p = data["participation"]
    assert data["state"] == "draft"
    assert p["comments"] == 7 and p["hidden"] == 1  # the hidden one is counted
    assert p["by_channel"] == {"web": 6, "counter": 0, "paper": 1, "phone": 0, "forum": 0}
    assert p["votes"] == 3
    assert p["stances"] == 1
    # people[0..4] and silent comment on the web, citizen took a stance; the paper comment is one more person
    assert p["participants"] == 8
    assert p["by_section"] == {world["s1"].key: 4, world["s2"].key: 3}
    themes = {t["title"]: t for t in data["themes"]}
    assert list(themes) == ["Waktu layanan", "Loket"]  # accepted only, by position
    assert (themes["Waktu layanan"]["comment_count"], themes["Waktu layanan"]["signature_count"]) == (2, 3)
    assert themes["Loket"]["section_keys"] == sorted({world["s1"].key, world["s2"].key})
    assert data["untagged_comments"] == 2  # paper + silent's; the hidden one is not counted as untagged
    assert [c["id"] for c in data["most_agreed"]] == [world["a"].id]
    assert "RAHASIA" not in json.dumps(data)
    assert "orang" in data["overview"] and "disembunyikan" in data["overview"]  # drafted in Indonesian


def test_a_citizen_and_other_agencies_do_not_see_the_draft(world, make):
    rnd = _close(world["round"])
    for viewer in (None, world["citizen"], make.user("agency_admin", make.agency())):
        with pytest.raises(NotFound):
            service.summary_for(rnd, viewer)


def test_publishing_needs_an_agency_admin_a_closed_round_and_every_theme_answered(world):
    rnd = world["round"]
    with pytest.raises(NotAllowed):
        service.publish_summary(rnd, world["moderator"])
    with pytest.raises(Conflict):
        service.publish_summary(rnd, world["admin"])  # still open
    rnd = _close(rnd)
    with pytest.raises(Conflict) as exc:
        service.publish_summary(rnd, world["admin"])
    assert "Waktu layanan" in str(exc.value.message) and "Loket" in str(exc.value.message)
    assert "Saran ditolak" not in str(exc.value.message)
    assert db.session.get(Summary, rnd.id) is None or db.session.get(Summary, rnd.id).state == "draft"


def test_publishing_is_audited_frozen_and_emails_each_person_once(world):
    rnd = _close(world["round"])
    _answer_all(world)
    data = service.publish_summary(rnd, world["admin"])
    assert data["state"] == "published" and data["published_at"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "summary.published"))
    assert entry is not None and str(entry.subject_id) == str(rnd.id) and entry.subject_type == "summaries"
    row = db.session.get(Summary, rnd.id)
    # publishing queues no e-mail itself: the scheduler does, in batches, and records when
    assert row.notified_at is None and row.published_by_id == world["admin"].id
    assert mails(kind="summary_published") == []
    from consult.notifications.jobs import queue_summary_mails

    assert queue_summary_mails(utcnow())["summaries"] == 1
    assert db.session.get(Summary, rnd.id).notified_at is not None
    assert queue_summary_mails(utcnow()) == {"summaries": 0, "queued": 0}  # once
    # public now, for anyone, frozen
    assert service.summary_for(rnd, None)["themes"][0]["disposition"] == {
        "value": "adopted",
        "response": "Jam diperpanjang.",
    }
    with pytest.raises(Conflict):
        service.publish_summary(rnd, world["admin"])
    sent = mails(kind="summary_published")
    to = [m.to_addr for m in sent]
    assert len(to) == len(set(to)), "one e-mail per person"
    expected = {u.email for u in world["people"]} | {world["citizen"].email, world["follower"].email}
    assert set(to) == expected  # silent turned e-mail off; staff's vote does not make them a participant
    assert world["silent"].email not in to
    body = next(m.body_text for m in sent if m.to_addr == world["people"][0].email)
    assert "Waktu layanan" in body and "Loket" in body and "Jam diperpanjang." in body and "Satu loket baru." in body
    own = next(m.body_text for m in sent if m.to_addr == world["people"][1].email)
    assert "Anggaran tidak cukup." in own and "Satu loket baru." not in own  # its own answer replaces its theme's
    for m in sent:
        assert "RAHASIA" not in m.body_text and "Jam layanan terlalu pendek" not in m.body_text  # never the text
    follower = next(m.body_text for m in sent if m.to_addr == world["follower"].email)
    assert "/ringkasan" in follower


def test_answers_for_comments_put_the_override_first_and_wait_for_publication(world):
    rnd = _close(world["round"])
    _answer_all(world)
    answers = service.answers_for_comments(rnd.id, [world["a"].id, world["b"].id, world["paper"].id])
    assert [x["theme_title"] for x in answers[world["a"].id]] == ["Waktu layanan", "Loket"]
    assert answers[world["b"].id][0]["own"] and answers[world["b"].id][0]["value"] == "not_adopted"
    assert world["paper"].id not in answers
    assert service.answers_for_comments(rnd.id, [world["a"].id], published_only=True) == {}
    service.publish_summary(rnd, world["admin"])
    assert len(service.answers_for_comments(rnd.id, [world["a"].id], published_only=True)[world["a"].id]) == 2


def test_the_api_follows_the_contract(world, client):
    from consult.accounts.services import create_api_token

    rnd = _close(world["round"])
    admin_token, mod_token = create_api_token(world["admin"]), create_api_token(world["moderator"])
    citizen_token = create_api_token(world["citizen"])
    db.session.commit()
    url = f"/api/v1/rounds/{rnd.id}/summary"
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"Authorization": f"Bearer {citizen_token}"}).status_code == 404
    draft = client.get(url, headers={"Authorization": f"Bearer {mod_token}"})
    assert draft.status_code == 200 and draft.json["state"] == "draft"
    publish = f"/api/v1/rounds/{rnd.id}/summary/publish"
    assert client.post(publish, json={}, headers={"Authorization": f"Bearer {citizen_token}"}).status_code == 403
    conflict = client.post(publish, json={}, headers={"Authorization": f"Bearer {admin_token}"})
    assert conflict.status_code == 409 and "Waktu layanan" in conflict.json["error"]["message"]
    _answer_all(world)
    done = client.post(publish, json={}, headers={"Authorization": f"Bearer {admin_token}"})
    assert done.status_code == 200 and done.json["state"] == "published"
    summ = client.get(url)
    assert summ.status_code == 200 and summ.json["state"] == "published"
    assert {"participation", "themes", "untagged_comments"} <= set(summ.json)
    assert {"id", "title", "synthesis", "comment_count", "signature_count", "disposition", "section_keys"} <= set(
        summ.json["themes"][0]
    )
    assert summ.json["participation"]["by_channel"]["paper"] == 1


def test_the_page_is_404_before_publication_a_draft_for_staff_and_public_after(world, client, auth):
    rnd = _close(world["round"])
    url = f"/rounds/{rnd.id}/ringkasan"
    assert client.get(url).status_code == 404
    auth.login(world["moderator"])
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "DRAF" in html and page.headers["Cache-Control"] == "no-store"
    assert "Terbitkan ringkasan" not in html  # moderators edit, agency admins publish
    assert "<svg" in html and "<table" in html and "RAHASIA" not in html
    saved = client.post(f"{url}/ikhtisar", data={"overview": "Ikhtisar **resmi** <script>x</script>"})
    assert saved.status_code == 303
    assert "<script>" not in db.session.get(Summary, rnd.id).overview_html
    auth.logout()
    auth.login(world["admin"])
    refused = client.post(f"{url}/terbitkan", data={})
    assert refused.status_code == 303
    assert "Waktu layanan" in client.get(url).get_data(as_text=True)
    _answer_all(world)
    assert client.post(f"{url}/terbitkan", data={}).status_code == 303
    auth.logout()
    public = client.get(url)
    html = public.get_data(as_text=True)
    assert public.status_code == 200 and "DRAF" not in html and "Diterima" in html and "resmi" in html
    assert "RAHASIA" not in html


def test_the_stylesheet_prints_the_summary_black_on_white():
    from pathlib import Path

    css = (Path(__file__).parents[2] / "static" / "css" / "app.css").read_text()
    printed = css[css.index("@media print") :]
    assert "nav" in printed and "form" in printed and "#000" in printed and "break-before: page" in printed


def test_the_answers_show_under_each_comment_once_published_in_one_query(world, client, app):
    from tests.web.test_pages import _count_queries

    rnd = _close(world["round"])
    _answer_all(world)
    a_id, b_id = world["a"].id, world["b"].id
    permalink = f"/comments/{a_id}"
    assert "Jawaban instansi" not in client.get(permalink).get_data(as_text=True)  # drafts until published
    assert "/ringkasan" not in client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    rid, admin_id = rnd.id, world["admin"].id
    before = _count_queries(app, lambda: client.get(f"/rounds/{rid}?urutan=baru"))  # detaches the test's objects
    from consult.accounts.models import User

    rnd = db.session.get(Round, rid)
    service.publish_summary(rnd, db.session.get(User, admin_id))
    db.session.commit()
    html = client.get(permalink).get_data(as_text=True)
    assert "Jawaban instansi: Diterima" in html and "Jam diperpanjang." in html and "Satu loket baru." in html
    own = client.get(f"/comments/{b_id}").get_data(as_text=True)
    assert "Jawaban instansi: Tidak diterima" in own and "Diterima sebagian" not in own
    page = client.get(f"/rounds/{rid}")
    assert "Jawaban instansi" in page.get_data(as_text=True) and "/ringkasan" in page.get_data(as_text=True)
    after = _count_queries(app, lambda: client.get(f"/rounds/{rid}?urutan=baru"))
    assert after <= before + 2  # the answers of every comment shown: one query (and one for the summary link)


def test_a_comment_hidden_after_publication_drops_out_of_the_published_summary(world):
    rnd = _close(world["round"])
    _answer_all(world)
    service.publish_summary(rnd, world["admin"])
    assert [c["id"] for c in service.summary_for(rnd, None)["most_agreed"]] == [world["a"].id]
    moderation.hide_comment(world["moderator"], db.session.get(Comment, world["a"].id), 1, "Menghina.")
    data = service.summary_for(rnd, None)
    assert data["most_agreed"] == [] and "Jam layanan terlalu pendek" not in json.dumps(data)
    assert data["participation"]["comments"] == 7  # the record's figures stay as published


def test_the_draft_shows_the_opinion_groups_and_their_consensus(make, client, auth):
    from consult.deliberation import services as deliberation
    from tests.deliberation.test_opinion_pages import STATEMENTS, _round_with_votes

    agency, rnd, _comments, _ = _round_with_votes(make)
    deliberation.refresh_opinion(rnd.id)
    moderator = make.user("moderator", agency)
    data = service.summary_for(rnd, moderator)
    assert data["opinion"]["k"] == 2 and len(data["opinion"]["groups"]) == 2
    assert data["opinion"]["consensus"] and all(c["body_html"] for c in data["opinion"]["consensus"])
    auth.login(moderator)
    html = client.get(f"/rounds/{rnd.id}/ringkasan").get_data(as_text=True)
    assert "Kelompok A" in html and "Kelompok B" in html
    assert STATEMENTS[-1] in html  # the consensus statement (every group agrees)
