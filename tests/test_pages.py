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
    assert html.index(f"/rounds/{open_round.id}") < html.index(f"/rounds/{upcoming.id}") < html.index(
        f"/rounds/{closed.id}")
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
