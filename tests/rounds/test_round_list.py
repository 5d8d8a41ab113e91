"""/putaran: every round grouped by state (open closing soonest first, upcoming opening soonest first, closed most
recently closed first), a filter by state and agency, keyset pages per group, a constant number of queries; and
dates that read one way only, in a <time datetime> element, on every page that shows a round."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_babel import force_locale

from consult.extensions import db, write_transaction
from consult.rounds.models import Round
from consult.timeutil import utcnow
from tests.web.test_pages import _count_queries


def _set_times(rnd, opens_at, closes_at, closed_at=None) -> int:
    with write_transaction():
        row = db.session.get(Round, rnd.id)
        row.opens_at, row.closes_at, row.closed_at = opens_at, closes_at, closed_at
    return rnd.id


def _ids(html: str, group: str) -> list[int]:
    """The rounds listed in one group's section of the page, in order."""
    match = re.search(rf'<section aria-labelledby="h-{group}".*?</section>', html, re.S)
    assert match, f"no {group} group on the page"
    return list(dict.fromkeys(int(i) for i in re.findall(r'href="/rounds/(\d+)"', match.group(0))))


@pytest.fixture
def world(make):
    """Three rounds in each state, created in an order that differs from the order each group must show."""
    now = utcnow()
    agency, other = make.agency(name="Dinas A"), make.agency(name="Dinas B")
    document = make.policy(agency)
    day = dt.timedelta(days=1)
    open_ids = [
        _set_times(make.round(agency, document=document), now - day, now + n * day) for n in (9, 2, 5)
    ]  # closing in 9, 2, 5 days
    scheduled_ids = [
        _set_times(make.round(agency, document=document), now + n * day, now + 40 * day) for n in (7, 1, 3)
    ]
    closed_ids = [
        _set_times(make.round(agency, document=document), now - 30 * day, now - 8 * day),  # closed 8 days ago
        _set_times(make.round(agency, document=document), now - 30 * day, now + 9 * day, now - 1 * day),  # early
        _set_times(make.round(agency, document=document), now - 30 * day, now - 4 * day),
    ]
    other_round = make.round(other)
    return {
        "agency": agency,
        "other": other,
        "open": [open_ids[1], open_ids[2], open_ids[0], other_round.id],
        "scheduled": [scheduled_ids[1], scheduled_ids[2], scheduled_ids[0]],
        "closed": [closed_ids[1], closed_ids[2], closed_ids[0]],
        "other_round": other_round.id,
    }


def test_rounds_are_grouped_by_state_each_in_the_order_a_reader_needs(client, world):
    html = client.get("/putaran").get_data(as_text=True)
    # closing soonest first (the other agency's round closes in 29 days, last)
    assert _ids(html, "dibuka") == world["open"]
    assert _ids(html, "mendatang") == world["scheduled"]  # opening soonest first
    assert _ids(html, "ditutup") == world["closed"]  # most recently closed first (an early closing counts when)
    assert html.index('id="h-dibuka"') < html.index('id="h-mendatang"') < html.index('id="h-ditutup"')


def test_the_filter_shows_one_state_or_one_agency(client, world):
    html = client.get("/putaran?status=ditutup").get_data(as_text=True)
    assert 'id="h-dibuka"' not in html and 'id="h-mendatang"' not in html
    assert _ids(html, "ditutup") == world["closed"]
    assert '<option value="ditutup" selected>' in html

    html = client.get(f"/putaran?instansi={world['other'].slug}").get_data(as_text=True)
    assert _ids(html, "dibuka") == [world["other_round"]]
    assert _ids(html, "ditutup") == [] and _ids(html, "mendatang") == []
    assert f'<option value="{world["other"].slug}" selected>' in html

    html = client.get(f"/putaran?instansi={world['agency'].slug}&status=dibuka").get_data(as_text=True)
    assert _ids(html, "dibuka") == world["open"][:3]


@pytest.mark.parametrize(
    "query", ["status=semua", "status=open", "instansi=tidak-ada", "cursor=abc", "cursor=-1", "cursor=My4yLjM"]
)
def test_a_bad_filter_or_cursor_is_a_422_naming_it(client, world, query):
    response = client.get(f"/putaran?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.get_data(as_text=True)


def test_each_group_pages_by_keyset_with_no_round_twice_or_missing(client, make):
    agency = make.agency()
    document = make.policy(agency)
    now = utcnow()
    ids = [
        _set_times(make.round(agency, document=document), now - dt.timedelta(days=1), now + dt.timedelta(hours=h))
        for h in range(60, 35, -1)
    ]  # 25 open rounds, created latest-closing first
    expected = list(reversed(ids))
    html = client.get("/putaran").get_data(as_text=True)
    assert _ids(html, "dibuka") == expected[:10]
    (more,) = re.findall(r'href="(/putaran\?status=dibuka[^"]*cursor=[^"]+)"', html)
    html = client.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert _ids(html, "dibuka") == expected[10:]  # the rest of the group, 20 a page
    assert 'id="h-ditutup"' not in html
    assert "cursor=" not in html.split('id="h-dibuka"')[1]

    html = client.get("/putaran?status=dibuka").get_data(as_text=True)
    assert _ids(html, "dibuka") == expected[:20]
    (next_page,) = re.findall(r'href="(/putaran\?status=dibuka[^"]*cursor=[^"]+)"', html)
    assert _ids(client.get(next_page.replace("&amp;", "&")).get_data(as_text=True), "dibuka") == expected[20:]


def test_a_cursor_of_one_group_is_refused_for_another(client, make):
    agency = make.agency()
    document = make.policy(agency)
    for _ in range(11):
        make.round(agency, document=document)
    html = client.get("/putaran").get_data(as_text=True)
    (more,) = re.findall(r'href="/putaran\?[^"]*(cursor=[^"&]+)', html)
    assert client.get(f"/putaran?status=ditutup&{more}").status_code == 422
    assert client.get(f"/putaran?{more}").status_code == 200  # the cursor names its group


def test_the_list_costs_the_same_number_of_queries_however_many_rounds(app, client, make):
    agency = make.agency()
    for state in ("open", "scheduled", "closed"):
        make.round(agency, state=state)
    n_few = _count_queries(app, lambda: client.get("/putaran"))
    for i in range(30):
        make.round(make.agency(), state=("open", "scheduled", "closed")[i % 3])
    assert _count_queries(app, lambda: client.get("/putaran")) == n_few
    assert n_few <= 5  # the agency filter's list and one query per group


# --- dates ---------------------------------------------------------------------------------------------------


def test_a_moment_reads_with_the_month_as_a_word_and_the_agencys_zone_in_a_time_element(app):
    moment = dt.datetime(2026, 12, 12, 7, 0)  # naive UTC: 14.00 in Jakarta
    timetag = app.jinja_env.filters["timetag"]
    with app.test_request_context("/"):
        assert str(timetag(moment, "Asia/Jakarta")) == (
            '<time datetime="2026-12-12T14:00:00+07:00">12 Des 2026, 14.00 WIB</time>'
        )
        assert str(timetag(moment, "Asia/Makassar")).endswith(">12 Des 2026, 15.00 WITA</time>")
        assert str(timetag(moment, "Asia/Jayapura")).endswith(">12 Des 2026, 16.00 WIT</time>")
        assert timetag(None) == ""
    with app.test_request_context("/"), force_locale("en"):
        assert str(timetag(moment, "Asia/Jakarta")) == (
            '<time datetime="2026-12-12T14:00:00+07:00">Dec 12, 2026, 2:00\u202fPM WIB</time>'
        )


def test_every_page_that_shows_a_round_writes_its_times_in_time_elements(client, auth, make):
    from consult.rounds import services

    agency = make.agency()
    rnd = make.round(agency)
    services.extend_round(make.user("agency_admin", agency), rnd, utcnow() + dt.timedelta(days=50), "Alasan publik.")
    iso = re.compile(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00">\d{1,2} \w{3} \d{4}, \d\d\.\d\d WIB</time>'
    )
    for path in ("/", "/putaran", f"/rounds/{rnd.id}"):
        html = client.get(path).get_data(as_text=True)
        assert iso.search(html), path
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    # the public change names both moments inside the translated sentence, as elements, not escaped text
    assert "&lt;time" not in html
    assert len(iso.findall(html)) >= 4  # opened, closes, and the extension's moment and new closing time
    admin = make.user("agency_admin", agency)
    auth.login(admin)
    for path in (f"/kelola/{agency.slug}", f"/kelola/{agency.slug}/putaran/{rnd.id}"):
        html = client.get(path).get_data(as_text=True)
        assert iso.search(html) and "&lt;time" not in html, path
