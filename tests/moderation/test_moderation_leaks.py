"""A hidden comment's text never leaks: not on any page, fragment, permalink, API answer, the moderation log or
the audit chain, whoever asks (an anonymous visitor, a citizen, the author), nor does the author's appeal,
which repeats it. After the comment is restored, the text is back where it belongs.

Two hidden comments carry unique markers: a top-level comment with a reply under it, and a reply under a
visible comment. The round has more than one page of comments, so "load more" pages and fragments are read too.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.services import create_api_token
from consult.extensions import db
from consult.moderation import services as moderation
from consult.participation import services as participation
from consult.participation.models import Comment
from consult.participation.queries import _encode
from consult.timeutil import utcnow

TOP_MARKER = "PENANDA-ATAS-7f3a9c"
REPLY_MARKER = "PENANDA-BALASAN-e41d07"
MARKERS = (TOP_MARKER, REPLY_MARKER)


@pytest.fixture
def leak_world(make):
    agency = make.agency(slug="dinas-bocor")
    moderation.add_rule("test", agency, "Jangan menyebarkan data pribadi orang lain")
    rnd = make.round(agency)
    section = rnd.version.sections[1]
    author, neighbour = make.user(verified=True), make.user(verified=True)
    moderator = make.user("moderator", agency)
    top = participation.post_comment(
        author, rnd, f"Nomor KTP tetangga: {TOP_MARKER}", section_id=section.id, stance="oppose"
    )
    participation.post_comment(neighbour, rnd, "Balasan yang sopan.", parent_id=top.id)
    visible = participation.post_comment(neighbour, rnd, "Komentar yang tetap tampil.", section_id=section.id)
    reply = participation.post_comment(author, rnd, f"Alamat rumahnya {REPLY_MARKER}", parent_id=visible.id)
    participation.vote(neighbour, db.session.get(Comment, top.id), 1)
    participation.report_comment(neighbour, db.session.get(Comment, top.id), "Memuat data pribadi.")
    for i in range(25):  # more than a page: "load more" exists, and the hidden comment is on the second page
        participation.post_comment(neighbour, rnd, f"Komentar pengisi {i}.")
    for comment in (top, reply):
        moderation.hide_comment(moderator, db.session.get(Comment, comment.id), 1, "Memuat data pribadi orang lain.")
    # an appeal may repeat the hidden text: it is for the moderators only
    moderation.file_appeal(author, db.session.get(Comment, top.id), f"Yang saya tulis hanya {TOP_MARKER}, bukan data.")
    return {
        "round": rnd.id,
        "section": section.id,
        "top": top.id,
        "reply": reply.id,
        "visible": visible.id,
        "author": author,
        "neighbour": neighbour,
        "moderator": moderator,
        "slug": agency.slug,
    }


HTMX = {"HX-Request": "true"}


def html_pages(w) -> list[tuple[str, dict]]:
    rid, top, reply, visible = w["round"], w["top"], w["reply"], w["visible"]
    second_page = _encode(top + 1)  # the newest-first cursor just above the hidden comment
    agreed = _encode(1, top + 1)
    pages = [
        "/",
        "/putaran",
        f"/rounds/{rid}",
        f"/rounds/{rid}?bagian={w['section']}",
        f"/rounds/{rid}?urut=setuju",
        f"/rounds/{rid}?cursor={second_page}",
        f"/rounds/{rid}?urut=setuju&cursor={agreed}",
        f"/comments/{top}",
        f"/comments/{reply}",
        f"/comments/{visible}",
        f"/comments/{top}/laporkan",
        f"/comments/{reply}/laporkan",
        f"/comments/{top}/ubah",
        f"/comments/{top}/tarik",
        f"/comments/{top}/banding",
        f"/rounds/{rid}/moderasi",
        "/moderasi",
        f"/moderasi?instansi={w['slug']}",
        f"/instansi/{w['slug']}/aturan",
        "/profil/moderasi",
        f"/kelola/{w['slug']}/moderasi",
        f"/kelola/{w['slug']}/moderasi/komentar/{top}",
        f"/kelola/{w['slug']}/moderasi/banding",
    ]
    fragments = [
        f"/rounds/{rid}?fragment=komentar&cursor={second_page}",
        f"/rounds/{rid}?fragment=komentar&urut=setuju&cursor={agreed}",
        f"/rounds/{rid}?fragment=komentar&bagian={w['section']}",
        f"/comments/{top}/balasan",
        f"/comments/{visible}/balasan",
    ]
    return [(p, {}) for p in pages] + [(p, HTMX) for p in fragments]


def api_pages(w) -> list[str]:
    rid, top, reply, visible = w["round"], w["top"], w["reply"], w["visible"]
    return [
        f"/api/v1/rounds/{rid}",
        f"/api/v1/rounds/{rid}/comments",
        f"/api/v1/rounds/{rid}/comments?limit=100",
        f"/api/v1/rounds/{rid}/comments?order=agreed&limit=100",
        f"/api/v1/rounds/{rid}/comments?section_id={w['section']}",
        f"/api/v1/rounds/{rid}/comments?cursor={_encode(top + 1)}",
        f"/api/v1/comments/{top}",
        f"/api/v1/comments/{reply}",
        f"/api/v1/comments/{top}/replies",
        f"/api/v1/comments/{visible}/replies",
        "/api/v1/moderation-log",
        f"/api/v1/moderation-log?round_id={rid}",
        "/api/v1/audit?limit=1000",
        "/api/v1/audit/head",
        "/api/v1/openapi.json",
        "/api/v1/rounds",
    ]


def read_everything(client, auth, w, who: str) -> dict[str, str]:
    """Every page, fragment and API answer as `who` sees it: {address: body}."""
    auth.logout()
    if who != "anonymous":
        auth.login(w[who])
    seen = {}
    for path, headers in html_pages(w):
        response = client.get(path, headers=headers)
        assert response.status_code in {200, 302, 303, 403}, (who, path, response.status_code)
        seen[f"{who} {path} {'htmx' if headers else ''}"] = response.get_data(as_text=True)
    for path in api_pages(w):
        response = client.get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        seen[f"{who} {path}"] = response.get_data(as_text=True)
    return seen


@pytest.mark.parametrize("who", ["anonymous", "neighbour", "author"])
def test_a_hidden_comments_text_appears_nowhere(client, auth, leak_world, who):
    seen = read_everything(client, auth, leak_world, who)
    leaks = [(address, marker) for address, body in seen.items() for marker in MARKERS if marker in body]
    assert leaks == []
    # the pages did show the comments' places, so the check read the right pages
    assert (
        f'id="c{leak_world["top"]}"'
        in seen[f"{who} /rounds/{leak_world['round']}?cursor={_encode(leak_world['top'] + 1)} "]
    )
    assert "Memuat data pribadi orang lain." in seen[f"{who} /comments/{leak_world['top']} "]


def test_the_moderation_api_answer_holds_no_text(client, leak_world):
    comment = participation.post_comment(leak_world["author"], _round(leak_world), "Teks baru PENANDA-API-55aa.")
    headers = {"Authorization": f"Bearer {create_api_token(leak_world['moderator'])}"}
    response = client.post(
        f"/api/v1/comments/{comment.id}/moderation",
        json={"action": "hide", "rule": "1", "reason": "Memuat data pribadi."},
        headers=headers,
    )
    assert response.status_code == 200 and "PENANDA-API-55aa" not in response.get_data(as_text=True)
    assert "PENANDA-API-55aa" not in client.get("/api/v1/audit?limit=1000").get_data(as_text=True)


def _round(w):
    from consult.rounds.models import Round

    return db.session.get(Round, w["round"])


def test_the_text_is_back_after_the_comment_is_restored(client, auth, leak_world):
    w = leak_world
    for key in ("top", "reply"):
        moderation.restore_comment(w["moderator"], db.session.get(Comment, w[key]), 1, "Data sudah tidak pribadi.")
    db.session.commit()
    rid, top, reply = w["round"], w["top"], w["reply"]
    back = {
        f"/rounds/{rid}?cursor={_encode(top + 1)}": TOP_MARKER,
        f"/comments/{top}": TOP_MARKER,
        f"/comments/{reply}": REPLY_MARKER,
        f"/comments/{w['visible']}": REPLY_MARKER,
        f"/api/v1/comments/{top}": TOP_MARKER,
        f"/api/v1/comments/{w['visible']}/replies": REPLY_MARKER,
        f"/api/v1/rounds/{rid}/comments?limit=100": TOP_MARKER,
    }
    for path, marker in back.items():
        assert marker in client.get(path).get_data(as_text=True), path
    assert REPLY_MARKER in client.get(f"/comments/{w['visible']}/balasan", headers=HTMX).get_data(as_text=True)
    # the public record never held the text, before or after
    for path in ("/api/v1/audit?limit=1000", "/api/v1/moderation-log", f"/rounds/{rid}/moderasi"):
        body = client.get(path).get_data(as_text=True)
        assert TOP_MARKER not in body and REPLY_MARKER not in body, path


def test_no_e_mail_holds_the_hidden_text_queued_or_delivered(app, leak_world, capsys):
    """The author was told of both hides and of the reply under the hidden comment: the mails name the rule
    and the reason, and carry links, never the text (checked in the outbox and in the delivered files)."""
    import email
    import email.policy
    from pathlib import Path

    from consult.notifications import outbox
    from consult.notifications.models import OutboxMessage

    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {"comment_hidden", "reply"} <= {m.kind for m in mails}
    for mail in mails:
        assert not any(marker in mail.subject + mail.body_text for marker in MARKERS), mail.kind
    folder = Path(app.instance_path) / "mail"
    for old in folder.glob("*.eml"):  # files of earlier tests: outbox ids, and so file names, start again at 1
        old.unlink()
    outbox.send_due(utcnow())  # development delivery: files in the instance folder, printed
    delivered = sorted(folder.glob("*.eml"))
    assert len(delivered) == len(mails)
    texts = []
    for path in delivered:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        texts.append(str(message["Subject"]) + message.get_body(preferencelist=("plain",)).get_content())
    assert any("Memuat data pribadi orang lain." in text for text in texts)  # read decoded, not as base64
    assert not [text for text in texts if any(marker in text for marker in MARKERS)]
    assert not any(marker in capsys.readouterr().out for marker in MARKERS)
