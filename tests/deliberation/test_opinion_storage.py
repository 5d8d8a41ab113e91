"""Opinion groups and campaigns of real rounds: computed from the database, stored, served by the API and the
commands, recomputed by the scheduled job only when something changed, and final (audited once) after a close."""

from __future__ import annotations

import datetime as dt
import json
import threading

import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.deliberation import jobs, services, snapshots
from consult.deliberation.models import Campaign, CampaignMember, OpinionSnapshot
from consult.extensions import db, write_transaction
from consult.participation.models import CommentVote, Participant
from consult.participation.services.comments import post_comment
from consult.participation.services.votes import vote
from consult.rounds.models import Round
from consult.timeutil import utcnow

HOST = {"Host": "127.0.0.1:5000"}


def _close(round_id: int) -> None:
    """Close the round now (after everything computed so far), as its closing time passing would."""
    with write_transaction():
        db.session.get(Round, round_id).closes_at = utcnow()


def _planted_round(make, *, per_group: int = 8, comments: int = 10):
    """Two groups that disagree on every comment but the last two, which everyone agrees with."""
    agency = make.agency()
    rnd = make.round(agency)
    authors = [make.user() for _ in range(2)]
    posted = [
        post_comment(authors[i % 2], rnd, f"Usulan nomor {i}: layanan perlu diubah dengan cara ke-{i}.")
        for i in range(comments)
    ]
    groups: dict[int, int] = {}
    voters = []
    for g in range(2):
        for _ in range(per_group):
            user = make.user()
            voters.append(user)
            groups[user.id] = g
            for i, comment in enumerate(posted):
                agree = True if i >= comments - 2 else (i % 2 == g)
                vote(user, comment, 1 if agree else -1)
    return db.session.get(Round, rnd.id), posted, voters, groups


def _pseudonyms(round_id: int) -> dict[str, int]:
    return {
        p.pseudonym: p.user_id
        for p in db.session.scalars(sa.select(Participant).where(Participant.round_id == round_id))
    }


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def test_opinion_groups_are_computed_from_the_votes_stored_and_served(make, client):
    rnd, posted, voters, groups = _planted_round(make)
    stored = services.refresh_opinion(rnd.id)
    assert (stored.k, stored.vote_count, stored.participant_count) == (2, 160, 16)

    body = client.get(f"/api/v1/rounds/{rnd.id}/opinion", headers=HOST).get_json()
    assert body["k"] == 2 and body["final"] is False and body["message"] is None
    by_pseudonym = _pseudonyms(rnd.id)
    placed = {by_pseudonym[p["participant"]]: p["group"] for p in body["participants"]}
    assert set(placed) == set(groups)
    # the planted groups, whatever numbers they were given
    pairs = {(groups[u], placed[u]) for u in groups}
    assert len(pairs) == 2 and len({a for a, _ in pairs}) == 2 and len({b for _, b in pairs}) == 2
    consensus = {c["comment_id"] for c in body["consensus"] if c["direction"] == "agree"}
    assert {posted[-1].id, posted[-2].id} <= consensus
    assert body["divisive"] and body["divisive"][0]["comment_id"] in {c.id for c in posted[:-2]}
    # the command prints the same contract JSON as its last line
    from consult.deliberation.cli import opinion_compute

    result = client.application.test_cli_runner().invoke(opinion_compute, [str(rnd.id), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output.strip().splitlines()[-1])
    assert printed == {k: body[k] for k in ("round_id", "k", "participants", "consensus", "divisive")}


def test_staff_votes_and_comments_moderated_out_are_left_out(make):
    rnd, posted, voters, groups = _planted_round(make)
    moderator = make.user("moderator", rnd.agency)
    official = post_comment(moderator, rnd, "Tanggapan dinas atas usulan warga.")
    with write_transaction():  # a staff vote written before the rule that refuses them (or by hand)
        for comment in posted:
            db.session.add(CommentVote(comment_id=comment.id, user_id=moderator.id, value=1))
        for user in voters[:6]:
            db.session.add(CommentVote(comment_id=official.id, user_id=user.id, value=1))
    from consult.accounts.models import User
    from consult.participation.services.comments import withdraw_comment

    withdraw_comment(db.session.get(User, posted[0].author_id), posted[0])  # no longer visible: left out

    snap = snapshots.read_votes(db.session.get(Round, rnd.id))
    staff_participant = db.session.scalar(
        sa.select(Participant.id).where(Participant.round_id == rnd.id, Participant.user_id == moderator.id)
    )
    assert snap.excluded_participant_ids == [staff_participant]
    assert set(snap.excluded_comment_ids) == {posted[0].id, official.id}

    stored = services.refresh_opinion(rnd.id)
    contract = stored.contract
    staff_pseudonym = db.session.get(Participant, staff_participant).pseudonym
    assert staff_pseudonym not in {p["participant"] for p in contract["participants"]}
    mentioned = {c["comment_id"] for c in contract["consensus"]} | {d["comment_id"] for d in contract["divisive"]}
    assert not mentioned & {posted[0].id, official.id}
    assert {c["comment_id"] for c in stored.detail["comments"]}.isdisjoint({posted[0].id, official.id})


def test_unchanged_votes_are_not_recomputed_and_a_new_vote_is(make):
    rnd, posted, voters, _ = _planted_round(make)
    first = services.refresh_opinion(rnd.id)
    first_at, marker = first.computed_at, first.snapshot
    again = services.refresh_opinion(rnd.id)
    assert again.computed_at == first_at and again.checked_at >= first_at
    vote(voters[0], posted[-1], -1)  # a changed vote
    changed = services.refresh_opinion(rnd.id)
    assert changed.snapshot != marker and changed.computed_at > first_at
    assert _audit("opinion.computed") == []  # provisional results of an open round are not public record


def test_too_few_votes_give_an_empty_result_in_the_contracts_shape(make, client, runner):
    rnd = make.round()
    post_comment(make.user(), rnd, "Satu-satunya komentar di putaran ini.")
    result = runner.invoke(args=["opinion", "compute", str(rnd.id), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == {
        "round_id": rnd.id,
        "k": 0,
        "participants": [],
        "consensus": [],
        "divisive": [],
    }
    body = client.get(f"/api/v1/rounds/{rnd.id}/opinion", headers=HOST).get_json()
    assert body["k"] == 0 and "Belum cukup suara" in body["message"]


def test_nothing_computed_yet_is_an_empty_result_not_an_error(make, client):
    rnd = make.round()
    body = client.get(f"/api/v1/rounds/{rnd.id}/opinion", headers=HOST).get_json()
    assert (body["k"], body["computed_at"], body["participants"]) == (0, None, [])
    assert "belum dihitung" in body["message"]
    assert client.get("/api/v1/rounds/999999/opinion", headers=HOST).status_code == 404


def test_a_section_has_its_own_groups_over_its_own_comments(make, client, runner):
    agency = make.agency()
    rnd = make.round(agency)
    sections = {s.key: s for s in rnd.version.sections}
    key = sorted(sections)[-1]
    on_section = [
        post_comment(make.user(), rnd, f"Komentar bagian nomor {i}.", section_id=sections[key].id) for i in range(3)
    ]
    elsewhere = post_comment(make.user(), rnd, "Komentar atas seluruh dokumen.")
    for _ in range(5):
        user = make.user()
        for c in [*on_section, elsewhere]:
            vote(user, c, 1)
    result = runner.invoke(args=["opinion", "compute", str(rnd.id), "--section", key, "--json"])
    assert result.exit_code == 0, result.output
    stored = services.stored_opinion(rnd.id, key)
    assert stored.vote_count == 15  # the section's three comments only
    bad = runner.invoke(args=["opinion", "compute", str(rnd.id), "--section", "tidak-ada"])
    assert bad.exit_code == 1 and "bagian" in bad.output.lower()
    assert client.get(f"/api/v1/rounds/{rnd.id}/opinion?section=tidak-ada", headers=HOST).status_code == 404
    body = client.get(f"/api/v1/rounds/{rnd.id}/opinion?section={key}", headers=HOST).get_json()
    assert body["section"] == key and body["vote_count"] == 15


def test_the_job_recomputes_open_rounds_and_computes_a_closed_round_once_audited(make):
    rnd, posted, voters, _ = _planted_round(make)
    done = jobs.recompute_deliberation(utcnow())
    assert done["opinion_results"] >= 1 and done["failed"] == 0
    assert services.stored_opinion(rnd.id).k == 2
    assert jobs.recompute_deliberation(utcnow())["opinion_results"] == 0  # looked at within the interval
    # Later, with nothing changed: looked at again, not recomputed.
    later = utcnow() + jobs.OPEN_INTERVAL + dt.timedelta(seconds=1)
    computed_at = services.stored_opinion(rnd.id).computed_at
    assert jobs.recompute_deliberation(later)["opinion_results"] == 0
    assert services.stored_opinion(rnd.id).computed_at == computed_at

    _close(rnd.id)
    jobs.recompute_deliberation(utcnow())
    final = services.stored_opinion(rnd.id)
    assert services.is_final(db.session.get(Round, rnd.id), final)
    [entry] = _audit("opinion.computed")
    assert entry.data["round_id"] == rnd.id and entry.data["k"] == 2 and entry.data["votes"] == 160
    for _ in range(2):  # a closed round keeps its last result: never computed or audited again
        jobs.recompute_deliberation(utcnow() + dt.timedelta(hours=1))
    assert len(_audit("opinion.computed")) == 1
    assert services.stored_opinion(rnd.id).computed_at == final.computed_at
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpinionSnapshot)) >= 1


def test_reading_the_votes_never_blocks_a_vote(make, app):
    rnd, posted, voters, _ = _planted_round(make, per_group=3, comments=4)
    round_id, comment_id, user_id = rnd.id, posted[0].id, voters[0].id
    snapshots._begin_snapshot()
    snapshots.vote_marker(db.session.get(Round, round_id))  # the read transaction is open now
    done, errors = threading.Event(), []

    def cast():
        with app.app_context():
            try:
                from consult.accounts.models import User
                from consult.participation.models import Comment

                vote(db.session.get(User, user_id), db.session.get(Comment, comment_id), -1)
                done.set()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    worker = threading.Thread(target=cast)
    worker.start()
    assert done.wait(30), f"a vote waited on the reading snapshot: {errors}"
    worker.join(30)
    # The snapshot still sees the votes as they were when it began (one moment).
    before = db.session.scalar(
        sa.select(CommentVote.value).where(CommentVote.comment_id == comment_id, CommentVote.user_id == user_id)
    )
    db.session.rollback()
    assert before == 1
    now = db.session.scalar(
        sa.select(CommentVote.value).where(CommentVote.comment_id == comment_id, CommentVote.user_id == user_id)
    )
    assert now == -1


LETTER = (
    "Kami warga Kelurahan Sukamaju meminta agar waktu penyelesaian kartu keluarga dipersingkat menjadi tiga hari "
    "kerja dan persyaratan fotokopi dihapus karena data sudah tersedia secara elektronik di sistem kependudukan."
)


def test_campaigns_are_found_stored_with_what_each_sender_added_and_keep_their_ids(make, client, runner):
    rnd = make.round()
    copies = [
        post_comment(make.user(), rnd, LETTER),
        post_comment(make.user(), rnd, "Salam. " + LETTER),
        post_comment(make.user(), rnd, LETTER + " Anak saya juga kesulitan mengurus akta kelahiran."),
    ]
    distinct = [
        post_comment(make.user(), rnd, "Jam layanan sebaiknya ditambah pada hari Sabtu pagi untuk pekerja."),
        post_comment(make.user(), rnd, "Loket pengaduan perlu papan informasi yang jelas dan mudah dibaca."),
    ]
    result = runner.invoke(args=["campaigns", "detect", str(rnd.id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    [campaign] = data["campaigns"]
    assert campaign["size"] == 3 and sorted(campaign["comment_ids"]) == sorted(c.id for c in copies)
    assert not {c.id for c in distinct} & set(campaign["comment_ids"])
    added = dict(db.session.execute(sa.select(CampaignMember.comment_id, CampaignMember.added_text)).all())
    assert "akta kelahiran" in added[copies[2].id].lower()
    assert client.get(f"/api/v1/rounds/{rnd.id}/campaigns", headers=HOST).get_json()["campaigns"] == data["campaigns"]

    # a new copy while the round is open: the same campaign (same id) grows
    copies.append(post_comment(make.user(), rnd, LETTER.replace("tiga hari", "3 hari") + " Terima kasih."))
    services.refresh_campaigns(rnd.id)
    [grown] = services.campaigns_contract(db.session.get(Round, rnd.id))["campaigns"]
    assert grown["id"] == campaign["id"] and grown["size"] == 4

    # after the close the ids are fixed; a staff request recomputes and keeps them
    _close(rnd.id)
    jobs.recompute_deliberation(utcnow())
    scan = services.campaign_scan(rnd.id)
    assert scan.final
    [entry] = _audit("campaigns.detected")
    assert entry.data["campaigns"] == 1 and entry.data["comments_in_campaigns"] == 4
    jobs.recompute_deliberation(utcnow() + dt.timedelta(hours=1))
    assert len(_audit("campaigns.detected")) == 1
    citizen = make.user()
    import pytest

    from consult.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.refresh_campaigns(rnd.id, force=True, user=citizen)
    moderator = make.user("moderator", db.session.get(Round, rnd.id).agency)
    services.refresh_campaigns(rnd.id, force=True, user=moderator)
    [kept] = db.session.scalars(sa.select(Campaign).where(Campaign.round_id == rnd.id)).all()
    assert kept.id == campaign["id"] and kept.size == 4
    assert _audit("campaigns.detected")[-1].data["on_request"] is True


def test_the_demo_round_has_opinion_groups_and_a_campaign_from_the_start(client):
    from consult.accounts.models import User
    from consult.demo import load_demo
    from consult.demo_content import OPEN_ROUND, SERVICE_STANDARD

    load_demo()
    rnd = db.session.scalar(sa.select(Round).where(Round.title == SERVICE_STANDARD["title"]))
    body = client.get(f"/api/v1/rounds/{rnd.id}/opinion", headers=HOST).get_json()
    assert body["k"] >= 2 and len(body["participants"]) == 24
    agreed_by_all = {text for _, leaning, text in OPEN_ROUND["statements"] if leaning == "+++"}
    from consult.participation.models import Comment

    consensus_texts = {db.session.get(Comment, c["comment_id"]).body for c in body["consensus"][:5]}
    assert len(consensus_texts & agreed_by_all) >= 3
    [campaign] = client.get(f"/api/v1/rounds/{rnd.id}/campaigns", headers=HOST).get_json()["campaigns"]
    assert campaign["size"] == len(OPEN_ROUND["campaign"]["copies"])
    tester = db.session.scalar(sa.select(User).where(User.email == "warga@contoh.example"))
    assert db.session.scalar(sa.select(sa.func.count()).where(CommentVote.user_id == tester.id)) == 0
