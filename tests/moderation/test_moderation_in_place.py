"""Moderators act where the comments are, on any comment, not only reported ones: "Sembunyikan" (with a house
rule and a reason) on the round page, the comment page and replies, in place with htmx and as a plain form page
without JavaScript; and the queue shows every new comment of one round, not only the reported ones. Reports name
the house rule a comment breaks, and the person who reported a comment sees "Anda sudah melaporkan"."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.accounts.services import create_api_token
from consult.errors import Invalid
from consult.extensions import db
from consult.moderation import services
from consult.moderation.models import ModerationAction
from consult.participation import services as participation
from consult.participation.models import Comment, Report
from tests.moderation.test_moderation import RULES, audit_entries, build_world, fresh, queue_mismatches
from tests.openapi_check import checked_client


@pytest.fixture
def client(app):
    yield from checked_client(app)


@pytest.fixture
def world(make):
    return build_world(make)


HIDE_LINK = re.compile(r'<a href="/comments/(\d+)/sembunyikan[^"]*"[^>]*class="mod-action"')


# --- hide from the round page ---------------------------------------------------------------------------------


def test_moderators_see_a_hide_control_on_every_visible_comment_and_nobody_else_does(client, auth, world):
    comments = [world.comment(f"Komentar {i}", user=world.citizens[i]) for i in range(3)]
    reply = world.comment("Balasan.", user=world.citizens[3], parent_id=comments[0].id)
    url = f"/rounds/{world.round_id}"
    assert not HIDE_LINK.findall(client.get(url).get_data(as_text=True))  # anonymous (cached) page
    auth.login(world.citizens[4])
    assert not HIDE_LINK.findall(client.get(url).get_data(as_text=True))
    auth.logout()
    auth.login(world.other_moderator)
    assert not HIDE_LINK.findall(client.get(url).get_data(as_text=True))
    auth.logout()
    auth.login(world.moderator)
    shown = set(HIDE_LINK.findall(client.get(url).get_data(as_text=True)))
    assert shown == {str(c.id) for c in comments}  # none of them reported
    replies = client.get(f"/comments/{comments[0].id}/balasan", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert HIDE_LINK.findall(replies) == [str(reply.id)]
    page = client.get(f"/comments/{comments[0].id}").get_data(as_text=True)
    assert set(HIDE_LINK.findall(page)) == {str(comments[0].id), str(reply.id)}


def test_a_moderator_hides_an_unreported_comment_from_the_round_page_without_javascript(client, auth, world):
    comment = world.comment("Nomor HP Pak Lurah 0812-3456-7890.", user=world.citizens[0])
    auth.login(world.moderator)
    link = HIDE_LINK.search(client.get(f"/rounds/{world.round_id}").get_data(as_text=True))
    form_url = re.search(r'<a href="(/comments/\d+/sembunyikan[^"]*)"', link[0])[1].replace("&amp;", "&")
    page = client.get(form_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "0812-3456-7890" in html
    assert f'name="hide-{comment.id}-rule"' in html and "2. Jangan menyebarkan data pribadi orang lain" in html
    next_path = re.search(r'name="next" value="([^"]+)"', html)[1].replace("&amp;", "&")
    response = client.post(
        form_url,
        data={f"hide-{comment.id}-rule": "2", f"hide-{comment.id}-reason": "Memuat data pribadi.", "next": next_path},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/rounds/{world.round_id}#c{comment.id}"
    )
    hidden = fresh(Comment, comment.id)
    assert (
        hidden.status == "hidden" and hidden.moderation_rule == 2 and hidden.moderation_reason == "Memuat data pribadi."
    )
    (action,) = db.session.scalars(sa.select(ModerationAction)).all()
    assert action.action == "hide" and action.rule_number == 2
    (entry,) = audit_entries("comment.hidden")
    assert entry.data["official"] is False and "0812" not in entry.data_json
    after = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert "0812-3456-7890" not in after and "Memuat data pribadi." in after


def test_hide_in_place_with_htmx_answers_with_the_hidden_comment(client, auth, world):
    comment = world.comment("Iklan obat pelangsing murah!", user=world.citizens[0])
    auth.login(world.moderator)
    htmx = {"HX-Request": "true"}
    opened = client.get(f"/comments/{comment.id}/sembunyikan", headers=htmx).get_data(as_text=True)
    assert f'<div id="moderasi-{comment.id}" class="mod-slot">' in opened
    assert f'hx-post="/comments/{comment.id}/sembunyikan"' in opened and f'hx-target="#c{comment.id}"' in opened
    assert "<html" not in opened
    closed = client.get(f"/comments/{comment.id}/sembunyikan?batal=1", headers=htmx).get_data(as_text=True)
    assert "<form" not in closed and f'id="moderasi-{comment.id}"' in closed

    refused = client.post(
        f"/comments/{comment.id}/sembunyikan",
        data={f"hide-{comment.id}-rule": "", f"hide-{comment.id}-reason": ""},
        headers=htmx,
    )
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == f"#moderasi-{comment.id}"
    assert 'class="error"' in refused.get_data(as_text=True)
    assert fresh(Comment, comment.id).status == "visible"

    done = client.post(
        f"/comments/{comment.id}/sembunyikan",
        data={f"hide-{comment.id}-rule": "3", f"hide-{comment.id}-reason": "Iklan, di luar pokok bahasan."},
        headers=htmx,
    )
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and html.lstrip().startswith(f'<li class="comment" id="c{comment.id}"')
    assert "Iklan obat" not in html and "Iklan, di luar pokok bahasan." in html and 'id="pesan"' in html
    assert fresh(Comment, comment.id).status == "hidden"


def test_only_moderators_of_the_rounds_agency_may_hide_in_place(client, auth, world):
    comment = world.comment("Komentar biasa.", user=world.citizens[0])
    for user in (world.other_moderator, world.citizens[1], world.observer):
        auth.login(user)
        assert client.get(f"/comments/{comment.id}/sembunyikan").status_code == 403
        data = {f"hide-{comment.id}-rule": "1", f"hide-{comment.id}-reason": "Menghina."}
        assert client.post(f"/comments/{comment.id}/sembunyikan", data=data).status_code == 403
        auth.logout()
    assert fresh(Comment, comment.id).status == "visible" and not db.session.scalars(sa.select(ModerationAction)).all()


def test_hiding_a_reported_comment_in_place_handles_its_reports(client, auth, world):
    comment = world.comment("Dilaporkan.", user=world.citizens[0])
    participation.report_comment(fresh(User, world.citizens[1].id), fresh(Comment, comment.id), "Menghina.")
    auth.login(world.agency_admin)
    data = {f"hide-{comment.id}-rule": "1", f"hide-{comment.id}-reason": "Menghina warga lain."}
    assert client.post(f"/comments/{comment.id}/sembunyikan", data=data).status_code == 303
    assert queue_mismatches() == {}
    assert db.session.scalar(sa.select(Report.handled_at)) is not None


# --- the queue: all new comments of a round -------------------------------------------------------------------


def test_the_queue_shows_all_new_comments_of_a_round_newest_first_with_keyset_pages(client, auth, world):
    reported = world.comment("Dilaporkan.", user=world.citizens[0])
    participation.report_comment(fresh(User, world.citizens[1].id), fresh(Comment, reported.id), "Menghina.")
    ids = [world.comment(f"Komentar baru {i}", user=fresh(User, world.citizens[i % 5].id)).id for i in range(24)]
    other = participation.post_comment(world.citizens[0], db.session.get(type(world.round), world.other_round_id), "B")
    auth.login(world.moderator)
    reported_only = client.get("/kelola/dinas-a/moderasi").get_data(as_text=True)
    assert re.findall(r'id="antrean-(\d+)"', reported_only) == [str(reported.id)]
    first = client.get(f"/kelola/dinas-a/moderasi?putaran={world.round_id}&tampil=semua").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'id="antrean-(\d+)"', first)]
    assert shown == sorted([*ids, reported.id], reverse=True)[:20]
    assert "Tidak ada laporan terbuka" in first and "Semua komentar baru di" in first
    more = re.search(r'href="([^"]*cursor=[^"]+)"', first)[1].replace("&amp;", "&")
    assert "tampil=semua" in more and f"putaran={world.round_id}" in more
    second = client.get(more).get_data(as_text=True)
    rest = [int(i) for i in re.findall(r'id="antrean-(\d+)"', second)]
    assert rest == sorted([*ids, reported.id], reverse=True)[20:] and other.id not in rest + shown
    assert 'href="/kelola/dinas-a/moderasi/komentar/' in second


def test_the_queue_can_be_narrowed_to_the_reports_of_one_round(client, auth, make, world):
    second_round = make.round(world.agency)
    here = world.comment("Di putaran pertama.", user=world.citizens[0])
    there = participation.post_comment(world.citizens[0], second_round, "Di putaran kedua.")
    for c in (here, there):
        participation.report_comment(fresh(User, world.citizens[1].id), fresh(Comment, c.id), "Menghina.")
    auth.login(world.moderator)
    html = client.get(f"/kelola/dinas-a/moderasi?putaran={second_round.id}").get_data(as_text=True)
    assert re.findall(r'id="antrean-(\d+)"', html) == [str(there.id)]


def test_the_queue_refuses_another_agencys_round_and_a_bad_round_id(client, auth, world):
    auth.login(world.moderator)
    assert client.get(f"/kelola/dinas-a/moderasi?putaran={world.other_round_id}&tampil=semua").status_code == 404
    assert client.get("/kelola/dinas-a/moderasi?putaran=abc").status_code == 400
    asked = client.get("/kelola/dinas-a/moderasi?tampil=semua").get_data(as_text=True)
    assert "Pilih putaran untuk melihat semua komentar barunya." in asked


def test_all_new_comments_of_a_round_run_the_same_queries_for_3_and_30_comments(app, client, auth, world):
    from tests.web.test_pages import _count_queries

    citizens = [c.id for c in world.citizens]
    for i in range(3):
        c = world.comment(f"Komentar {i}", user=fresh(User, citizens[i]))
        participation.report_comment(fresh(User, citizens[(i + 1) % 5]), fresh(Comment, c.id), "Spam.")
    auth.login(world.moderator)
    url = f"/kelola/dinas-a/moderasi?putaran={world.round_id}&tampil=semua"
    small = _count_queries(app, lambda: client.get(url))
    for i in range(27):
        c = world.comment(f"Lagi {i}", user=fresh(User, citizens[i % 5]))
        if i % 3 == 0:
            participation.report_comment(fresh(User, citizens[(i + 1) % 5]), fresh(Comment, c.id), "Spam.")
    assert client.get(url).get_data(as_text=True).count('class="card queue-item"') == 20
    assert _count_queries(app, lambda: client.get(url)) == small


# --- reports name a house rule --------------------------------------------------------------------------------


def test_a_report_names_the_house_rule_as_a_snapshot_and_the_queue_and_review_show_it(client, auth, world):
    comment = world.comment("NIK saya 3201...", user=world.citizens[0])
    participation.report_comment(fresh(User, world.citizens[1].id), fresh(Comment, comment.id), None, rule=2)
    participation.report_comment(fresh(User, world.citizens[2].id), fresh(Comment, comment.id), "Spam berulang.")
    reports = db.session.scalars(sa.select(Report).order_by(Report.id)).all()
    assert (reports[0].rule_number, reports[0].rule_title, reports[0].reason) == (2, RULES[1][0], "")
    assert (reports[1].rule_number, reports[1].reason) == (None, "Spam berulang.")
    services.update_rule(world.agency_admin, services.house_rules(world.agency_id)[1], "Data pribadi")
    assert fresh(Report, reports[0].id).rule_title == RULES[1][0]  # what the reporter picked, as it read then
    auth.login(world.moderator)
    for url in ("/kelola/dinas-a/moderasi", f"/kelola/dinas-a/moderasi/komentar/{comment.id}"):
        html = client.get(url).get_data(as_text=True)
        assert f"aturan 2</a> — {RULES[1][0]}" in html and "Lainnya</span>: <span hx-disable>Spam berulang." in html


def test_a_report_needs_a_reason_for_other_and_a_rule_of_the_agency_in_force(world):
    comment = world.comment(user=world.citizens[0])
    reporter = fresh(User, world.citizens[1].id)
    for reason, rule, field in [
        (None, None, "reason"),
        ("  ", None, "reason"),
        (None, 9, "rule"),
        ("Spam.", 4, "rule"),
    ]:
        with pytest.raises(Invalid) as refused:
            participation.report_comment(reporter, fresh(Comment, comment.id), reason, rule=rule)
        assert field in refused.value.fields
    services.retire_rule(world.agency_admin, services.house_rules(world.agency_id)[0])
    with pytest.raises(Invalid):
        participation.report_comment(reporter, fresh(Comment, comment.id), None, rule=1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 0


def test_the_report_form_offers_the_agencys_rules_and_other(client, auth, world):
    comment = world.comment(user=world.citizens[0])
    auth.login(world.citizens[1])
    form = client.get(f"/comments/{comment.id}/laporkan").get_data(as_text=True)
    for number, (title, _body) in enumerate(RULES, start=1):
        assert f'value="{number}"' in form and f"{number}. {title}" in form
    assert 'value="lain"' in form and "Lainnya" in form and "Aturan dinas B" not in form
    refused = client.post(f"/comments/{comment.id}/laporkan", data={"rule": "lain", "reason": ""})
    assert refused.status_code == 422 and "Wajib untuk" in refused.get_data(as_text=True)
    sent = client.post(f"/comments/{comment.id}/laporkan", data={"rule": "3", "reason": ""})
    assert sent.status_code == 303
    assert db.session.scalar(sa.select(Report.rule_number)) == 3


def test_a_comment_already_reported_shows_you_have_reported_instead_of_the_button(client, auth, world):
    top = world.comment("Komentar utama.", user=world.citizens[0])
    reply = world.comment("Balasan.", user=world.citizens[2], parent_id=top.id)
    untouched = world.comment("Komentar lain.", user=world.citizens[3])
    reporter = world.citizens[1]
    for c in (top, reply):
        participation.report_comment(fresh(User, reporter.id), fresh(Comment, c.id), "Menghina.")
    anonymous = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert "Anda sudah melaporkan" not in anonymous and "/laporkan" not in anonymous

    auth.login(reporter)
    round_page = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert f'href="/comments/{top.id}/laporkan"' not in round_page and "Anda sudah melaporkan" in round_page
    assert f'href="/comments/{untouched.id}/laporkan"' in round_page
    replies = client.get(f"/comments/{top.id}/balasan", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'href="/comments/{reply.id}/laporkan"' not in replies and "Anda sudah melaporkan" in replies
    page = client.get(f"/comments/{top.id}").get_data(as_text=True)
    assert page.count("Anda sudah melaporkan") == 2
    again = client.get(f"/comments/{top.id}/laporkan")
    assert again.status_code == 303
    assert "Anda sudah melaporkan" in client.get(again.headers["Location"]).get_data(as_text=True)

    auth.logout()
    client.get("/")  # the "logged out" message
    assert client.get(f"/rounds/{world.round_id}").get_data(as_text=True) == anonymous  # the shared page: unchanged


def test_the_api_takes_a_rule_with_a_report_and_answers_a_second_report_with_409(client, world):
    comment = world.comment(user=world.citizens[0])
    bearer = {"Authorization": f"Bearer {create_api_token(fresh(User, world.citizens[1].id))}"}
    url = f"/api/v1/comments/{comment.id}/reports"
    unknown = client.post(url, json={"rule": 99}, headers=bearer)
    assert unknown.status_code == 422 and "rule" in unknown.get_json()["error"]["fields"]
    missing = client.post(url, json={}, headers=bearer)
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    assert client.post(url, json={"rule": 1}, headers=bearer).status_code == 201
    again = client.post(url, json={"reason": "Lagi."}, headers=bearer)
    assert again.status_code == 409
    assert db.session.scalar(sa.select(Report.rule_number)) == 1
