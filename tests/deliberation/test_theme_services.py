"""Themes, tagging and the agency's answers: rights, a closed round only, all-or-nothing tagging, counts with a
campaign once, merge, idempotent suggestions, and an audit entry for every change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.deliberation import jobs
from consult.deliberation.models import CommentDisposition, Summary, Theme, ThemeComment, ThemeStatus
from consult.deliberation.services import dispositions, suggestions
from consult.deliberation.services import themes as services
from consult.deliberation.theme_queries import theme_counts
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db, write_transaction
from consult.timeutil import utcnow
from tests.deliberation import theme_world


@pytest.fixture
def w(make):
    return theme_world.build(make)


def _actions(kind: str) -> list[dict]:
    return [e.data for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == kind))]


def _tagged(theme_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(ThemeComment.comment_id).where(ThemeComment.theme_id == theme_id)))


def test_rights_moderators_and_admins_deliberate_only_admins_answer(w):
    assert services.can_deliberate(w.moderator, w.round) and services.can_deliberate(w.site_admin, w.round)
    assert not services.can_deliberate(w.citizen, w.round)
    assert not services.can_deliberate(w.other_admin, w.round)
    assert services.can_answer(w.admin, w.round) and not services.can_answer(w.moderator, w.round)
    with pytest.raises(NotAllowed):
        services.create_theme(w.citizen, w.round, "Jam layanan")
    theme = services.create_theme(w.moderator, w.round, "Jam layanan")
    with pytest.raises(NotAllowed):
        dispositions.set_theme_disposition(w.moderator, theme, "adopted", "Kami perpanjang.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 1


def test_an_open_round_is_409_even_for_staff_and_403_for_a_citizen(make):
    w = theme_world.build(make, closed=False)
    with pytest.raises(NotAllowed):
        services.create_theme(w.citizen, w.round, "Jam layanan")
    with pytest.raises(Conflict) as exc:
        services.create_theme(w.moderator, w.round, "Jam layanan")
    assert "masih dibuka" in str(exc.value.message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 0


def test_a_published_summary_freezes_themes_and_answers(w):
    theme = services.create_theme(w.moderator, w.round, "Jam layanan")
    with write_transaction():
        db.session.add(Summary(round_id=w.round.id, state="published", published_at=utcnow()))
    with pytest.raises(Conflict) as exc:
        services.tag(w.moderator, theme, comment_ids=[w.comments[0].id])
    assert "sudah diterbitkan" in str(exc.value.message)
    with pytest.raises(Conflict):
        dispositions.set_theme_disposition(w.admin, theme, "adopted", "Diterima.")
    assert _tagged(theme.id) == set()


def test_title_is_required_and_at_most_200_characters(w):
    for bad in (None, "", "   ", "x" * 201):
        with pytest.raises(Invalid) as exc:
            services.create_theme(w.moderator, w.round, bad)
        assert "title" in exc.value.fields
    theme = services.create_theme(w.moderator, w.round, "  Jam   layanan ", "**Warga** minta <script>x</script>")
    assert theme.title == "Jam layanan"
    assert "<strong>Warga</strong>" in theme.synthesis_html and "<script>" not in theme.synthesis_html
    assert _actions("theme.created") == [{"round_id": w.round.id, "title": "Jam layanan"}]


def test_tagging_is_all_or_nothing_and_names_the_field(w):
    theme = services.create_theme(w.moderator, w.round, "Layanan")
    good = w.comments[0].id
    for body, name in (
        ({"comment_ids": [good, 999_999]}, "comment_ids"),
        ({"comment_ids": [good, w.foreign.id]}, "comment_ids"),
        ({"comment_ids": []}, "comment_ids"),
        ({"campaign_id": 999_999}, "campaign_id"),
        ({"section_key": "tidak-ada"}, "section_key"),
    ):
        with pytest.raises(Invalid) as exc:
            services.tag(w.moderator, theme, **body)
        assert name in exc.value.fields, body
    assert _tagged(theme.id) == set()  # nothing half-saved
    assert _actions("theme.tagged") == []


def test_tagging_twice_changes_nothing_and_is_audited_once(w):
    theme = services.create_theme(w.moderator, w.round, "Layanan")
    ids = [w.comments[0].id, w.comments[1].id]
    assert services.tag(w.moderator, theme, comment_ids=ids) == 2
    assert services.tag(w.moderator, theme, comment_ids=ids) == 0
    assert _tagged(theme.id) == set(ids)
    assert len(_actions("theme.tagged")) == 1


def test_a_campaign_counts_once_with_all_its_signatures(w):
    theme = services.create_theme(w.moderator, w.round, "Tarif pasar")
    services.tag(w.moderator, theme, campaign_id=w.campaign_id)
    services.tag(w.moderator, theme, comment_ids=[w.comments[0].id])
    assert _tagged(theme.id) == {c.id for c in w.copies} | {w.comments[0].id}
    assert theme_counts(w.round.id)[theme.id] == (2, 4)
    assert _actions("theme.tagged")[0]["campaign_id"] == w.campaign_id


def test_tag_a_whole_section_and_a_comment_in_two_themes(w):
    first = services.create_theme(w.moderator, w.round, "Bagian satu")
    second = services.create_theme(w.moderator, w.round, "Lain")
    key = w.sections[1].key
    services.tag(w.moderator, first, section_key=key)
    in_section = {c.id for c in w.comments if c.section_id == w.sections[1].id}
    assert _tagged(first.id) == in_section
    services.tag(w.moderator, second, comment_ids=[w.comments[0].id])
    assert w.comments[0].id in _tagged(first.id) & _tagged(second.id)
    assert services.untag(w.moderator, first, [w.comments[0].id]) == 1
    assert w.comments[0].id not in _tagged(first.id)


def test_merge_moves_the_union_and_deletes_the_sources(w):
    a = services.create_theme(w.moderator, w.round, "Jam")
    b = services.create_theme(w.moderator, w.round, "Waktu")
    services.tag(w.moderator, a, comment_ids=[w.comments[0].id, w.comments[1].id])
    services.tag(w.moderator, b, comment_ids=[w.comments[1].id, w.comments[2].id])
    b_id = b.id
    services.merge(w.moderator, a, [b])
    assert _tagged(a.id) == {w.comments[0].id, w.comments[1].id, w.comments[2].id}
    assert db.session.get(Theme, b_id) is None
    (entry,) = _actions("theme.merged")
    assert entry["sources"] == [b_id] and entry["added"] == 1


def test_dispositions_need_a_value_and_a_response(w):
    theme = services.create_theme(w.moderator, w.round, "Jam")
    with pytest.raises(Invalid) as exc:
        dispositions.set_theme_disposition(w.admin, theme, "not_adopted", " ")
    assert set(exc.value.fields) == {"response"} and "alasan" in str(exc.value.fields["response"])
    with pytest.raises(Invalid) as exc:
        dispositions.set_theme_disposition(w.admin, theme, "maybe", "Nanti.")
    assert set(exc.value.fields) == {"value"}
    dispositions.set_theme_disposition(w.admin, theme, "partly_adopted", "Sebagian: sampai pukul 19.00.")
    db.session.refresh(theme)
    assert (theme.disposition_value, theme.disposition_by_id) == ("partly_adopted", w.admin.id)
    assert _actions("theme.disposition") == [{"theme_id": theme.id, "value": "partly_adopted"}]
    comment = w.comments[0]
    dispositions.set_comment_disposition(w.admin, comment, "adopted", "Untuk Anda: diterima.")
    dispositions.set_comment_disposition(w.admin, comment, "out_of_scope", "Di luar kewenangan.")
    row = db.session.get(CommentDisposition, comment.id)
    assert (row.value, row.response, row.round_id) == ("out_of_scope", "Di luar kewenangan.", w.round.id)
    assert len(_actions("comment.disposition")) == 2
    assert dispositions.clear_comment_disposition(w.admin, comment)
    assert db.session.get(CommentDisposition, comment.id) is None


def test_suggestions_are_idempotent_collapse_campaigns_and_never_return_rejected(w):
    rows, expand = suggestions.model_input(w.round.id)
    ids = [r[0] for r in rows]
    assert len(ids) == len(w.comments) + 1  # the campaign's three copies are one row …
    stand_in = next(r for r in rows if r[0] in expand)
    assert stand_in[3] == 3.0 and expand[stand_in[0]] == sorted(c.id for c in w.copies)  # … weighing three
    assert suggestions.suggest_once(w.round.id) > 0
    stored = list(db.session.scalars(sa.select(Theme).where(Theme.status == ThemeStatus.SUGGESTED)))
    assert stored and all(t.terms for t in stored)
    assert suggestions.suggest_once(w.round.id) == 0  # once
    assert suggestions.suggest(w.round, user=w.moderator) == []  # again on request: nothing new
    for theme in stored:
        services.reject(w.moderator, theme)
    assert suggestions.suggest(w.round, user=w.moderator) == []  # rejected ones are not suggested again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == len(stored)
    accepted = services.accept(w.moderator, stored[0], "Nama baru")
    assert (accepted.status, accepted.title) == ("accepted", "Nama baru")
    assert len(_actions("themes.suggested")) == 3 and _actions("theme.accepted")


def test_the_job_suggests_once_after_the_final_campaign_scan(w):
    from consult.deliberation.models import CampaignScan

    with write_transaction():
        db.session.add(CampaignScan(round_id=w.round.id, snapshot="x", comment_count=8, final=True))
    assert w.round.id in jobs._suggestions_due(utcnow())
    done = jobs.recompute_deliberation(utcnow())
    assert done["theme_suggestions"] > 0 and done["failed"] == 0
    assert w.round.id not in jobs._suggestions_due(utcnow())
