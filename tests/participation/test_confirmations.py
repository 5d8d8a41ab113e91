"""Without JavaScript, a confirmation (or a refusal) is shown where the redirect lands, not at the top of a long
page: on the comment (?baru=<id>#c<id>) or at the section's stance buttons (?sikap=<id>#sikap-<id>)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from consult.participation import services


def flashes_in(html: str, element_id: str) -> str:
    """The messages block inside the element with this id (up to the element's first closing </div>)."""
    part = html.split(f'id="{element_id}"', 1)[1]
    match = re.search(r'<div class="flashes"[^>]*>(.*?)</div>', part, re.S)
    return match.group(1) if match and part.index('<div class="flashes"') < part.index("</div>") else ""


def test_a_stance_without_javascript_is_confirmed_at_its_buttons_with_one_parameter(client, auth, make):
    rnd = make.round()
    section = rnd.version.sections[1].id
    auth.login(make.user(verified=True))
    sent_from = f"/rounds/{rnd.id}?urut=setuju&sikap=999#sikap-{section}"  # the page it was pressed on
    answer = client.post(f"/rounds/{rnd.id}/bagian/{section}/sikap", data={"value": "support", "next": sent_from})
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    assert parse_qs(target.query) == {"urut": ["setuju"], "sikap": [str(section)]}  # the list kept, one target
    assert target.fragment == f"sikap-{section}"
    html = client.get(f"{target.path}?{target.query}").get_data(as_text=True)
    assert "Sikap Anda telah disimpan." in flashes_in(html, f"sikap-{section}")
    assert html.count('class="flashes"') == 1, "not at the top of the page as well"


def test_a_refused_vote_without_javascript_is_said_on_the_comment(client, auth, make):
    rnd = make.round()
    author = make.user(verified=True)
    own = services.post_comment(author, rnd, "Komentar saya.")
    auth.login(author)
    answer = client.post(f"/comments/{own.id}/suara", data={"value": "1"})  # one's own comment: refused
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    assert (parse_qs(target.query), target.fragment) == ({"baru": [str(own.id)]}, f"c{own.id}")
    html = client.get(f"{target.path}?{target.query}").get_data(as_text=True)
    assert 'class="flash flash-error"' in flashes_in(html, f"c{own.id}")
    assert html.count('class="flashes"') == 1


def test_a_shared_link_with_a_confirmation_parameter_shows_nothing_more(client, make):
    rnd = make.round()
    section = rnd.version.sections[0].id
    comment = services.post_comment(make.user(verified=True), rnd, "Komentar.")
    plain = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    for query in (f"sikap={section}", f"baru={comment.id}"):
        html = client.get(f"/rounds/{rnd.id}?{query}").get_data(as_text=True)
        assert 'class="flashes"' not in html
        assert html.count('<li class="comment') == plain.count('<li class="comment') == 1
