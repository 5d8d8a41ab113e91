"""Public pages: home, round list, round page, errors, language."""

from __future__ import annotations


def test_home_lists_open_upcoming_and_closed_rounds(client, make):
    agency = make.agency(name="Dinas Uji")
    open_round = make.round(agency, state="open")
    upcoming = make.round(agency, state="scheduled", document=make.policy(agency, title="Rancangan Mendatang"))
    closed = make.round(agency, state="closed", document=make.policy(agency, title="Rancangan Lama"))
    html = client.get("/").get_data(as_text=True)
    for rnd in (open_round, upcoming, closed):
        assert f"/rounds/{rnd.id}" in html
    assert (
        html.index(f"/rounds/{open_round.id}")
        < html.index(f"/rounds/{upcoming.id}")
        < html.index(f"/rounds/{closed.id}")
    )
    assert "Dinas Uji" in html
    assert "Ringkasan uji" in html
    assert '<html lang="id">' in html


def test_round_page_shows_sections_and_state(client, make):
    rnd = make.round(state="open")
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert 'id="satu"' in html and 'id="dua"' in html
    assert "Teks satu." in html
    assert "badge-open" in html


def test_round_state_follows_its_times(client, make):
    agency = make.agency()
    assert "badge-scheduled" in client.get(f"/rounds/{make.round(agency, state='scheduled').id}").get_data(True)
    assert "badge-closed" in client.get(f"/rounds/{make.round(agency, state='closed').id}").get_data(True)


def test_unknown_round_is_a_friendly_404_in_indonesian(client):
    response = client.get("/rounds/424242")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_english_can_be_chosen(client):
    response = client.post("/bahasa", data={"lang": "en", "next": "/"})
    assert response.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Have your say on public services" in html


def test_healthz_does_not_need_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_security_headers_on_pages(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_times_are_shown_in_the_agencys_zone_without_seconds(app):
    import datetime as dt

    with app.test_request_context("/"):
        localtime = app.jinja_env.filters["localtime"]
        assert localtime(dt.datetime(2026, 11, 21, 18, 30, 34), "Asia/Jakarta") == "22 Nov 2026, 01.30 WIB"
        assert localtime(dt.datetime(2026, 11, 21, 18, 30), "Asia/Jayapura").endswith("03.30 WIT")


def _count_queries(app, fn) -> int:
    import sqlalchemy as sa

    from consult.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    # In tests the request shares the test's app context and so its session: start from an empty identity
    # map, as a real request does, so nothing cached by the test hides a query.
    db.session.remove()
    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_round_page_query_count_does_not_grow_with_the_document(app, client, make):
    agency = make.agency()
    small = make.round(agency, document=make.policy(agency, markdown="## A\n\na\n\n## B\n\nb\n"))
    big_text = "\n\n".join(f"## Bagian {i}\n\nIsi bagian {i}." for i in range(60))
    big = make.round(agency, document=make.policy(agency, markdown=big_text, title="Besar"))
    small_id, big_id = small.id, big.id
    n_small = _count_queries(app, lambda: client.get(f"/rounds/{small_id}"))
    n_big = _count_queries(app, lambda: client.get(f"/rounds/{big_id}"))
    assert n_small == n_big
    # round, version and sections (the first time only), section tallies, first page of comments; public
    # changes only for a round that has some (closed early, extended)
    assert n_small == 5
    # the published version is kept in memory by the process: three queries from then on (a page rendered
    # again: another anonymous address, the same round)
    assert _count_queries(app, lambda: client.get(f"/rounds/{big_id}?urut=setuju")) == 3
    # and the same page again for an anonymous reader: from the page cache, after reading the round's row
    assert _count_queries(app, lambda: client.get(f"/rounds/{big_id}")) == 1


def test_home_query_count_is_constant(app, client, make):
    agency = make.agency()
    make.round(agency)
    n_one = _count_queries(app, lambda: client.get("/"))
    for i in range(5):
        make.round(make.agency(), document=None, state=("open", "closed", "scheduled")[i % 3])
    assert _count_queries(app, lambda: client.get("/")) == n_one


def test_section_ids_never_clash_with_heading_ids(client, make):
    # A heading "Satu H" has the key "satu-h"; heading ids use "--" (never in a key) so ids stay unique.
    rnd = make.round(document=make.policy(make.agency(), markdown="## Satu\n\na\n\n## Satu H\n\nb\n\n## Toc H\n\nc"))
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    import re

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'id="satu-h"' in html and 'id="satu--judul"' in html


def test_round_page_query_count_is_the_same_for_a_small_and_a_large_discussion(app, client, make, auth):
    """The page's cost must not grow with the round: same number of queries for 3 or 60 comments."""
    from consult.participation import services

    agency = make.agency()
    viewer = make.user(verified=True)
    counts = []
    for n_comments in (3, 60):
        rnd = make.round(agency, document=make.policy(agency, title=f"Rancangan {n_comments}"))
        section_id = rnd.version.sections[0].id
        authors = [make.user() for _ in range(4)]
        for i in range(n_comments):
            comment = services.post_comment(
                authors[i % 4], rnd, f"Komentar {i}", section_id=section_id, stance="support" if i % 2 else None
            )
            if i % 3 == 0:
                services.post_comment(authors[(i + 1) % 4], rnd, "Balasan", parent_id=comment.id)
            services.vote(viewer, comment, 1)
        services.set_stance(viewer, rnd, section_id, "oppose")
        counts.append((rnd.id,))
    auth.login(viewer)
    n_small = _count_queries(app, lambda: client.get(f"/rounds/{counts[0][0]}"))
    n_large = _count_queries(app, lambda: client.get(f"/rounds/{counts[1][0]}"))
    html = client.get(f"/rounds/{counts[1][0]}").get_data(as_text=True)
    assert html.count('<li class="comment') == 20 and "cursor=" in html
    assert n_small == n_large


def test_htmx_comment_with_a_stance_updates_the_tally_and_count_in_place(client, make, auth):
    rnd = make.round()
    section = rnd.version.sections[0]
    citizen = make.user(verified=True)
    auth.login(citizen)
    response = client.post(
        f"/rounds/{rnd.id}/komentar",
        data={"body": "Setuju dengan bagian ini.", "section_id": str(section.id), "stance": "oppose"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="sikap-{section.id}" hx-swap-oob="true"' in html
    assert 'id="jumlah-komentar" hx-swap-oob="true"' in html and "(1 " in html
    assert 'id="form-komentar"' in html and "Setuju dengan bagian ini.</textarea>" not in html
