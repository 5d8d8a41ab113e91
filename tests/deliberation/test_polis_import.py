"""`flask polis import DIR`: a Polis export becomes a closed round of an imported document, all or nothing.

The real export (../shared/data/polis/scoop-hivemind.ubi) is imported through the command as an operator would;
what is stored is compared with what the export says, and every cached counter with COUNT(*).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from consult.accounts.models import User
from consult.accounts.services import authenticate, normalise_email
from consult.agencies.models import Agency
from consult.audit import AuditEntry, verify
from consult.deliberation import importing
from consult.deliberation.polis_export import read_polis_export
from consult.documents.models import Section
from consult.errors import Invalid
from consult.extensions import db
from consult.moderation.models import QueueEntry
from consult.participation.models import Comment, CommentStatus, CommentVote, Participant, SectionStats
from consult.rounds.models import Round, RoundEvent, RoundOrigin, RoundState
from tests.conftest import PASSWORD, shared_file

COMMENTS = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
VOTES = "timestamp,datetime,comment-id,voter-id,vote\n"
EPOCH = dt.datetime(1970, 1, 1)


def message(text: str, **variables) -> str:
    with force_locale("id"):
        return gettext(text, **variables)


def run(runner, *args):
    result = runner.invoke(args=["polis", "import", *map(str, args)])
    db.session.rollback()  # see what the command committed
    return result


def imported(runner, folder, *args) -> Round:
    result = run(runner, folder, *args)
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.stdout.strip().splitlines()
    assert len(lines) > 1  # progress first
    round_id = json.loads(lines[-1])["round_id"]
    return db.session.get(Round, round_id)


def row_counts() -> dict[str, int]:
    db.session.rollback()
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def count(*where, model=Comment) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def assert_counters_match_count(rnd: Round) -> None:
    """Every cached counter the import wrote equals COUNT(*) of what it counts."""
    for comment in db.session.scalars(sa.select(Comment).where(Comment.round_id == rnd.id)):
        for column, value in (("agree_count", 1), ("disagree_count", -1), ("pass_count", 0)):
            expected = count(CommentVote.comment_id == comment.id, CommentVote.value == value, model=CommentVote)
            assert getattr(comment, column) == expected, (comment.external_id, column)
        assert comment.reply_count == count(Comment.parent_id == comment.id)
        assert comment.report_count == 0
    visible = (Comment.round_id == rnd.id, Comment.status == CommentStatus.VISIBLE)
    assert rnd.comment_count == count(*visible)
    stats = db.session.scalars(sa.select(SectionStats).where(SectionStats.round_id == rnd.id)).all()
    assert [s.section_id for s in stats] == [s.id for s in rnd.version.sections]
    for s in stats:
        assert s.comments == count(*visible, Comment.section_id == s.section_id)
        assert s.support == s.oppose == s.neutral == 0


@pytest.fixture
def ubi():
    return shared_file("polis", "scoop-hivemind.ubi")


def test_the_real_export_becomes_a_closed_imported_round_with_its_source(runner, ubi):
    export = read_polis_export(ubi)
    rnd = imported(runner, ubi)
    assert rnd.origin == RoundOrigin.IMPORTED and rnd.state == RoundState.CLOSED
    assert rnd.title == rnd.document.title == "A Universal Basic Income for Aotearoa NZ?"
    assert rnd.agency.slug == importing.AGENCY_SLUG and rnd.document.kind == "policy"
    assert rnd.source_url == "https://pol.is/4yy3sh84js" and rnd.external_id == "4yy3sh84js"
    assert rnd.source_attribution == export.attribution and "CC BY 4.0" in rnd.source_attribution
    # open from the first moment in the export to the last (a comment written before the first vote)
    first = min(min(c.created_ms for c in export.comments), int(export.timestamps.min()))
    assert rnd.opens_at == EPOCH + dt.timedelta(milliseconds=first)
    assert rnd.closes_at == EPOCH + dt.timedelta(milliseconds=int(export.timestamps.max()))
    assert rnd.opened_at == rnd.opens_at  # the scheduler has nothing to announce: both events are recorded
    assert sorted(e.kind for e in db.session.scalars(sa.select(RoundEvent))) == ["closed", "opened"]
    # one published version, one section: the description, the source URL and the attribution
    (section,) = rnd.version.sections
    assert rnd.version.status == "published"
    assert rnd.source_url in section.body and export.attribution in section.body
    assert f'href="{rnd.source_url}"' in section.body_html
    assert "Thankyou to the 234 people" in section.body  # the conversation's own description, quoted


def test_counts_and_external_ids_are_the_exports(runner, ubi):
    export = read_polis_export(ubi)
    rnd = imported(runner, ubi)
    comments = db.session.scalars(sa.select(Comment).where(Comment.round_id == rnd.id)).all()
    assert sorted(int(c.external_id) for c in comments) == [c.comment_id for c in export.comments]  # 71
    people = {int(p.external_id) for p in db.session.scalars(sa.select(Participant))}
    voters = set(export.participant_ids.tolist())
    assert people == voters | {c.author_id for c in export.comments} and len(people) == 234
    assert count(model=Participant) == count(model=User) == 234
    assert count(model=CommentVote) == export.vote_count == 7153  # 7174 rows, repeated pairs counted once
    # each vote is the export's latest vote of that pair, by the same Polis participant on the same comment
    stored = db.session.execute(
        sa.select(Participant.external_id, Comment.external_id, CommentVote.value)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .join(Participant, (Participant.user_id == CommentVote.user_id) & (Participant.round_id == rnd.id))
    ).all()
    expected = zip(export.participant_ids.tolist(), export.comment_ids.tolist(), export.values.tolist(), strict=True)
    assert sorted((int(p), int(c), v) for p, c, v in stored) == sorted(expected)
    # authors are the Polis authors, the texts the export's (sanitised once into body_html)
    author = {int(p.id): int(p.external_id) for p in db.session.scalars(sa.select(Participant))}
    by_id = {c.comment_id: c for c in export.comments}
    for comment in comments:
        source = by_id[int(comment.external_id)]
        assert author[comment.participant_id] == source.author_id
        assert comment.body == source.text.strip() and comment.body_html.startswith("<p>")
        assert comment.created_at == EPOCH + dt.timedelta(milliseconds=source.created_ms)
        assert comment.section_id == rnd.version.sections[0].id and comment.parent_id is None
    pseudonyms = [p.pseudonym for p in db.session.scalars(sa.select(Participant))]
    assert len(set(pseudonyms)) == 234 and all(p.startswith("Warga-") and len(p) == 11 for p in pseudonyms)
    assert_counters_match_count(rnd)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "round.imported"))
    assert entry.subject_id == str(rnd.id) and entry.actor == importing.ACTOR
    assert entry.data["source_url"] == rnd.source_url
    assert (entry.data["comments"], entry.data["participants"], entry.data["votes"], entry.data["hidden"]) == (
        71,
        234,
        7153,
        1,
    )
    assert "invalid" not in entry.data_json  # no address in the public record
    assert verify().ok


def test_a_changed_vote_keeps_when_it_was_first_cast(runner, tmp_path):
    (tmp_path / "comments.csv").write_text(COMMENTS + '1000,x,5,1,0,0,1,"Hello, world"\n', encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES + "2000,x,5,9,1\n3000,x,5,8,0\n4000,x,5,9,-1\n", encoding="utf-8")
    rnd = imported(runner, tmp_path)
    votes = {v.value: v for v in db.session.scalars(sa.select(CommentVote))}
    assert sorted(votes) == [-1, 0]
    at = dt.timedelta(milliseconds=1)
    assert (votes[-1].created_at, votes[-1].updated_at) == (EPOCH + 2000 * at, EPOCH + 4000 * at)
    assert votes[0].created_at == votes[0].updated_at == EPOCH + 3000 * at
    assert (rnd.opens_at, rnd.closes_at) == (EPOCH + 1000 * at, EPOCH + 4000 * at)
    assert rnd.title == rnd.external_id == tmp_path.name  # no summary.csv: the folder names it
    assert count(model=Participant) == 3  # the author (1) and the two voters
    assert_counters_match_count(rnd)


def test_moderated_out_comments_are_hidden_with_a_public_reason_and_never_queued(client, auth, runner, ubi, make):
    rnd = imported(runner, ubi)
    hidden = db.session.scalar(sa.select(Comment).where(Comment.round_id == rnd.id, Comment.external_id == "14"))
    assert hidden.status == CommentStatus.HIDDEN and hidden.hidden_at_source
    assert hidden.moderation_rule is None and hidden.moderation_rule_title == importing.SOURCE_MARK
    assert count(model=QueueEntry) == 0
    assert count(Comment.round_id == rnd.id, Comment.status == CommentStatus.HIDDEN) == 1  # Polis moderated one out
    reason = message(
        "Moderated out in the original Polis conversation, before it was imported here: its text is not shown."
    )
    assert hidden.moderation_reason == reason
    # the public sees the reason in its place, never the text, and no "hidden automatically after reports"
    page = client.get(f"/comments/{hidden.id}").get_data(as_text=True)
    assert reason in page and hidden.body_html not in page
    assert message("Hidden at its source (%(source)s), before it was imported.", source="Polis") in page
    assert message("Hidden automatically after several reports, pending a moderator's review.") not in page
    api = client.get(f"/api/v1/comments/{hidden.id}", headers={"Host": "127.0.0.1:5000"}).get_json()
    assert api["status"] == "hidden" and api["body"] is None
    assert api["moderation"]["automatic"] is False and api["moderation"]["rule_title"] == importing.SOURCE_MARK
    # a moderator of the agency finds nothing in the queue, and the review page does not treat it as auto-hidden
    moderator = make.user("moderator", db.session.scalar(sa.select(Agency).where(Agency.slug == "impor-polis")))
    auth.login(moderator)
    queue = client.get("/kelola/impor-polis/moderasi")
    assert queue.status_code == 200 and f"/moderasi/komentar/{hidden.id}" not in queue.get_data(as_text=True)
    review = client.get(f"/kelola/impor-polis/moderasi/komentar/{hidden.id}").get_data(as_text=True)
    assert reason in review
    automatic = "It was hidden automatically after reports. Cite the rule it breaks; the notice will show it."
    assert message(automatic) not in review


def test_the_imported_people_can_never_log_in(client, runner, ubi):
    imported(runner, ubi)
    users = db.session.scalars(sa.select(User)).all()
    assert len(users) == 234
    for user in users:
        assert not user.is_active_account and user.email_confirmed_at is None
        assert user.email.endswith("@impor-polis.invalid") and not user.is_verified and not user.is_admin
    user = users[0]
    for password in ("", PASSWORD, user.password_hash, user.password_hash[1:]):
        assert authenticate(user.email, password) is None
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code != 303  # the login form again, nobody logged in
    with pytest.raises(Invalid):  # nobody can register such an address: no import can collide with a person
        normalise_email(user.email)


def test_the_round_page_shows_the_source_link_and_the_attribution(client, runner, ubi):
    rnd = imported(runner, ubi)
    page = client.get(f"/rounds/{rnd.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<a href="{rnd.source_url}" rel="external nofollow noopener">{rnd.source_url}</a>' in html
    assert rnd.source_attribution.replace("'", "&#39;") in html
    notice = "Imported from another platform: the statements and votes of this consultation were gathered there."
    assert message(notice) in html
    english = client.get(f"/rounds/{rnd.id}?lang=en").get_data(as_text=True)
    assert "Imported from another platform" in english and rnd.source_attribution in english


def test_rounds_list_shows_the_imported_round_closed(runner, ubi):
    rnd = imported(runner, ubi)
    result = runner.invoke(args=["rounds", "list"])
    listed = json.loads(result.stdout.strip().splitlines()[-1])
    assert [(r["id"], r["state"], r["agency"]) for r in listed] == [(rnd.id, "closed", "impor-polis")]


def test_an_agency_can_be_named_and_the_dedicated_agency_is_made_once(runner, ubi, make):
    agency = make.agency(slug="dinas-kominfo")
    rnd = imported(runner, ubi, "--agency", "dinas-kominfo")
    assert rnd.agency_id == agency.id
    first, second = imported(runner, ubi), imported(runner, ubi)
    assert first.agency_id == second.agency_id and first.agency.name == importing.AGENCY_NAME
    assert count(Agency.slug == "impor-polis", model=Agency) == 1
    assert count(AuditEntry.action == "agency.created", model=AuditEntry) == 2  # dinas-kominfo and impor-polis
    assert count(model=User) == 3 * 234  # each import has its own people: addresses carry the round's id
    for rnd in (first, second):
        assert_counters_match_count(rnd)


def test_an_unknown_agency_is_refused_and_nothing_is_written(runner, ubi):
    before = row_counts()
    result = run(runner, ubi, "--agency", "tidak-ada")
    assert result.exit_code == 1
    assert message("There is no agency with the short name %(slug)s.", slug="tidak-ada") in result.stderr
    assert row_counts() == before


def test_participants_votes_alone_gives_placeholder_texts_and_the_import_time(runner, tmp_path):
    (tmp_path / "participants-votes.csv").write_text(
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,3\n0,1,0,2,1,1,1,-1,\n1,,0,1,0,0,,,0\n",
        encoding="utf-8",
    )
    rnd = imported(runner, tmp_path)
    assert rnd.state == RoundState.CLOSED and rnd.closes_at - rnd.opens_at == dt.timedelta(seconds=1)
    placeholder = message("The text of this statement is not in the Polis export (it came without comments.csv).")
    comments = db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()
    assert [c.external_id for c in comments] == ["0", "1", "3"] and {c.body for c in comments} == {placeholder}
    # Polis did not say who wrote them: one participant without a Polis id stands for the unknown author
    people = sorted((p.external_id or "") for p in db.session.scalars(sa.select(Participant)))
    assert people == ["", "0", "1"]
    assert count(model=CommentVote) == 3
    assert all(v.created_at == rnd.closes_at for v in db.session.scalars(sa.select(CommentVote)))
    assert_counters_match_count(rnd)


def test_an_empty_folder_is_refused_and_nothing_is_written(runner, tmp_path):
    before = row_counts()
    result = run(runner, tmp_path)
    assert result.exit_code == 1
    assert "votes.csv" in result.stderr and "participants-votes.csv" in result.stderr
    assert "round_id" not in result.stdout
    assert row_counts() == before


@pytest.mark.parametrize(
    ("votes", "where"),
    [
        ("1,x,5,9,1\n2,x,5,8,x\n", "votes.csv line 3: vote must be an integer"),
        ("1,x,5,9,1\n2,x,5,8,7\n", "votes.csv line 3: vote must be 1, -1 or 0"),
        ("1,x,5,9,1\n2,x,5\n", "votes.csv line 3: expected 5 columns, found 3"),
        ("1,x,5,9,1\n2,x,6,8,1\n", "votes.csv line 3: comment-id 6 is not in comments.csv"),
    ],
)
def test_a_bad_line_is_named_with_its_file_and_nothing_is_written(runner, tmp_path, votes, where):
    (tmp_path / "comments.csv").write_text(COMMENTS + "1,x,5,1,0,0,1,Hello\n", encoding="utf-8")
    (tmp_path / "votes.csv").write_text(VOTES + votes, encoding="utf-8")
    before = row_counts()
    result = run(runner, tmp_path)
    assert result.exit_code == 1
    assert where in result.stderr, result.stderr
    assert row_counts() == before


def test_a_failure_while_writing_leaves_nothing_half_imported(runner, ubi, monkeypatch):
    """All or nothing: the agency, document, round, people and comments are already written when the votes fail."""
    calls = []
    real = importing.write_rows

    def failing(table, *args, **kwargs):
        calls.append(table)
        if table == "comment_votes":
            raise RuntimeError("disk full")
        return real(table, *args, **kwargs)

    monkeypatch.setattr(importing, "write_rows", failing)
    before = row_counts()
    result = run(runner, ubi)
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert calls == ["users", "participants", "comments", "comment_votes"]
    assert row_counts() == before


def test_the_service_imports_for_a_site_admin_and_records_them(make, ubi):
    admin = make.user("admin")
    rnd = importing.import_polis_export(read_polis_export(ubi), actor=admin)
    assert rnd.created_by_id == admin.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "round.imported"))
    assert entry.actor == f"user:{admin.id}"
    assert db.session.get(Section, rnd.version.sections[0].id).key == "tentang-percakapan-ini"
    assert np.all(np.array([s.comments for s in db.session.scalars(sa.select(SectionStats))]) == 70)


def test_an_imported_round_is_computed_at_import_in_polis_ids_and_left_alone_by_the_job(client, runner, ubi):
    from consult.deliberation import jobs, services
    from consult.deliberation.opinion import adjusted_rand_index
    from consult.timeutil import utcnow

    export = read_polis_export(ubi)
    rnd = imported(runner, ubi)
    stored = services.stored_opinion(rnd.id)
    assert stored is not None and stored.k >= 2 and services.is_final(rnd, stored)
    body = client.get(f"/api/v1/rounds/{rnd.id}/opinion", headers={"Host": "127.0.0.1:5000"}).get_json()
    polis_participants = {int(p) for p in export.participant_ids}
    polis_comments = {c.comment_id for c in export.comments}
    assert body["final"] and all(isinstance(p["participant"], int) for p in body["participants"])
    assert {p["participant"] for p in body["participants"]} <= polis_participants
    assert {c["comment_id"] for c in body["consensus"] + body["divisive"]} <= polis_comments
    assert services.campaign_scan(rnd.id).final
    # every comment is on the conversation's one section: its result is the whole round's, copied, not recomputed
    [key] = services.sections_with_comments(rnd.id)
    section_result = services.stored_opinion(rnd.id, key)
    assert section_result.contract == stored.contract and section_result.snapshot == stored.snapshot
    actions = [e.action for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.subject_id == str(rnd.id)))]
    assert "opinion.computed" in actions and "campaigns.detected" in actions
    # the job does not compute it again
    before = stored.computed_at
    jobs.recompute_deliberation(utcnow())
    assert services.stored_opinion(rnd.id).computed_at == before
    # Read back from the database, the votes give the same groups as the pure computation on the export itself
    # (how close both are to Polis's published groups is measured in benchmarks/polis_agreement.py).
    from consult.deliberation.opinion import compute_opinion
    from consult.deliberation.polis_export import export_votes

    direct = compute_opinion(export_votes(export), excluded_comment_ids=export.moderated_out)
    ours = {p["participant"]: p["group"] for p in body["participants"]}
    theirs = {int(p.participant): p.group for p in direct.participants}
    assert set(ours) == set(theirs) and direct.k == body["k"]
    people = sorted(ours)
    assert adjusted_rand_index([ours[p] for p in people], [theirs[p] for p in people]) == pytest.approx(1.0)
