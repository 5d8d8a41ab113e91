"""The opinion-groups page (/rounds/<id>/pendapat) and the moderators' campaigns page
(/kelola/<agency>/putaran/<id>/kampanye): what they show from the stored results, what they leave out, who may
see the workspace page, and that they stay small and run the same queries whatever the size."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from consult.deliberation import services
from consult.deliberation.campaigns import moderator_label
from consult.deliberation.models import Campaign
from consult.deliberation.opinion_map import GRID_CELLS, MAX_POINTS, SHAPES, render_opinion_map
from consult.deliberation.opinion_page import build_view
from consult.extensions import db, write_transaction
from consult.participation.models import Comment, CommentStatus
from consult.participation.services import post_comment, vote
from tests.web.test_pages import _count_queries

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & <b>tebal</b>'

# Group A agrees with the first half and disagrees with the second; group B the opposite; everyone agrees
# with the last comment (the consensus).
STATEMENTS = [
    "Jam layanan diperpanjang sampai malam.",
    "Antrean daring untuk semua loket.",
    "Biaya cetak ulang dihapus.",
    "Petugas keliling ke desa setiap bulan.",
    "Loket dibuka hanya pada hari kerja.",
    "Formulir kertas tetap wajib.",
    "Layanan daring dihentikan.",
    "Pengambilan dokumen hanya di kantor pusat.",
    "Ruang tunggu diberi tempat duduk yang cukup.",
]


def _round_with_votes(make, *, per_group: int = 8, hostile: bool = False):
    agency = make.agency()
    rnd = make.round(agency)
    authors = [make.user(), make.user()]
    comments = []
    for i, text in enumerate(STATEMENTS):
        body = f"{text} {HOSTILE}" if hostile and i == 0 else text
        comments.append(post_comment(authors[i % 2], rnd, body))
    rng = random.Random(5)
    voters = {"A": [make.user() for _ in range(per_group)], "B": [make.user() for _ in range(per_group)]}
    half = (len(STATEMENTS) - 1) // 2
    for side, users in voters.items():
        for user in users:
            for i, comment in enumerate(comments):
                if i == len(STATEMENTS) - 1:
                    value = 1
                else:
                    agree = (i < half) == (side == "A")
                    value = 1 if agree else -1
                    if rng.random() < 0.15:
                        value = 0
                vote(user, comment, value)
    return agency, rnd, comments, voters


@pytest.fixture
def computed(make):
    agency, rnd, comments, voters = _round_with_votes(make, hostile=True)
    stored = services.refresh_opinion(rnd.id)
    assert stored.k == 2, stored.message
    return agency, rnd, comments, voters


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- the public page -----------------------------------------------------------------------------------------


def test_the_page_shows_the_groups_their_map_and_what_they_agree_on(client, computed):
    _agency, rnd, comments, _voters = computed
    response = client.get(f"/rounds/{rnd.id}/pendapat")
    assert response.status_code == 200
    html = _text(response)
    assert "Kelompok pendapat" in html and "Kelompok A" in html and "Kelompok B" in html
    # the map: an accessible SVG, one path per group, two different shapes and colours
    svg = re.search(r"<svg[^>]*class=\"opinion-map\".*?</svg>", html, re.S).group(0)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.get("role") == "img" and root.find(f"{NS}title") is not None
    paths = [p for p in root.iter(f"{NS}path") if (p.get("class") or "").startswith("group-")]
    assert len(paths) == 2 and paths[0].get("fill") != paths[1].get("fill")
    assert "a" in paths[0].get("d") and "a" not in paths[1].get("d")  # group A circles (arcs), group B squares
    # the table alternative with the sizes, and the map's data
    assert "Kelompok dan ukurannya" in html and '<details class="map-data">' in html
    detail = services.stored_opinion(rnd.id).detail
    sizes = sorted(g["size"] for g in detail["groups"])
    assert sizes == [8, 8]
    # representative comments with the group's numbers against the others'
    group_a = html.split('id="kelompok-A"')[1].split('id="kelompok-B"')[0]
    assert "Kelompok lain" in group_a
    assert re.search(r"Kelompok A</th>\s*<td>\d+ <span class=\"pct\">", group_a)
    assert f'href="/comments/{comments[1].id}"' in html
    # the consensus statement, with agree/disagree/pass per group
    consensus = html.split('id="konsensus-h"')[1].split('id="beda-h"')[0]
    assert STATEMENTS[-1] in consensus
    assert consensus.count('<tr><th scope="row">') >= 2
    assert "Sementara" in html  # the round is open: provisional, with when it was computed
    assert "<time" in html.split("opinion-status")[1][:600]


def test_the_numbers_are_the_votes_of_each_group(client, computed):
    _agency, rnd, comments, voters = computed
    detail = services.stored_opinion(rnd.id).detail
    view = build_view(detail, {c.id for c in comments})
    last = next(s for s in view.consensus if s.comment_id == comments[-1].id)
    # every one of the 16 clustered voters agreed with the last comment
    assert sum(gt.tally.agree for gt in last.by_group) == 16
    assert all(gt.tally.disagree == 0 and gt.tally.seen == 8 for gt in last.by_group)
    rep = view.groups[0].statements[0]
    assert rep.own.seen == 8 and rep.others.seen == 8
    html = _text(client.get(f"/rounds/{rnd.id}/pendapat"))
    assert f'{rep.own.agree} <span class="pct">{rep.own.agree_percent}%<' in html


def test_comment_text_is_escaped_as_everywhere_else(client, computed):
    _agency, rnd, comments, _ = computed
    html = _text(client.get(f"/rounds/{rnd.id}/pendapat"))
    assert "<script>alert" not in html
    assert comments[0].body_html in html or "&lt;script&gt;" in html


def test_a_comment_hidden_after_the_computation_is_skipped(client, computed):
    _agency, rnd, comments, _ = computed
    url = f"/rounds/{rnd.id}/pendapat"
    assert STATEMENTS[-1] in _text(client.get(url))
    with write_transaction():
        db.session.execute(sa.update(Comment).where(Comment.id == comments[-1].id).values(status=CommentStatus.HIDDEN))
        from consult.rounds.models import bump_revision

        bump_revision(rnd.id)
    html = _text(client.get(url))
    assert STATEMENTS[-1] not in html
    assert f'/comments/{comments[-1].id}"' not in html
    assert "Kelompok A" in html  # the rest of the result is still shown


def test_a_round_without_enough_votes_says_what_it_takes(client, make):
    rnd = make.round()
    url = f"/rounds/{rnd.id}/pendapat"
    html = _text(client.get(url))
    assert "Belum ada kelompok pendapat" in html and "belum dihitung" in html
    post_comment(make.user(), rnd, "Satu komentar saja.")
    services.refresh_opinion(rnd.id)
    response = client.get(url)
    html = _text(response)
    assert response.status_code == 200
    assert "Belum ada kelompok pendapat" in html and "tujuh komentar" in html
    assert "<svg" not in html.split("<main")[1].split("</main>")[0].replace('class="group-marker"', "")


def test_one_section_and_the_section_selector(client, make):
    agency, rnd, comments, _ = _round_with_votes(make)
    section = rnd.version.sections[1]
    with write_transaction():
        db.session.execute(sa.update(Comment).where(Comment.round_id == rnd.id).values(section_id=section.id))
    services.refresh_opinion(rnd.id)
    services.refresh_opinion(rnd.id, section_key=section.key)
    html = _text(client.get(f"/rounds/{rnd.id}/pendapat"))
    assert f'href="/rounds/{rnd.id}/pendapat?bagian={section.key}"' in html
    one = client.get(f"/rounds/{rnd.id}/pendapat?bagian={section.key}")
    assert one.status_code == 200
    assert f"Komentar pada: {section.title}" in _text(one) and 'aria-current="page"' in _text(one)
    assert client.get(f"/rounds/{rnd.id}/pendapat?bagian=tidak-ada").status_code == 404
    assert client.get("/rounds/999999/pendapat").status_code == 404


def test_the_round_page_links_to_the_opinion_page(client, make):
    rnd = make.round()
    assert f'href="/rounds/{rnd.id}/pendapat"' in _text(client.get(f"/rounds/{rnd.id}"))


def test_anonymous_readers_get_a_cached_page_that_changes_with_the_result(client, app, computed):
    _agency, rnd, comments, voters = computed
    url = f"/rounds/{rnd.id}/pendapat"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, no-cache" and first.headers.get("ETag")
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # a new stored result is a new page
    services.refresh_opinion(rnd.id, force=True)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_the_page_runs_the_same_queries_for_few_and_many_participants(client, app, make):
    _, small, _, _ = _round_with_votes(make, per_group=6)
    services.refresh_opinion(small.id)
    _, big, _, _ = _round_with_votes(make, per_group=14)
    services.refresh_opinion(big.id)
    small_url, big_url = f"/rounds/{small.id}/pendapat", f"/rounds/{big.id}/pendapat"
    app.config["PAGE_CACHE_ENABLED"] = False
    try:
        n_small = _count_queries(app, lambda: client.get(small_url))
        n_big = _count_queries(app, lambda: client.get(big_url))
    finally:
        app.config["PAGE_CACHE_ENABLED"] = True
    assert n_small == n_big
    # round, its result index, its stored JSON, the shown comments (+ version and sections the first time)
    assert n_big <= 6


# --- the map renderer (pure) ---------------------------------------------------------------------------------


def _planted(n: int, groups: int = 3, seed: int = 1):
    rng = random.Random(seed)
    centres = [(-2, 0), (2, 1), (0, -2), (1, 3), (-3, -3)][:groups]
    points = []
    for i in range(n):
        g = i % groups
        points.append((centres[g][0] + rng.gauss(0, 0.8), centres[g][1] + rng.gauss(0, 0.8), g))
    return points


def test_the_map_draws_each_participant_up_to_the_limit_with_a_shape_per_group():
    m = render_opinion_map(_planted(300), 3, title="Peta", desc="Tiga kelompok")
    assert not m.aggregated and m.markers == 300 and m.counts == (100, 100, 100)
    root = ET.fromstring(m.svg)  # noqa: S314
    paths = list(root.iter(f"{NS}path"))
    assert [p.get("class") for p in paths] == ["group-0", "group-1", "group-2"]
    assert len({p.get("fill") for p in paths}) == 3
    assert paths[0].get("d").count("M") == 100
    assert len(SHAPES) >= 5  # k is at most 5: every group its own shape
    for element in root.iter():
        assert "style" not in element.attrib and element.tag not in (f"{NS}script", f"{NS}style")


def test_a_map_of_33000_participants_is_aggregated_into_a_small_grid():
    points = _planted(33_000, groups=4)
    m = render_opinion_map(points, 4, title="Peta", desc="Empat kelompok")
    assert m.aggregated and m.counts == (8250, 8250, 8250, 8250)
    assert m.markers <= GRID_CELLS * GRID_CELLS
    size = len(m.svg.encode())
    assert size < 60_000, size  # measured: 28 KB (801 cells)
    # exactly the limit is still one marker each
    assert not render_opinion_map(points[:MAX_POINTS], 4, title="t", desc="d").aggregated


def test_map_text_is_escaped_and_bad_groups_are_refused():
    m = render_opinion_map([(0, 0, 0), (1, 1, 1)], 2, title=HOSTILE + "\x00", desc="d")
    assert "<script>" not in m.svg and "&lt;script&gt;" in m.svg
    ET.fromstring(m.svg)  # noqa: S314 - well-formed despite the NUL
    with pytest.raises(ValueError):
        render_opinion_map([(0, 0, 3)], 2, title="t", desc="d")
    empty = render_opinion_map([], 2, title="t", desc="d")
    assert empty.markers == 0


# --- the moderators' campaigns page ----------------------------------------------------------------------------

LETTER = (
    "Kami warga Desa Sukamaju menolak rencana penutupan loket layanan kependudukan di kecamatan karena "
    "jarak ke kantor pusat terlalu jauh dan biaya perjalanan memberatkan keluarga kami."
)


@pytest.fixture
def campaign_round(make):
    agency = make.agency()
    rnd = make.round(agency)
    copies = []
    for i in range(7):
        extra = f" Saya sendiri {i} kali datang. <b>{HOSTILE}</b>" if i == 2 else ""
        copies.append(post_comment(make.user(), rnd, f"Yth. Bapak/Ibu, {LETTER}{extra}"))
    post_comment(make.user(), rnd, "Tolong perbaiki jaringan internet di kantor kecamatan.")
    services.refresh_campaigns(rnd.id)
    return agency, rnd, copies


def _campaigns_url(agency, rnd, **query):
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/kelola/{agency.slug}/putaran/{rnd.id}/kampanye" + (f"?{tail}" if tail else "")


def test_moderators_see_each_campaign_with_its_count_text_and_copies(client, auth, make, campaign_round):
    agency, rnd, copies = campaign_round
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.round_id == rnd.id))
    assert campaign.size == 7
    auth.login(make.user("moderator", agency))
    response = client.get(_campaigns_url(agency, rnd))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = _text(response)
    assert moderator_label(7) in html  # "kampanye: 7 komentar hampir identik"
    assert LETTER[:40] in html
    assert "Sementara" in html  # the round is open
    # the copy with its sender's own words, escaped, and a link to it
    assert "Saya sendiri 2 kali datang." in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "jaringan internet" not in html  # a distinct comment is in no campaign
    # the list shows a few copies; the campaign's own page all of them, by keyset
    page = _text(client.get(_campaigns_url(agency, rnd, kampanye=campaign.id)))
    shown = {int(i) for i in re.findall(r'href="/comments/(\d+)"', page)}
    assert shown == {c.id for c in copies}  # the representative and its six copies


def test_copies_are_paged_by_keyset(client, auth, make, campaign_round, monkeypatch):
    from consult.deliberation import queries

    agency, rnd, copies = campaign_round
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.round_id == rnd.id))
    monkeypatch.setattr(queries, "COPIES_PER_PAGE", 4)
    auth.login(make.user("moderator", agency))
    seen: list[int] = []
    url = _campaigns_url(agency, rnd, kampanye=campaign.id)
    pages = 0
    while url:
        html = _text(client.get(url))
        copy_ids = [int(i) for i in re.findall(r'<p class="copy-head"><a href="/comments/(\d+)"', html)]
        seen += copy_ids
        pages += 1
        nxt = re.search(r'href="([^"]*setelah=[^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert sorted(seen) == sorted(c.id for c in copies if c.id != campaign.representative_id)
    assert len(seen) == len(set(seen)) == 6
    assert client.get(_campaigns_url(agency, rnd, kampanye=campaign.id, setelah="bukan")).status_code == 400


def test_a_hidden_copy_shows_no_text(client, auth, make, campaign_round):
    agency, rnd, copies = campaign_round
    with write_transaction():
        db.session.execute(sa.update(Comment).where(Comment.id == copies[2].id).values(status=CommentStatus.HIDDEN))
    auth.login(make.user("moderator", agency))
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.round_id == rnd.id))
    html = _text(client.get(_campaigns_url(agency, rnd, kampanye=campaign.id)))
    assert "Saya sendiri 2 kali datang." not in html
    assert "Disembunyikan oleh moderasi" in html


@pytest.mark.parametrize("role", ["moderator", "agency_admin", "admin"])
def test_staff_of_the_agency_and_site_admins_may_see_the_page(client, auth, make, campaign_round, role):
    agency, rnd, _ = campaign_round
    auth.login(make.user(role, None if role == "admin" else agency))
    assert client.get(_campaigns_url(agency, rnd)).status_code == 200


def test_others_may_not_see_the_page(client, auth, make, campaign_round):
    agency, rnd, _ = campaign_round
    url = _campaigns_url(agency, rnd)
    assert client.get(url).status_code in (302, 303)  # to the log-in
    auth.login(make.user())
    assert client.get(url).status_code == 403
    auth.logout()
    other = make.agency()
    auth.login(make.user("moderator", other))
    assert client.get(url).status_code == 403
    auth.logout()
    # another agency's round under this agency's address: 404, never confirming it exists
    auth.login(make.user("moderator", other))
    assert client.get(f"/kelola/{other.slug}/putaran/{rnd.id}/kampanye").status_code == 404
    assert client.get(f"/kelola/{other.slug}/putaran/{rnd.id}/kampanye/hitung-ulang").status_code == 405
    assert client.post(f"/kelola/{other.slug}/putaran/{rnd.id}/kampanye/hitung-ulang").status_code == 404
    auth.logout()
    auth.login(make.user("moderator", agency))
    assert client.get(_campaigns_url(agency, rnd, kampanye=999999)).status_code == 404


def test_recompute_needs_the_csrf_token_and_flashes(client, auth, make, campaign_round, app, monkeypatch):
    from consult.audit import AuditEntry

    agency, rnd, copies = campaign_round
    moderator = make.user("moderator", agency)
    auth.login(moderator)
    url = _campaigns_url(agency, rnd) + "/hitung-ulang"
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(url).status_code == 400
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    # the form carries its token (the test app checks none: WTF_CSRF_ENABLED is off in TestConfig)
    page = _text(client.get(_campaigns_url(agency, rnd)))
    form = re.search(
        r'<form method="post" action="[^"]*/hitung-ulang" class="recompute">\s*<input id="csrf_token"', page
    )
    assert form is not None
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    response = client.post(url)
    assert response.status_code == 303, _text(response)[-3000:]
    assert response.headers["Location"].endswith(_campaigns_url(agency, rnd))
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()))
    assert entry.action == "campaigns.detected" and entry.actor == f"user:{moderator.id}"
    html = _text(client.get(_campaigns_url(agency, rnd)))
    assert "dihitung ulang" in html and moderator_label(7) in html


def test_the_manage_page_links_to_the_campaigns(client, auth, make, campaign_round):
    agency, rnd, _ = campaign_round
    auth.login(make.user("moderator", agency))
    html = _text(client.get(f"/kelola/{agency.slug}/putaran/{rnd.id}"))
    assert f'href="{_campaigns_url(agency, rnd)}"' in html


def test_the_campaigns_page_runs_the_same_queries_for_few_and_many(client, app, auth, make):
    agency = make.agency()
    small, big = make.round(agency), make.round(agency)
    for rnd, campaigns, copies in ((small, 1, 3), (big, 4, 9)):
        for c in range(campaigns):
            for i in range(copies):
                text = f"{STATEMENTS[2 * c]} {STATEMENTS[2 * c + 1]} Mohon segera ditindaklanjuti oleh dinas."
                post_comment(make.user(), rnd, text + "!" * i)
        services.refresh_campaigns(rnd.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign).where(Campaign.round_id == big.id)) >= 2
    auth.login(make.user("moderator", agency))
    small_url, big_url = _campaigns_url(agency, small), _campaigns_url(agency, big)
    n_small = _count_queries(app, lambda: client.get(small_url))
    n_big = _count_queries(app, lambda: client.get(big_url))
    assert n_small == n_big


# --- 33,000 participants: the whole page stays small ---------------------------------------------------------


def store_synthetic_result(rnd, comments, *, participants: int = 33_000, k: int = 4, seed: int = 7) -> None:
    """A stored result of the size of Polis's largest public conversation, written directly (computing it is
    the benchmarks' business): the page only reads what is stored."""
    import json

    from consult.deliberation.models import OpinionSnapshot

    points = _planted(participants, groups=k, seed=seed)
    size = participants // k
    ids = [c.id for c in comments]

    def per_group(j: int):
        return [
            {
                "group": g,
                "agree": (size * (g + j + 1)) // (k + 9),
                "disagree": size // (j + 3),
                "passed": 40,
                "seen": size,
            }
            for g in range(k)
        ]

    detail = {
        "k": k,
        "groups": [
            {
                "id": g,
                "size": size,
                "center": [0.5 * g, -0.5 * g],
                "representative": [
                    {
                        "comment_id": ids[(g + r) % len(ids)],
                        "direction": "agree" if r % 2 == 0 else "disagree",
                        "agree": 10,
                        "disagree": 2,
                        "passed": 1,
                        "seen": 13,
                        "p": 0.8,
                        "z": 3.0,
                        "repness": 2.0,
                        "z_repness": 2.5,
                        "best_agree": r == 0,
                    }
                    for r in range(5)
                ],
            }
            for g in range(k)
        ],
        "comments": [{"comment_id": cid, "groups": per_group(j)} for j, cid in enumerate(ids)],
        "consensus": [{"comment_id": ids[-1], "direction": "agree", "score": 0.7}],
        "divisive": [
            {"comment_id": cid, "score": 0.5, "most_agreeing_group": 0, "least_agreeing_group": 1, "z": 3}
            for cid in ids[:8]
        ],
        "unclustered": 1234,
        "silhouettes": {},
        "message": None,
    }
    contract = {
        "round_id": rnd.id,
        "k": k,
        "participants": [{"participant": f"P-{i}", "group": g, "x": x, "y": y} for i, (x, y, g) in enumerate(points)],
        "consensus": [],
        "divisive": [],
    }
    with write_transaction():
        db.session.add(
            OpinionSnapshot(
                round_id=rnd.id,
                section_key="",
                snapshot="synthetic",
                k=k,
                participant_count=participants,
                vote_count=2_000_000,
                contract_json=json.dumps(contract),
                detail_json=json.dumps(detail),
                state_json="{}",
            )
        )


def test_the_page_for_33000_participants_stays_small(client, make):
    rnd = make.round()
    author = make.user()
    comments = [post_comment(author, rnd, text) for text in STATEMENTS]
    store_synthetic_result(rnd, comments)
    response = client.get(f"/rounds/{rnd.id}/pendapat", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    compressed = len(response.get_data())
    raw = len(_text(client.get(f"/rounds/{rnd.id}/pendapat", headers={"Accept-Encoding": "identity"})).encode())
    # measured: 80 KB of HTML (28 KB of it the map: 801 cells), 8 KB as sent with Brotli
    assert raw < 150_000, raw
    assert compressed < 20_000, compressed
    html = _text(client.get(f"/rounds/{rnd.id}/pendapat"))
    assert "33.000" in html and "petak kecil peta" in html  # the aggregated map says so


def test_both_pages_in_english(client, auth, make, computed, campaign_round):
    _a, rnd, _c, _ = computed
    agency, crnd, _copies = campaign_round
    client.get("/bahasa/en?next=/")
    html = _text(client.get(f"/rounds/{rnd.id}/pendapat"))
    assert "Opinion groups" in html and "Group A" in html and "What the groups agree on" in html
    auth.login(make.user("moderator", agency))
    html = _text(client.get(_campaigns_url(agency, crnd)))
    assert "campaign: 7 near-identical comments" in html and "Recompute campaigns" in html


def test_copies_of_one_campaign_are_one_statement_in_each_list():
    def tally(g):
        return {"group": g, "agree": 3, "disagree": 1, "passed": 0, "seen": 4}

    rep = [
        {"comment_id": c, "direction": "agree", "agree": 3, "disagree": 1, "passed": 0, "seen": 4} for c in (1, 2, 3, 4)
    ]
    detail = {
        "k": 2,
        "groups": [
            {"id": 0, "size": 5, "center": [0, 0], "representative": rep},
            {"id": 1, "size": 4, "center": [1, 1]},
        ],
        "comments": [{"comment_id": c, "groups": [tally(0), tally(1)]} for c in (1, 2, 3, 4, 5)],
        "consensus": [{"comment_id": c, "direction": "agree", "score": 0.5} for c in (2, 3, 5)],
        "divisive": [{"comment_id": c, "score": 0.4} for c in (1, 3)],
    }
    campaign_of = {1: 7, 2: 7, 3: 7, 4: None, 5: None}  # 1, 2 and 3 are copies of one letter
    view = build_view(detail, {1, 2, 3, 4, 5}, campaign_of)
    assert [s.comment_id for s in view.groups[0].statements] == [1, 4]
    assert [s.comment_id for s in view.consensus] == [2, 5]
    assert [s.comment_id for s in view.divisive] == [1]
    # without campaigns every comment is its own statement
    assert [s.comment_id for s in build_view(detail, {1, 2, 3, 4, 5}).groups[0].statements] == [1, 2, 3, 4]


def test_the_demo_page_shows_its_campaign_once_per_list_with_its_count(client):
    from consult.demo import load_demo
    from consult.demo_content import OPEN_ROUND, SERVICE_STANDARD
    from consult.rounds.models import Round

    load_demo()
    rnd = db.session.scalar(sa.select(Round).where(Round.title == SERVICE_STANDARD["title"]))
    html = client.get(f"/rounds/{rnd.id}/pendapat").get_data(as_text=True)
    letter_start = OPEN_ROUND["campaign"]["letter"][:40]
    lists = re.split(r"<h[23][^>]*>", html)
    assert all(part.count(letter_start) <= 1 for part in lists)
    assert html.count(letter_start) >= 1
    assert "kampanye: 6 komentar hampir identik" in html
