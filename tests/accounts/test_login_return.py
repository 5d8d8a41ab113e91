"""The header's "Masuk" (and "Daftar") link brings the person back to the page they were on: a safe, local `next`,
the page's own address (the same for every anonymous reader of a cached page), through login and through
registration and the confirmation link."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from consult.web import safe_local_path
from tests.conftest import PASSWORD
from tests.mailbox import last_mail, link

HOSTILE = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " /rounds",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%0d%0aSet-Cookie:%20a=b",
    "/x\r\nSet-Cookie: a=b",
    "rounds/1",
    "/" + "a" * 1200,
]


def _header_links(page: str) -> dict[str, str]:
    """The header's log-in and register links, by their path."""
    header = page.split('<header class="site">', 1)[1].split("</header>", 1)[0]
    hrefs = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)"', header)]
    return {path: h for h in hrefs for path in ("/login", "/register") if urlsplit(h).path == path}


def _next_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("next")
    return values[0] if values else None


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_local_path_refuses_anything_that_could_leave_the_site(target):
    assert safe_local_path(target) is None


@pytest.mark.parametrize(
    "target", ["/", "/rounds/1", "/rounds/1?bagian=2&urut=setuju", "/rounds/1#c5", "/putaran?x=%2F%2Fa", "/a:b"]
)
def test_safe_local_path_keeps_path_query_and_fragment(target):
    assert safe_local_path(target) == target


def test_the_header_log_in_link_carries_the_pages_own_address_and_logging_in_returns_there(client, make):
    rnd = make.round()
    user = make.user()
    page = client.get(f"/rounds/{rnd.id}?urut=setuju").get_data(as_text=True)
    links = _header_links(page)
    assert _next_of(links["/login"]) == f"/rounds/{rnd.id}?urut=setuju"
    assert _next_of(links["/register"]) == f"/rounds/{rnd.id}?urut=setuju"
    login_page = client.get(links["/login"]).get_data(as_text=True)
    assert f'name="next" type="hidden" value="/rounds/{rnd.id}?urut=setuju"' in login_page
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": f"/rounds/{rnd.id}?urut=setuju"}
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/rounds/{rnd.id}?urut=setuju"


def test_a_cached_anonymous_page_names_only_its_own_address(client, make):
    rnd = make.round()
    first = client.get(f"/rounds/{rnd.id}")
    again = client.get(f"/rounds/{rnd.id}")  # from the page cache: the same bytes for every anonymous reader
    assert first.get_data() == again.get_data()
    assert _next_of(_header_links(first.get_data(as_text=True))["/login"]) == f"/rounds/{rnd.id}"
    other = client.get("/putaran").get_data(as_text=True)
    assert _next_of(_header_links(other)["/login"]) == "/putaran"


@pytest.mark.parametrize("path", ["/login", "/register", "/lupa-sandi", "/konfirmasi/secret-token", "/"])
def test_pages_not_worth_returning_to_or_holding_a_token_give_no_next(client, path):
    page = client.get(path).get_data(as_text=True)
    links = _header_links(page)
    assert links and all(_next_of(url) is None for url in links.values()), links


@pytest.mark.parametrize("target", HOSTILE)
def test_logging_in_with_a_hostile_next_lands_at_home(client, make, target):
    user = make.user()
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]  # the footer's language links quote the address, encoded
    assert 'name="next" type="hidden" value=""' in main and "evil" not in main and "javascript" not in main.lower()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:alert(1)"])
def test_a_failed_login_does_not_echo_a_hostile_next(client, make, target):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": "salah-sandi", "next": target})
    assert response.status_code == 401
    main = response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    assert 'name="next" type="hidden" value=""' in main and "evil" not in main and "javascript" not in main


def test_registering_then_confirming_returns_to_the_page_the_person_came_from(client, make):
    rnd = make.round()
    back = f"/rounds/{rnd.id}?bagian={rnd.version.sections[1].id}"
    form = client.get("/register", query_string={"next": back}).get_data(as_text=True)
    assert html.escape(back) in form
    response = client.post(
        "/register", data={"name": "Warga Baru", "email": "baru@example.org", "password": PASSWORD, "next": back}
    )
    assert response.status_code == 303
    confirm = link(last_mail("baru@example.org", "account_confirm"), "/konfirmasi/")
    assert _next_of(confirm) == back
    response = client.post(confirm)
    assert response.status_code == 303 and _next_of(response.headers["Location"]) == back
    assert urlsplit(response.headers["Location"]).path == "/login"
    response = client.post("/login", data={"email": "baru@example.org", "password": PASSWORD, "next": back})
    assert response.headers["Location"] == back


def test_confirming_while_logged_in_returns_to_the_page_directly(client):
    client.post(
        "/register", data={"name": "Warga Baru", "email": "baru@example.org", "password": PASSWORD, "next": "/putaran"}
    )
    client.post("/login", data={"email": "baru@example.org", "password": PASSWORD})
    confirm = link(last_mail("baru@example.org", "account_confirm"), "/konfirmasi/")
    response = client.post(confirm)
    assert response.status_code == 303 and response.headers["Location"] == "/putaran"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_a_hostile_next_never_reaches_the_confirmation_link_nor_its_redirect(client, target):
    client.post(
        "/register", data={"name": "Warga Baru", "email": "baru@example.org", "password": PASSWORD, "next": target}
    )
    confirm = link(last_mail("baru@example.org", "account_confirm"), "/konfirmasi/")
    assert _next_of(confirm) is None
    token_path = urlsplit(confirm).path
    response = client.post(token_path, query_string={"next": target})
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).netloc == "" and "evil" not in response.headers["Location"]
