"""Moderation: house rules, hiding and restoring with a rule and a reason, dismissing reports, the auto-hide
after N open reports, the queue, appeals, blocks, the public log (HTML and API) and the audit chain.

Permissions by role are in tests/architecture/test_permissions.py; the leak test is
tests/moderation/test_moderation_leaks.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from consult import audit
from consult.accounts.models import User
from consult.accounts.services import create_api_token
from consult.agencies.models import Agency
from consult.audit import AuditEntry
from consult.db import digest
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed
from consult.extensions import db, write_transaction
from consult.moderation import queries, services
from consult.moderation.models import Appeal, HouseRule, ModerationAction, ModeratorAlias, QueueEntry
from consult.participation import services as participation
from consult.participation.models import Block, Comment, Report
from consult.rounds.models import Round
from consult.timeutil import utcnow
from tests.conftest import PASSWORD, needs_postgres_server, postgres_variant
from tests.participation.test_participation import counter_mismatches
from tests.processes import run_workers

RULES = [
    ("Hormati sesama peserta", "Tanpa hinaan atau pelecehan."),
    ("Jangan menyebarkan data pribadi orang lain", "NIK, alamat, nomor telepon."),
    ("Tetap pada pokok bahasan", ""),
]


@dataclass
class World:
    """Agency A with three house rules and an open round; agency B with its own moderator and round."""

    agency_id: int
    other_agency_id: int
    round_id: int
    other_round_id: int
    section_id: int
    moderator: User
    second_moderator: User
    agency_admin: User
    other_moderator: User
    author: User
    citizens: list[User]
    observer: User

    @property
    def agency(self) -> Agency:
        return db.session.get(Agency, self.agency_id)

    @property
    def round(self) -> Round:
        return db.session.get(Round, self.round_id)

    def comment(self, text: str = "Komentar yang dilaporkan.", user: User | None = None, **kwargs) -> Comment:
        kwargs.setdefault("section_id", self.section_id)
        return participation.post_comment(user or self.author, self.round, text, **kwargs)


@pytest.fixture
def world(make) -> World:
    return build_world(make)


def build_world(make) -> World:
    agency, other = make.agency(slug="dinas-a"), make.agency(slug="dinas-b")
    for title, body in RULES:
        services.add_rule("test", agency, title, body)
    services.add_rule("test", other, "Aturan dinas B")
    rnd, other_round = make.round(agency), make.round(other)
    return World(
        agency_id=agency.id,
        other_agency_id=other.id,
        round_id=rnd.id,
        other_round_id=other_round.id,
        section_id=rnd.version.sections[1].id,
        moderator=make.user("moderator", agency, name="Budi Moderator"),
        second_moderator=make.user("moderator", agency, name="Sri Moderator"),
        agency_admin=make.user("agency_admin", agency, name="Rina Pengelola"),
        other_moderator=make.user("moderator", other, name="Moderator Lain"),
        author=make.user(verified=True, name="Penulis Komentar", email="penulis@example.org"),
        citizens=[make.user(verified=True) for _ in range(5)],
        observer=make.user("observer"),
    )


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def report(world: World, comment: Comment, n: int = 1, start: int = 0) -> None:
    for citizen in world.citizens[start : start + n]:
        participation.report_comment(citizen, fresh(Comment, comment.id), "Menghina warga lain.")


def open_reports(comment_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(
        sa.select(sa.func.count()).where(Report.comment_id == comment_id, Report.handled_at.is_(None))
    )


def actions(comment_id: int | None = None) -> list[ModerationAction]:
    db.session.rollback()
    query = sa.select(ModerationAction).order_by(ModerationAction.id)
    if comment_id is not None:
        query = query.where(ModerationAction.comment_id == comment_id)
    return list(db.session.scalars(query))


def audit_entries(prefix: str = "") -> list[AuditEntry]:
    db.session.rollback()
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.seq))
    )


def queue_mismatches() -> dict:
    """Every queue row whose count differs from COUNT(*) of the comment's open reports, and every comment with
    open reports but no queue row."""
    db.session.rollback()
    counted = dict(
        db.session.execute(
            sa.select(Report.comment_id, sa.func.count()).where(Report.handled_at.is_(None)).group_by(Report.comment_id)
        ).all()
    )
    cached = {e.comment_id: e.open_reports for e in db.session.scalars(sa.select(QueueEntry))}
    return {
        cid: (cached.get(cid), counted.get(cid))
        for cid in set(counted) | set(cached)
        if cached.get(cid) != counted.get(cid)
    }


def said(exc) -> str:
    return str(exc.value.message)


# --- house rules --------------------------------------------------------------------------------------------


def test_house_rules_are_numbered_and_a_number_is_never_reused(world):
    agency = world.agency
    rules = services.house_rules(agency.id)
    assert [(r.number, r.title) for r in rules] == [(1, RULES[0][0]), (2, RULES[1][0]), (3, RULES[2][0])]
    services.retire_rule(world.agency_admin, rules[2])
    added = services.add_rule(world.agency_admin, fresh(Agency, agency.id), "Tanpa spam dan iklan", "Promosi dilarang.")
    assert added.number == 4
    assert [r.number for r in services.house_rules(agency.id)] == [1, 2, 4]
    assert [r.number for r in services.house_rules(agency.id, include_retired=True)] == [1, 2, 3, 4]
    services.update_rule(world.agency_admin, fresh(HouseRule, rules[0].id), "Hormati semua orang", "*Selalu*.")
    changed = fresh(HouseRule, rules[0].id)
    assert (changed.number, changed.title, changed.body_html) == (1, "Hormati semua orang", "<p><em>Selalu</em>.</p>")
    assert [e.action for e in audit_entries("house_rule.")][-3:] == [
        "house_rule.retired",
        "house_rule.added",
        "house_rule.changed",
    ]
    assert json.loads(audit_entries("house_rule.retired")[0].data_json) == {"agency": "dinas-a", "number": 3}


def test_a_retired_rule_cannot_be_cited(world):
    comment = world.comment()
    services.retire_rule(world.agency_admin, services.house_rules(world.agency_id)[1])
    with pytest.raises(Invalid) as exc:
        services.hide_comment(world.moderator, comment, 2, "Memuat alamat rumah warga.")
    assert "rule" in exc.value.fields


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("", "isi", "title"), ("x" * 121, "", "title"), ("Judul", "x" * 1001, "body")],
)
def test_house_rule_input_is_checked(world, title, body, field):
    with pytest.raises(Invalid) as exc:
        services.add_rule(world.agency_admin, world.agency, title, body)
    assert set(exc.value.fields) == {field}


def test_only_agency_admins_edit_house_rules(world):
    rule = services.house_rules(world.agency_id)[0]
    for user in (world.moderator, world.other_moderator, world.citizens[0], world.observer):
        with pytest.raises(NotAllowed):
            services.add_rule(user, world.agency, "Aturan baru")
        with pytest.raises(NotAllowed):
            services.update_rule(user, rule, "Judul lain")
        with pytest.raises(NotAllowed):
            services.retire_rule(user, rule)
        with pytest.raises(NotAllowed):
            services.set_auto_hide_threshold(user, world.agency, 5)


@pytest.mark.parametrize("value", ["0", "101", "dua", "", "2.5", "٣", True, None])
def test_the_auto_hide_threshold_is_a_whole_number_from_1_to_100(world, value):
    with pytest.raises(Invalid):
        services.set_auto_hide_threshold(world.agency_admin, world.agency, value)
    assert fresh(Agency, world.agency_id).auto_hide_threshold == 3


def test_the_auto_hide_threshold_defaults_to_3_and_changes_are_audited(world):
    assert world.agency.auto_hide_threshold == 3
    services.set_auto_hide_threshold(world.agency_admin, world.agency, "5")
    assert fresh(Agency, world.agency_id).auto_hide_threshold == 5
    (entry,) = audit_entries("agency.auto_hide")
    assert entry.data == {"before": 3, "after": 5} and entry.actor == f"user:{world.agency_admin.id}"


def test_the_public_house_rules_page_is_linked_from_the_round_page(client, world):
    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert "/instansi/dinas-a/aturan" in html and f"/rounds/{world.round_id}/moderasi" in html
    page = client.get("/instansi/dinas-a/aturan")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="aturan-2"' in text and RULES[1][0] in text and "NIK, alamat, nomor telepon." in text
    assert "Aturan dinas B" not in text
    assert client.get("/instansi/tidak-ada/aturan").status_code == 404


def test_agency_admin_edits_rules_and_threshold_through_the_pages(client, auth, world):
    auth.login(world.agency_admin)
    assert client.get("/kelola/dinas-a/aturan").status_code == 200
    response = client.post("/kelola/dinas-a/aturan", data={"new-title": "Tanpa spam", "new-body": "Iklan dilarang."})
    assert response.status_code == 303
    assert [r.title for r in services.house_rules(world.agency_id)][-1] == "Tanpa spam"
    rule = services.house_rules(world.agency_id)[0]
    response = client.post(
        f"/kelola/dinas-a/aturan/{rule.id}", data={f"rule-{rule.id}-title": "", f"rule-{rule.id}-body": ""}
    )
    assert response.status_code == 422 and f'id="rule-{rule.id}-title-error"' in response.get_data(as_text=True)
    response = client.post(
        f"/kelola/dinas-a/aturan/{rule.id}", data={f"rule-{rule.id}-title": "Santun", f"rule-{rule.id}-body": ""}
    )
    assert response.status_code == 303 and fresh(HouseRule, rule.id).title == "Santun"
    assert client.post(f"/kelola/dinas-a/aturan/{rule.id}/cabut").status_code == 303
    assert fresh(HouseRule, rule.id).retired_at is not None
    response = client.post("/kelola/dinas-a/aturan/ambang", data={"threshold": "0"})
    assert response.status_code == 422 and 'id="threshold-error"' in response.get_data(as_text=True)
    assert client.post("/kelola/dinas-a/aturan/ambang", data={"threshold": "4"}).status_code == 303
    assert fresh(Agency, world.agency_id).auto_hide_threshold == 4
    other_rule = services.house_rules(world.other_agency_id)[0]
    assert client.post(f"/kelola/dinas-a/aturan/{other_rule.id}/cabut").status_code == 404


# --- hide, restore, dismiss ---------------------------------------------------------------------------------


def test_hiding_a_comment_cites_the_rule_and_reason_and_keeps_its_place(client, world):
    comment = world.comment("Nomor HP tetangga saya 0812-0000-0000.")
    other = world.comment("Komentar lain yang sopan.")
    report(world, comment, 2)
    before = fresh(Round, world.round_id).comment_count
    services.hide_comment(world.moderator, fresh(Comment, comment.id), "2", "Memuat nomor telepon orang lain.")

    hidden = fresh(Comment, comment.id)
    assert hidden.status == "hidden" and hidden.hidden_at is not None
    assert (hidden.moderation_rule, hidden.moderation_rule_title) == (2, RULES[1][0])
    assert hidden.moderation_reason == "Memuat nomor telepon orang lain."
    assert fresh(Round, world.round_id).comment_count == before - 1
    assert counter_mismatches() == {}
    assert open_reports(comment.id) == 0 and queue_mismatches() == {}
    assert queries.queue_size(world.agency_id) == 0

    (action,) = actions(comment.id)
    assert (action.action, action.rule_number, action.rule_title) == ("hide", 2, RULES[1][0])
    assert re.fullmatch(r"Moderator-[A-Z2-9]{5}", action.moderator)
    (entry,) = audit_entries("comment.hidden")
    assert entry.actor == action.moderator and entry.subject_id == str(comment.id)
    assert entry.data["body_sha256"] == digest("Nomor HP tetangga saya 0812-0000-0000.")
    assert entry.data["reports_handled"] == 2 and entry.data["rule"] == 2
    assert "0812" not in entry.data_json
    assert audit.verify().ok

    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert "0812-0000-0000" not in html and "Komentar lain yang sopan." in html
    assert f'id="c{comment.id}"' in html and f'id="c{other.id}"' in html
    assert "Disembunyikan oleh moderator:" in html and "aturan 2" in html and "Memuat nomor telepon orang lain." in html
    assert "/instansi/dinas-a/aturan#aturan-2" in html


def test_restoring_shows_the_comment_again_and_counts_it(client, world):
    comment = world.comment("Pendapat yang tajam tapi sah.")
    services.hide_comment(world.moderator, comment, 1, "Nada menghina.")
    services.restore_comment(world.second_moderator, fresh(Comment, comment.id), 1, "Kritik tajam, tidak menghina.")
    restored = fresh(Comment, comment.id)
    assert restored.status == "visible" and restored.moderation_rule is None and restored.hidden_at is None
    assert counter_mismatches() == {}
    assert [a.action for a in actions(comment.id)] == ["hide", "restore"]
    assert "Pendapat yang tajam tapi sah." in client.get(f"/comments/{comment.id}").get_data(as_text=True)
    with pytest.raises(Conflict):
        services.restore_comment(world.moderator, restored, 1, "Lagi.")


def test_hide_and_restore_need_a_known_rule_and_a_reason(world):
    comment = world.comment()
    with pytest.raises(Invalid) as exc:
        services.hide_comment(world.moderator, comment, None, "")
    assert set(exc.value.fields) == {"rule", "reason"}
    for rule in (9, "9", "x", "1.5", -1, 1.0, True, [1], {"n": 1}):
        with pytest.raises(Invalid) as exc:
            services.hide_comment(world.moderator, comment, rule, "Alasan yang cukup.")
        assert set(exc.value.fields) == {"rule"}, rule
    with pytest.raises(Invalid) as exc:
        services.hide_comment(world.moderator, comment, 1, "  ")
    assert set(exc.value.fields) == {"reason"}
    with pytest.raises(Invalid):
        services.hide_comment(world.moderator, comment, 1, "x" * 1001)
    assert actions() == [] and fresh(Comment, comment.id).status == "visible"


def test_a_rule_of_another_agency_is_unknown(world):
    comment = world.comment()
    with write_transaction():
        db.session.execute(sa.delete(HouseRule).where(HouseRule.agency_id == world.agency_id, HouseRule.number == 1))
    with pytest.raises(Invalid) as exc:
        services.hide_comment(world.moderator, comment, 1, "Aturan dinas B berlaku?")
    assert "rule" in exc.value.fields


def test_withdrawn_and_already_hidden_comments_cannot_be_hidden(world):
    withdrawn = participation.withdraw_comment(world.author, world.comment())
    with pytest.raises(Conflict):
        services.hide_comment(world.moderator, withdrawn, 1, "Terlambat.")
    comment = world.comment()
    services.hide_comment(world.moderator, comment, 1, "Menghina.")
    with pytest.raises(Conflict):
        services.hide_comment(world.second_moderator, fresh(Comment, comment.id), 2, "Lagi.")


def test_dismissing_reports_keeps_the_comment_visible_and_is_logged(world):
    comment = world.comment("Kritik keras pada petugas loket.")
    report(world, comment, 2)
    services.dismiss_reports(world.moderator, fresh(Comment, comment.id), "Kritik pada layanan, bukan hinaan.")
    assert fresh(Comment, comment.id).status == "visible"
    assert open_reports(comment.id) == 0 and queries.queue_size(world.agency_id) == 0
    (action,) = actions(comment.id)
    assert action.action == "dismiss" and action.rule_number is None
    assert audit_entries("comment.reports_dismissed")[0].data["reports_handled"] == 2
    with pytest.raises(Conflict):  # nothing left to dismiss
        services.dismiss_reports(world.moderator, fresh(Comment, comment.id), "Lagi.")
    with pytest.raises(Invalid):
        services.dismiss_reports(world.moderator, fresh(Comment, comment.id), "")


def test_a_reply_can_be_hidden_and_its_section_count_follows(world):
    top = world.comment("Komentar induk.")
    reply = world.comment("Balasan yang menghina.", user=world.citizens[0], parent_id=top.id)
    services.hide_comment(world.moderator, reply, 1, "Menghina penulis komentar induk.")
    assert counter_mismatches() == {}
    services.restore_comment(world.moderator, fresh(Comment, reply.id), 1, "Setelah ditinjau, tidak menghina.")
    assert counter_mismatches() == {}


def test_counters_equal_count_after_random_hides_restores_and_withdrawals(world):
    import random

    rng = random.Random(4)
    comments = [world.comment(f"Komentar {i}", user=[world.author, *world.citizens][i % 6]) for i in range(12)]
    comments += [world.comment(f"Balasan {i}", parent_id=comments[i].id, user=world.citizens[0]) for i in range(4)]
    for _ in range(60):
        c = fresh(Comment, rng.choice(comments).id)
        choice = rng.random()
        try:
            if choice < 0.45:
                services.hide_comment(world.moderator, c, rng.randint(1, 3), "Acak: disembunyikan.")
            elif choice < 0.9:
                services.restore_comment(world.moderator, c, 1, "Acak: dipulihkan.")
            else:
                author = db.session.get(User, c.author_id)
                participation.withdraw_comment(author, c)
        except Conflict:
            pass
    assert counter_mismatches() == {}
    assert audit.verify().ok


# --- the auto-hide ------------------------------------------------------------------------------------------


def test_a_comment_reaching_the_threshold_is_hidden_automatically_pending_review(client, world):
    comment = world.comment("Komentar yang banyak dilaporkan.")
    report(world, comment, 2)
    assert fresh(Comment, comment.id).status == "visible"
    report(world, comment, 1, start=2)
    hidden = fresh(Comment, comment.id)
    assert hidden.status == "hidden" and hidden.moderation_rule is None
    assert "3 laporan" in hidden.moderation_reason
    assert counter_mismatches() == {}
    (action,) = actions(comment.id)
    assert (action.action, action.moderator, action.moderator_id) == ("auto_hide", "sistem", None)
    (entry,) = audit_entries("comment.auto_hidden")
    assert entry.actor == "system" and entry.data["open_reports"] == 3 and entry.data["threshold"] == 3
    # it stays in the queue, with its reports open, until a moderator decides
    assert open_reports(comment.id) == 3 and queue_mismatches() == {}
    (item,) = queries.queue_page(world.agency_id).items
    assert item.comment.id == comment.id and item.entry.open_reports == 3
    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert "Komentar yang banyak dilaporkan." not in html and "menunggu tinjauan moderator" in html
    # the moderator confirms it, citing a rule: the notice now cites it and the queue is empty
    services.hide_comment(world.moderator, fresh(Comment, comment.id), 1, "Menghina warga lain.")
    confirmed = fresh(Comment, comment.id)
    assert (confirmed.status, confirmed.moderation_rule) == ("hidden", 1)
    assert queries.queue_size(world.agency_id) == 0 and counter_mismatches() == {}
    assert [a.action for a in actions(comment.id)] == ["auto_hide", "hide"]


def _aged(user: User, *, days: int = 8, took_part_days_ago: int | None = 2) -> User:
    """Make `user` an account `days` old that took part in a round `took_part_days_ago` days ago (or never)."""
    from consult.participation.models import Participant

    with write_transaction():
        row = db.session.get(User, user.id)
        row.created_at = utcnow() - dt.timedelta(days=days)
        if took_part_days_ago is not None:
            elsewhere = db.session.scalar(sa.select(Round.id).order_by(Round.id).limit(1))
            db.session.add(
                Participant(
                    round_id=elsewhere,
                    user_id=row.id,
                    pseudonym=f"Warga-T{row.id:04d}"[:11],
                    created_at=utcnow() - dt.timedelta(days=took_part_days_ago),
                )
            )
    return fresh(User, user.id)


def test_three_fresh_accounts_from_one_address_cannot_hide_a_comment(client, world, make):
    """The probe's attack: three unverified accounts registered a minute ago, one address, threshold 3."""
    comment = world.comment("Kritik tajam yang tidak disukai sebagian orang.")
    sybils = [make.user() for _ in range(3)]
    for sybil in sybils:
        client.post("/logout")
        client.post("/login", data={"email": sybil.email, "password": PASSWORD})
        response = client.post(f"/comments/{comment.id}/laporkan", data={"reason": "Menghina warga lain."})
        assert response.status_code == 303
    assert fresh(Comment, comment.id).status == "visible"
    assert actions(comment.id) == []
    # the moderators see all three reports in their queue all the same
    assert open_reports(comment.id) == 3
    (item,) = queries.queue_page(world.agency_id).items
    assert item.entry.open_reports == 3
    assert [r.carries_weight for r in db.session.scalars(sa.select(Report).filter_by(comment_id=comment.id))] == [
        False,
        False,
        False,
    ]


def test_reports_count_towards_the_auto_hide_only_from_accounts_with_age_and_earlier_participation(world, make):
    comment = world.comment()
    new_account = make.user()
    old_but_never_took_part = _aged(make.user(), took_part_days_ago=None)
    old_took_part_just_now = _aged(make.user(), took_part_days_ago=0)
    for user in (new_account, old_but_never_took_part, old_took_part_just_now):
        participation.report_comment(user, fresh(Comment, comment.id), "Menghina.", address=f"10.0.0.{user.id}")
    assert fresh(Comment, comment.id).status == "visible"
    assert services.weighty_report_count(comment.id) == 0
    regulars = [_aged(make.user()) for _ in range(3)]
    for i, user in enumerate(regulars):
        participation.report_comment(user, fresh(Comment, comment.id), "Menghina.", address=f"10.0.1.{i}")
    assert fresh(Comment, comment.id).status == "hidden"
    (entry,) = audit_entries("comment.auto_hidden")
    assert (entry.data["open_reports"], entry.data["weighty_reports"], entry.data["threshold"]) == (6, 3, 3)


def test_unverified_reporters_at_one_address_count_once_and_verified_ones_each(world, make):
    comment = world.comment()
    for _ in range(4):  # four established accounts behind one internet cafe's address
        participation.report_comment(_aged(make.user()), fresh(Comment, comment.id), "Spam.", address="203.0.113.7")
    assert services.weighty_report_count(comment.id) == 1
    assert fresh(Comment, comment.id).status == "visible"
    # verified citizens, whom the agency knows, count each, even at one service counter
    participation.report_comment(world.citizens[0], fresh(Comment, comment.id), "Spam.", address="203.0.113.7")
    assert services.weighty_report_count(comment.id) == 2
    participation.report_comment(world.citizens[1], fresh(Comment, comment.id), "Spam.", address="203.0.113.7")
    assert fresh(Comment, comment.id).status == "hidden"


def test_report_addresses_are_stored_only_as_keyed_hashes(world, make):
    comment = world.comment()
    participation.report_comment(world.citizens[0], fresh(Comment, comment.id), "Spam.", address="198.51.100.23")
    (row,) = db.session.scalars(sa.select(Report).filter_by(comment_id=comment.id))
    assert row.address_key and len(row.address_key) == 32 and "198.51.100.23" not in row.address_key
    assert row.address_key == participation.address_key("198.51.100.23") != participation.address_key("198.51.100.24")


def test_the_house_rules_page_publishes_who_can_hide_a_comment_automatically(client, world):
    html = client.get("/instansi/dinas-a/aturan").get_data(as_text=True)
    assert "terverifikasi" in html and "7 hari" in html and "alamat jaringan" in html


def test_the_author_is_told_by_e_mail_of_each_hide_and_restore_with_rule_and_reason_never_the_text(world):
    from consult.notifications.models import OutboxMessage

    comment = world.comment("Teks rahasia 7Q4Z yang disembunyikan.")
    author_id = comment.author_id
    report(world, comment, 3)  # auto-hidden at the threshold
    services.hide_comment(world.moderator, fresh(Comment, comment.id), 2, "Memuat data pribadi orang lain.")
    services.restore_comment(world.second_moderator, fresh(Comment, comment.id), 2, "Data itu sudah umum.")
    services.hide_comment(world.moderator, fresh(Comment, comment.id), 1, "Nada menghina.")

    mails = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.kind for m in mails] == ["comment_hidden", "comment_hidden", "comment_restored", "comment_hidden"]
    assert {m.user_id for m in mails} == {author_id}
    assert len({m.dedupe_key for m in mails}) == 4  # each decision its own mail, even the same action twice
    assert "Memuat data pribadi orang lain." in mails[1].body_text and f"2. {RULES[1][0]}" in mails[1].body_text
    assert "Nada menghina." in mails[3].body_text and f"1. {RULES[0][0]}" in mails[3].body_text
    assert "3 laporan" in mails[0].body_text  # the automatic hide: its reason, no rule yet
    for mail in mails:
        assert "7Q4Z" not in mail.body_text and "7Q4Z" not in mail.subject


def test_a_decision_that_fails_sends_no_e_mail(world):
    from consult.notifications.models import OutboxMessage

    comment = world.comment()
    with pytest.raises(Invalid):
        services.hide_comment(world.moderator, comment, 99, "Aturan yang tidak ada.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_the_threshold_is_the_agencys_setting(world):
    services.set_auto_hide_threshold(world.agency_admin, world.agency, 1)
    comment = world.comment()
    report(world, comment, 1)
    assert fresh(Comment, comment.id).status == "hidden"
    other = participation.post_comment(world.author, fresh(Round, world.other_round_id), "Di dinas B.")
    report(world, other, 2)
    assert fresh(Comment, other.id).status == "visible"  # dinas B keeps the default of 3


def test_a_moderator_restores_an_auto_hidden_comment(world):
    comment = world.comment("Kritik yang dilaporkan beramai-ramai.")
    report(world, comment, 3)
    services.restore_comment(
        world.moderator, fresh(Comment, comment.id), 3, "Sesuai pokok bahasan; laporan tidak berdasar."
    )
    assert fresh(Comment, comment.id).status == "visible"
    assert open_reports(comment.id) == 0 and queries.queue_size(world.agency_id) == 0
    assert counter_mismatches() == {}
    # new reports bring it back to the queue, counted from zero
    report(world, comment, 1, start=3)
    assert queries.queue_page(world.agency_id).items[0].entry.open_reports == 1 and queue_mismatches() == {}


def test_dismissing_is_refused_for_a_hidden_comment(world):
    comment = world.comment()
    report(world, comment, 3)
    with pytest.raises(Conflict):
        services.dismiss_reports(world.moderator, fresh(Comment, comment.id), "Tetap tampil.")


# --- the queue ---------------------------------------------------------------------------------------------


def _age_reports(comment_id: int, minutes_ago: int) -> None:
    """Move a comment's reports (and its queue row) into the past: the queue's "oldest first" needs times apart."""
    at = utcnow() - dt.timedelta(minutes=minutes_ago)
    with write_transaction():
        db.session.execute(sa.update(Report).where(Report.comment_id == comment_id).values(created_at=at))
        db.session.execute(
            sa.update(QueueEntry)
            .where(QueueEntry.comment_id == comment_id)
            .values(first_report_at=at, last_report_at=at)
        )


def test_the_queue_shows_most_open_reports_first_then_the_longest_waiting(world):
    services.set_auto_hide_threshold(world.agency_admin, world.agency, 10)
    plan = [(1, 50), (2, 10), (2, 40), (1, 90), (3, 5)]  # (open reports, minutes since the first report)
    ids = []
    for i, (n, minutes) in enumerate(plan):
        comment = world.comment(f"Komentar antrean {i}")
        report(world, comment, n)
        _age_reports(comment.id, minutes)
        ids.append(comment.id)
    expected = [ids[4], ids[2], ids[1], ids[3], ids[0]]
    assert [item.comment.id for item in queries.queue_page(world.agency_id).items] == expected
    seen, cursor = [], None
    while True:
        page = queries.queue_page(world.agency_id, cursor=cursor, limit=2)
        seen += [item.comment.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
    assert queries.queue_page(world.other_agency_id).items == []


def test_the_queue_shows_the_round_section_and_reasons(client, auth, world):
    comment = world.comment("Teks yang dilaporkan untuk antrean.")
    for i, citizen in enumerate(world.citizens[:2]):
        participation.report_comment(citizen, fresh(Comment, comment.id), f"Alasan laporan nomor {i}.")
    auth.login(world.moderator)
    response = client.get("/kelola/dinas-a/moderasi")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Teks yang dilaporkan untuk antrean." in html  # moderators read what they decide on
    assert "Alasan laporan nomor 0." in html and "Alasan laporan nomor 1." in html
    assert world.round.title in html and world.round.version.sections[1].title in html
    assert "2 laporan terbuka" in html
    assert world.author.email not in html and "Penulis Komentar" not in html
    assert f"/kelola/dinas-a/moderasi/komentar/{comment.id}" in html


def test_the_queue_lists_at_most_five_reasons_per_comment(world):
    services.set_auto_hide_threshold(world.agency_admin, world.agency, 10)
    comment = world.comment()
    report(world, comment, 5)
    extra = [
        User(email=f"x{i}@example.org", name="x", password_hash="x", email_confirmed_at=utcnow()) for i in range(2)
    ]
    with write_transaction():
        db.session.add_all(extra)
    for user in extra:
        participation.report_comment(fresh(User, user.id), fresh(Comment, comment.id), "Alasan tambahan.")
    (item,) = queries.queue_page(world.agency_id).items
    assert len(item.reasons) == 5 and item.more_reasons == 2


def test_a_bad_queue_cursor_is_400(client, auth, world):
    auth.login(world.moderator)
    assert client.get("/kelola/dinas-a/moderasi?cursor=bukan").status_code == 400


def test_the_queue_page_runs_the_same_queries_for_a_small_and_a_large_queue(app, client, auth, world):
    from tests.web.test_pages import _count_queries

    services.set_auto_hide_threshold(world.agency_admin, world.agency, 50)
    comment = world.comment()
    report(world, comment, 2)
    auth.login(world.moderator)
    citizens, author = [c.id for c in world.citizens], world.author.id
    n_small = _count_queries(app, lambda: client.get("/kelola/dinas-a/moderasi"))  # detaches the test's objects
    for i in range(30):
        c = world.comment(f"Komentar {i}", user=fresh(User, citizens[i % 5]))
        participation.report_comment(fresh(User, citizens[(i + 1) % 5]), c, "Spam.")
        participation.report_comment(fresh(User, author), fresh(Comment, c.id), "Iklan.")
    html = client.get("/kelola/dinas-a/moderasi").get_data(as_text=True)
    assert html.count('class="card queue-item"') == 20 and "cursor=" in html
    assert _count_queries(app, lambda: client.get("/kelola/dinas-a/moderasi")) == n_small


# --- the pages of a decision -------------------------------------------------------------------------------


def test_moderator_hides_from_the_review_page_without_javascript(client, auth, world):
    comment = world.comment("Alamat rumah Pak RT di Jalan Mawar 5.")
    report(world, comment, 1)
    auth.login(world.moderator)
    review = client.get(f"/kelola/dinas-a/moderasi/komentar/{comment.id}")
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and "Jalan Mawar 5" in html and 'name="hide-rule"' in html
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/sembunyikan", data={"hide-rule": "", "hide-reason": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="hide-rule-error"' in html and 'id="hide-reason-error"' in html
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/sembunyikan",
        data={"hide-rule": "2", "hide-reason": "Memuat alamat rumah orang lain."},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/kelola/dinas-a/moderasi"
    assert fresh(Comment, comment.id).status == "hidden"
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/sembunyikan",
        data={"hide-rule": "2", "hide-reason": "Sekali lagi."},
    )
    assert response.status_code == 303  # already hidden: back to the review with the message
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/pulihkan",
        data={"restore-rule": "2", "restore-reason": "Alamat kantor, bukan rumah."},
    )
    assert response.status_code == 303 and fresh(Comment, comment.id).status == "visible"
    report(world, comment, 1, start=1)
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/abaikan",
        data={"dismiss-rule": "", "dismiss-reason": "Tidak melanggar."},
    )
    assert response.status_code == 303 and open_reports(comment.id) == 0
    assert [a.action for a in actions(comment.id)] == ["hide", "restore", "dismiss"]


def test_a_comment_of_another_agency_is_not_found_in_this_agencys_workspace(client, auth, world):
    other = participation.post_comment(world.author, fresh(Round, world.other_round_id), "Di dinas B.")
    auth.login(world.moderator)
    assert client.get(f"/kelola/dinas-a/moderasi/komentar/{other.id}").status_code == 404
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{other.id}/sembunyikan", data={"hide-rule": "1", "hide-reason": "Coba."}
    )
    assert response.status_code == 404 and fresh(Comment, other.id).status == "visible"


# --- appeals -----------------------------------------------------------------------------------------------


def test_the_author_appeals_once_and_another_moderator_upholds_it(client, auth, world):
    comment = world.comment("Kritik saya tentang antrean loket.")
    services.hide_comment(world.moderator, comment, 1, "Dianggap menghina petugas.")
    auth.login(world.author)
    page = client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "Dianggap menghina petugas." in page and f"/comments/{comment.id}/banding" in page
    assert "Kritik saya tentang antrean loket." not in page
    response = client.post(f"/comments/{comment.id}/banding", data={"body": "pendek"})
    assert response.status_code == 422 and 'id="body-error"' in response.get_data(as_text=True)
    response = client.post(f"/comments/{comment.id}/banding", data={"body": "Saya mengkritik layanan, bukan orangnya."})
    assert response.status_code == 303
    appeal = services.appeal_of(comment.id)
    assert appeal.is_pending and appeal.author_id == world.author.id
    assert "menunggu keputusan moderator" in client.get(f"/comments/{comment.id}").get_data(as_text=True)
    with pytest.raises(Conflict):
        services.file_appeal(world.author, fresh(Comment, comment.id), "Sekali lagi saya mengajukan banding.")
    (filed,) = audit_entries("appeal.filed")
    assert "layanan" not in filed.data_json and filed.data["body_sha256"]

    with pytest.raises(NotAllowed) as exc:  # whoever hid it does not decide the appeal
        services.decide_appeal(world.moderator, fresh(Appeal, appeal.id), "upheld", "Saya berubah pikiran.")
    assert "moderator lain" in said(exc)
    services.decide_appeal(world.second_moderator, fresh(Appeal, appeal.id), "upheld", "Kritik pada layanan.")
    assert fresh(Comment, comment.id).status == "visible" and counter_mismatches() == {}
    decided = fresh(Appeal, appeal.id)
    assert (decided.outcome, decided.decided_by_id) == ("upheld", world.second_moderator.id)
    assert [a.action for a in actions(comment.id)] == ["hide", "appeal_upheld"]
    assert audit_entries("appeal.decided")[0].data["outcome"] == "upheld"
    page = client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "Banding Anda diterima" in page and "Kritik pada layanan." in page
    assert "Kritik saya tentang antrean loket." in page
    mine = client.get("/profil/moderasi").get_data(as_text=True)
    assert "Banding diterima" in mine and f"/comments/{comment.id}" in mine
    profile = client.get("/profil").get_data(as_text=True)
    assert "Banding diterima" in profile and "/profil/moderasi" in profile
    with pytest.raises(Conflict):
        services.decide_appeal(world.agency_admin, fresh(Appeal, appeal.id), "rejected", "Terlambat.")


def test_a_rejected_appeal_keeps_the_comment_hidden(client, auth, world):
    comment = world.comment()
    services.hide_comment(world.moderator, comment, 2, "Memuat NIK orang lain.")
    appeal = services.file_appeal(world.author, fresh(Comment, comment.id), "Itu NIK saya sendiri, bukan orang lain.")
    services.decide_appeal(world.agency_admin, appeal, "rejected", "Tetap data pribadi; tulis tanpa NIK.")
    hidden = fresh(Comment, comment.id)
    assert hidden.status == "hidden" and hidden.moderation_rule == 2
    assert hidden.moderation_reason == "Memuat NIK orang lain."
    assert [a.action for a in actions(comment.id)] == ["hide", "appeal_rejected"]
    auth.login(world.author)
    page = client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "Banding Anda ditolak" in page and "Tetap data pribadi; tulis tanpa NIK." in page
    assert f"/comments/{comment.id}/banding" not in page  # once only
    assert client.get(f"/comments/{comment.id}/banding").status_code == 303


def test_rejecting_the_appeal_against_an_automatic_hiding_cites_a_rule(world):
    comment = world.comment()
    report(world, comment, 3)
    appeal = services.file_appeal(
        world.author, fresh(Comment, comment.id), "Laporan itu terkoordinasi, bukan pelanggaran."
    )
    with pytest.raises(Invalid) as exc:
        services.decide_appeal(world.moderator, appeal, "rejected", "Tetap disembunyikan.")
    assert set(exc.value.fields) == {"rule"}
    services.decide_appeal(world.moderator, fresh(Appeal, appeal.id), "rejected", "Menghina warga lain.", rule="1")
    hidden = fresh(Comment, comment.id)
    assert (hidden.moderation_rule, hidden.moderation_reason) == (1, "Menghina warga lain.")
    assert open_reports(comment.id) == 0 and queries.queue_size(world.agency_id) == 0


def test_appeal_rules(world):
    comment = world.comment()
    with pytest.raises(Conflict):  # nothing to appeal against
        services.file_appeal(world.author, comment, "Mohon ditinjau kembali komentar ini.")
    services.hide_comment(world.moderator, fresh(Comment, comment.id), 1, "Menghina.")
    with pytest.raises(NotAllowed):
        services.file_appeal(world.citizens[0], fresh(Comment, comment.id), "Saya membela komentar ini.")
    from flask_login import AnonymousUserMixin

    with pytest.raises(LoginRequired):
        services.file_appeal(AnonymousUserMixin(), fresh(Comment, comment.id), "Anonim tidak bisa banding.")
    with pytest.raises(Invalid):
        services.file_appeal(world.author, fresh(Comment, comment.id), "pendek")
    appeal = services.file_appeal(world.author, fresh(Comment, comment.id), "Mohon ditinjau kembali komentar ini.")
    for user in (world.other_moderator, world.citizens[0], world.observer, world.author):
        with pytest.raises(NotAllowed):
            services.decide_appeal(user, fresh(Appeal, appeal.id), "upheld", "Tidak berwenang.")
    with pytest.raises(Invalid) as exc:
        services.decide_appeal(world.second_moderator, fresh(Appeal, appeal.id), "mungkin", "")
    assert set(exc.value.fields) == {"outcome", "reason"}


def test_restoring_a_comment_closes_its_pending_appeal(world):
    comment = world.comment()
    services.hide_comment(world.moderator, comment, 1, "Menghina.")
    appeal = services.file_appeal(world.author, fresh(Comment, comment.id), "Mohon ditinjau kembali komentar ini.")
    services.restore_comment(world.second_moderator, fresh(Comment, comment.id), 1, "Tidak menghina.")
    closed = fresh(Appeal, appeal.id)
    assert (closed.outcome, closed.decision_reason) == ("upheld", "Tidak menghina.")
    assert queries.pending_appeal_count(world.agency_id) == 0


def test_moderator_decides_an_appeal_through_the_pages(client, auth, world):
    comment = world.comment("Teks yang dibanding.")
    services.hide_comment(world.moderator, comment, 1, "Menghina.")
    appeal = services.file_appeal(world.author, fresh(Comment, comment.id), "Mohon ditinjau kembali komentar ini.")
    auth.login(world.moderator)
    html = client.get(f"/kelola/dinas-a/moderasi/banding/{appeal.id}").get_data(as_text=True)
    assert "Mohon ditinjau kembali komentar ini." in html and 'name="outcome"' not in html  # the hider
    auth.logout()
    auth.login(world.second_moderator)
    assert f"/kelola/dinas-a/moderasi/banding/{appeal.id}" in client.get("/kelola/dinas-a/moderasi/banding").get_data(
        as_text=True
    )
    response = client.post(f"/kelola/dinas-a/moderasi/banding/{appeal.id}", data={"outcome": "", "reason": ""})
    assert response.status_code == 422 and 'id="outcome-error"' in response.get_data(as_text=True)
    response = client.post(
        f"/kelola/dinas-a/moderasi/banding/{appeal.id}",
        data={"outcome": "upheld", "rule": "", "reason": "Bukan hinaan."},
    )
    assert response.status_code == 303 and fresh(Comment, comment.id).status == "visible"


# --- blocks ------------------------------------------------------------------------------------------------


def test_a_blocked_author_is_refused_in_the_agencys_rounds_until_the_block_ends(client, auth, world):
    comment = world.comment("Komentar kasar.")
    until = utcnow() + dt.timedelta(days=3)
    block = services.block_author(world.moderator, comment, until, "Berulang kali menghina.", rule="1")
    refusal = participation.participation_refusal(fresh(User, world.author.id), world.round)
    assert isinstance(refusal, NotAllowed)
    assert "Berulang kali menghina." in str(refusal.message) and "WIB" in str(refusal.message)
    with pytest.raises(NotAllowed):
        world.comment("Komentar baru.")
    with pytest.raises(NotAllowed):
        participation.report_comment(fresh(User, world.author.id), world.comment(user=world.citizens[0]), "Laporan.")
    with pytest.raises(NotAllowed):
        participation.set_stance(fresh(User, world.author.id), world.round, world.section_id, "support")
    # another agency's rounds are not affected
    participation.post_comment(fresh(User, world.author.id), fresh(Round, world.other_round_id), "Di dinas B boleh.")

    auth.login(world.author)
    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert "Berulang kali menghina." in html and 'name="body"' not in html
    token = create_api_token(fresh(User, world.author.id))
    response = client.post(
        f"/api/v1/rounds/{world.round_id}/comments",
        json={"body": "Lewat API."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403 and "Berulang kali menghina." in response.get_json()["error"]["message"]
    assert "Berulang kali menghina." in client.get("/profil/moderasi").get_data(as_text=True)
    assert "Berulang kali menghina." in client.get("/profil").get_data(as_text=True)

    (action,) = [a for a in actions() if a.action == "block"]
    pseudonym = fresh(Comment, comment.id).participant.pseudonym
    assert (action.participant, action.until, action.rule_number) == (pseudonym, until, 1)
    (entry,) = audit_entries("participant.blocked")
    assert entry.data["participant"] == pseudonym
    assert world.author.email not in entry.data_json and "Penulis Komentar" not in entry.data_json
    assert str(world.author.id) not in (entry.data.get("user_id"), entry.actor)

    services.unblock(world.second_moderator, fresh(Block, block.id), "Sudah meminta maaf.")
    assert participation.participation_refusal(fresh(User, world.author.id), world.round) is None
    assert [a.action for a in actions()][-1] == "unblock"
    with pytest.raises(Conflict):
        services.unblock(world.moderator, fresh(Block, block.id), "Lagi.")


def test_the_block_check_costs_no_query_for_people_never_blocked_and_one_for_the_others(world):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def refusal_queries(user_id: int) -> int:
        rnd = fresh(Round, world.round_id)
        user = fresh(User, user_id)
        rnd.agency, user.blocked_until  # noqa: B018 - loaded, as on a round page
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            participation.participation_refusal(user, rnd)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    comment = world.comment()
    assert fresh(User, world.author.id).blocked_until is None
    assert refusal_queries(world.author.id) == 0
    until = utcnow() + dt.timedelta(days=2)
    block = services.block_author(world.moderator, comment, until, "Spam berulang.")
    assert fresh(User, world.author.id).blocked_until == until
    assert refusal_queries(world.author.id) == 1
    services.unblock(world.moderator, fresh(Block, block.id), "Sudah cukup.")
    assert refusal_queries(world.author.id) == 1  # until the longest block's end, the blocks are looked up
    with write_transaction():
        db.session.get(User, world.author.id).blocked_until = utcnow() - dt.timedelta(seconds=1)
    assert refusal_queries(world.author.id) == 0


def test_a_block_ends_by_itself(world):
    comment = world.comment()
    block = services.block_author(world.moderator, comment, utcnow() + dt.timedelta(hours=1), "Spam.")
    with write_transaction():
        db.session.get(Block, block.id).until = utcnow() - dt.timedelta(seconds=1)
    assert participation.participation_refusal(fresh(User, world.author.id), world.round) is None


@pytest.mark.parametrize(
    ("until", "field"),
    [(None, "until"), (dt.timedelta(minutes=-1), "until"), (dt.timedelta(days=400), "until")],
)
def test_a_block_needs_an_end_in_the_coming_year(world, until, field):
    comment = world.comment()
    with pytest.raises(Invalid) as exc:
        services.block_author(world.moderator, comment, None if until is None else utcnow() + until, "Alasan.")
    assert field in exc.value.fields


def test_a_person_is_blocked_once_at_a_time_and_never_by_themselves(world):
    comment = world.comment()
    services.block_author(world.moderator, comment, utcnow() + dt.timedelta(days=1), "Spam.")
    with pytest.raises(Conflict):
        services.block_author(
            world.second_moderator, fresh(Comment, comment.id), utcnow() + dt.timedelta(days=2), "Lagi."
        )
    own = participation.post_comment(world.moderator, world.round, "Komentar moderator.")
    with pytest.raises(Conflict):
        services.block_author(world.moderator, own, utcnow() + dt.timedelta(days=2), "Diri sendiri.")


def test_moderator_blocks_and_unblocks_through_the_pages(client, auth, world):
    comment = world.comment()
    auth.login(world.moderator)
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/blokir",
        data={"block-until": "", "block-rule": "", "block-reason": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="block-until-error"' in html and 'id="block-reason-error"' in html
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/blokir",
        data={"block-until": "2099-01-01T10:00", "block-rule": "1", "block-reason": "Terlalu jauh."},
    )
    assert response.status_code == 422
    soon = (utcnow() + dt.timedelta(days=2, hours=7)).strftime("%Y-%m-%dT%H:%M")  # the agency's local time (WIB)
    response = client.post(
        f"/kelola/dinas-a/moderasi/komentar/{comment.id}/blokir",
        data={"block-until": soon, "block-rule": "1", "block-reason": "Menghina berulang kali."},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/kelola/dinas-a/moderasi/blokir"
    block = db.session.scalar(sa.select(Block))
    assert abs(block.until - (utcnow() + dt.timedelta(days=2))) < dt.timedelta(minutes=2)
    html = client.get("/kelola/dinas-a/moderasi/blokir").get_data(as_text=True)
    assert block.pseudonym in html and "Menghina berulang kali." in html and world.author.email not in html
    response = client.post(f"/kelola/dinas-a/moderasi/blokir/{block.id}/cabut", data={f"unblock-{block.id}-reason": ""})
    assert response.status_code == 422 and f'id="unblock-{block.id}-reason-error"' in response.get_data(as_text=True)
    response = client.post(
        f"/kelola/dinas-a/moderasi/blokir/{block.id}/cabut", data={f"unblock-{block.id}-reason": "Sudah minta maaf."}
    )
    assert response.status_code == 303 and fresh(Block, block.id).lifted_at is not None


# --- the public log ---------------------------------------------------------------------------------------


def _some_decisions(world) -> list[Comment]:
    first, second = world.comment("Satu."), world.comment("Dua.")
    services.hide_comment(world.moderator, first, 1, "Menghina petugas.")
    services.restore_comment(world.second_moderator, fresh(Comment, first.id), 1, "Kritik yang sah.")
    report(world, second, 3)
    services.block_author(world.moderator, fresh(Comment, second.id), utcnow() + dt.timedelta(days=1), "Spam berulang.")
    return [first, second]


def test_the_moderation_log_names_moderators_by_a_stable_pseudonym_per_agency(world):
    first, _ = _some_decisions(world)
    other = participation.post_comment(world.citizens[0], fresh(Round, world.other_round_id), "Di dinas B.")
    with write_transaction():  # the same person moderates in both agencies
        from consult.agencies.models import Membership

        db.session.add(Membership(user_id=world.moderator.id, agency_id=world.other_agency_id, role="moderator"))
    services.hide_comment(fresh(User, world.moderator.id), other, 1, "Di luar pokok bahasan.")
    log = actions()
    names = {(a.agency_id, a.moderator_id): a.moderator for a in log}
    assert names[world.agency_id, None] == "sistem"
    assert names[world.agency_id, world.moderator.id] != names[world.agency_id, world.second_moderator.id]
    assert names[world.other_agency_id, world.moderator.id] != names[world.agency_id, world.moderator.id]
    assert (
        len({a.moderator for a in log if a.moderator_id == world.moderator.id and a.agency_id == world.agency_id}) == 1
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModeratorAlias)) == 3
    assert [a.action for a in log] == ["hide", "restore", "auto_hide", "block", "hide"]
    # every row has its audit entry, written in the same transaction
    audited = {e.data.get("moderation_action_id") for e in audit_entries()}
    assert {a.id for a in log} <= audited


def test_the_moderation_log_pages_show_every_decision_without_names(client, world):
    _some_decisions(world)
    html = client.get("/moderasi").get_data(as_text=True)
    for text in ("Menghina petugas.", "Kritik yang sah.", "Spam berulang.", "Disembunyikan otomatis", "Diblokir"):
        assert text in html, text
    for secret in ("Budi Moderator", "Sri Moderator", world.moderator.email, world.author.email, "Penulis Komentar"):
        assert secret not in html
    assert client.get(f"/rounds/{world.round_id}/moderasi").get_data(as_text=True).count('class="card log-entry"') == 4
    assert (
        client.get(f"/rounds/{world.other_round_id}/moderasi").get_data(as_text=True).count('class="card log-entry"')
        == 0
    )
    assert client.get("/moderasi?instansi=dinas-b").get_data(as_text=True).count('class="card log-entry"') == 0
    assert client.get("/moderasi?instansi=tidak-ada").status_code == 404
    assert client.get("/moderasi?cursor=%%%").status_code == 400


def test_the_moderation_log_api(client, world):
    first, second = _some_decisions(world)
    body = client.get("/api/v1/moderation-log").get_json()
    assert set(body) == {"items", "next_cursor"} and body["next_cursor"] is None
    assert [i["action"] for i in body["items"]] == ["block", "auto_hide", "restore", "hide"]
    hide = body["items"][-1]
    assert hide["comment_id"] == first.id and hide["round_id"] == world.round_id
    assert (hide["rule"], hide["rule_title"], hide["reason"]) == ("1", RULES[0][0], "Menghina petugas.")
    assert hide["moderator"].startswith("Moderator-") and hide["created_at"].endswith("+00:00")
    assert hide["agency"] == {"slug": "dinas-a", "name": world.agency.name}
    block = body["items"][0]
    assert block["participant"] == fresh(Comment, second.id).participant.pseudonym and block["until"]
    assert body["items"][1]["moderator"] == "sistem"
    text = json.dumps(body)
    for secret in ("Budi", "Sri", "example.org", "Penulis Komentar", '"Satu."', '"Dua."'):
        assert secret not in text
    items, cursor = [], None
    while True:
        page = client.get("/api/v1/moderation-log?limit=1" + (f"&cursor={cursor}" if cursor else "")).get_json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert items == body["items"]
    assert len(client.get(f"/api/v1/moderation-log?round_id={world.other_round_id}").get_json()["items"]) == 0
    assert len(client.get("/api/v1/moderation-log?agency=dinas-a").get_json()["items"]) == 4
    assert client.get("/api/v1/moderation-log?cursor=xyz").status_code == 422
    assert client.get("/api/v1/moderation-log?agency=tidak-ada").status_code == 404


# --- the API --------------------------------------------------------------------------------------------------


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def test_a_moderator_hides_and_restores_through_the_api(client, world):
    comment = world.comment("Lewat API.")
    headers = bearer(world.moderator)
    response = client.post(
        f"/api/v1/comments/{comment.id}/moderation",
        json={"action": "hide", "rule": 1, "reason": "Menghina."},
        headers=headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "hidden" and body["body"] is None and body["body_html"] is None
    assert body["moderation"]["rule"] == "1" and body["moderation"]["reason"] == "Menghina."
    assert body["moderation"]["automatic"] is False and body["moderation"]["rule_title"] == RULES[0][0]
    again = client.post(
        f"/api/v1/comments/{comment.id}/moderation",
        json={"action": "hide", "rule": "1", "reason": "x y z"},
        headers=headers,
    )
    assert again.status_code == 409
    response = client.post(
        f"/api/v1/comments/{comment.id}/moderation",
        json={"action": "restore", "rule": "1", "reason": "Tidak menghina."},
        headers=headers,
    )
    assert response.status_code == 200 and response.get_json()["body"] == "Lewat API."
    assert response.get_json()["moderation"] is None


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"action": "hide", "reason": "Menghina."}, {"rule"}),
        ({"action": "hide", "rule": 1}, {"reason"}),
        ({"action": "hide", "rule": 1, "reason": ""}, {"reason"}),
        ({"action": "hide", "rule": 99, "reason": "Menghina."}, {"rule"}),
        ({"action": "hide", "rule": "satu", "reason": "Menghina."}, {"rule"}),
        ({"action": "hide", "rule": True, "reason": "Menghina."}, {"rule"}),
        ({"action": "hide", "rule": 1, "reason": 5}, {"reason"}),
        ({"action": "delete", "rule": 1, "reason": "Menghina."}, {"action"}),
        ({"rule": 1, "reason": "Menghina."}, {"action"}),
    ],
)
def test_the_moderation_api_checks_its_input(client, world, payload, fields):
    comment = world.comment()
    response = client.post(f"/api/v1/comments/{comment.id}/moderation", json=payload, headers=bearer(world.moderator))
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["error"]["fields"]) == fields
    assert fresh(Comment, comment.id).status == "visible"


def test_the_moderation_api_answers_404_and_400(client, world):
    headers = bearer(world.moderator)
    assert client.post("/api/v1/comments/999999/moderation", json={}, headers=headers).status_code == 404
    comment = world.comment()
    assert client.post(f"/api/v1/comments/{comment.id}/moderation", data="[", headers=headers).status_code == 400


# --- demo data ----------------------------------------------------------------------------------------------


def test_the_demo_agency_publishes_five_house_rules_in_indonesian_and_seeding_twice_changes_nothing(runner):
    from consult.demo import load_demo
    from consult.demo_content import AGENCY

    load_demo(sample_participation=False)
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == AGENCY["slug"]))
    rules = services.house_rules(agency.id)
    assert [r.number for r in rules] == [1, 2, 3, 4, 5]
    assert "data pribadi" in rules[1].title.lower() and agency.auto_hide_threshold == 3
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    # a demo loaded before house rules existed gets them on the next seed
    with write_transaction():
        db.session.execute(sa.delete(HouseRule))
    load_demo(sample_participation=False)
    assert len(services.house_rules(agency.id)) == 5


# --- concurrency ----------------------------------------------------------------------------------------------

WORKERS = 4
WORKER = r"""
import json, sys, time
from pathlib import Path

import sqlalchemy as sa

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db

url, worker, barrier, plan = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), json.loads(sys.argv[4])
app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                  "SQLALCHEMY_DATABASE_URI": url})
outcomes = []
with app.test_request_context():
    from consult.accounts.models import User
    from consult.errors import ServiceError
    from consult.moderation import services as moderation
    from consult.participation import services
    from consult.participation.models import Comment

    db.session.execute(sa.text("SELECT 1"))  # connected before the start
    db.session.rollback()
    (barrier / f"ready-{worker}").touch()
    deadline = time.monotonic() + 60
    while not (barrier / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.001)
    for kind, user_id, comment_id in plan:
        user, comment = db.session.get(User, user_id), db.session.get(Comment, comment_id)
        try:
            if kind == "report":
                services.report_comment(user, comment, "Menghina warga lain.")
            else:
                moderation.hide_comment(user, comment, 1, "Menghina warga lain.")
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(type(exc).__name__)
print(json.dumps({"worker": worker, "outcomes": outcomes}))
"""


def _race(url: str, barrier, plans: list[list]) -> list[list[str]]:
    reports = run_workers(
        WORKER,
        [[url, str(w), str(barrier), json.dumps(plan)] for w, plan in enumerate(plans)],
        barrier,
        forbidden=("database is locked", "IntegrityError"),
    )
    return [report["outcomes"] for report in reports]


def _concurrent_reports_and_hides(world, url, barrier) -> None:
    """Four processes at once: each reports comment A (threshold 3), then hides comment B as a moderator."""
    a, b = world.comment("Komentar A."), world.comment("Komentar B.")
    moderators = [world.moderator, world.second_moderator, world.agency_admin, world.moderator]
    plans = [[["report", world.citizens[w].id, a.id], ["hide", moderators[w].id, b.id]] for w in range(WORKERS)]
    db.session.commit()
    outcomes = _race(url, barrier, plans)
    # three reports reach the threshold and hide it; the fourth finds it hidden already
    assert sorted(o[0] for o in outcomes) == ["Conflict", "ok", "ok", "ok"]
    assert sorted(o[1] for o in outcomes) == ["Conflict"] * (WORKERS - 1) + ["ok"]
    assert [a.action for a in actions(a.id)] == ["auto_hide"]  # exactly once, at the third report
    assert [a.action for a in actions(b.id)] == ["hide"]
    assert fresh(Comment, a.id).status == "hidden" and fresh(Comment, b.id).status == "hidden"
    assert open_reports(a.id) == 3 and queue_mismatches() == {}
    assert counter_mismatches() == {}
    assert audit.verify().ok


def test_concurrent_reports_auto_hide_once_and_concurrent_hides_decide_once(world, tmp_path):
    from tests.conftest import database_url

    _concurrent_reports_and_hides(world, database_url(), tmp_path)


@pytest.mark.postgres
@needs_postgres_server
def test_concurrent_reports_and_hides_on_postgresql(make, tmp_path):
    with postgres_variant() as url:
        _concurrent_reports_and_hides(build_world(make), url, tmp_path)
