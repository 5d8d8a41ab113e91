"""A published new version of a document is visible where its rounds are: the round page names the version it
consulted on and links to a newer one once published (its cached anonymous copy is made again), and the public
page of a version says which rounds consulted on it and on earlier versions."""

from __future__ import annotations

import pytest

from consult.documents.services import publish_version, start_new_draft, update_draft
from consult.extensions import db
from consult.rounds.models import Round


def _publish_v2(document):
    draft = start_new_draft("test", document)
    update_draft("test", draft, document.title, document.summary, markdown="## Satu\n\nTeks baru.\n")
    return publish_version("test", draft)


@pytest.fixture
def world(make):
    agency = make.agency()
    document = make.policy(agency)
    return {"agency": agency, "document": document, "round": make.round(agency, document=document)}


def test_the_round_page_names_the_version_it_consulted_on(client, world):
    html = client.get(f"/rounds/{world['round'].id}").get_data(as_text=True)
    doc_id = world["document"].id
    assert f'<a href="/dokumen/{doc_id}/versi/1">Konsultasi ini atas versi 1 dokumen</a>' in html
    assert "Versi yang lebih baru" not in html


def test_publishing_a_newer_version_links_it_from_the_cached_round_page(client, world):
    url = f"/rounds/{world['round'].id}"
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304  # cached
    revision = db.session.get(Round, world["round"].id).public_revision
    _publish_v2(world["document"])
    assert db.session.get(Round, world["round"].id, populate_existing=True).public_revision == revision + 1

    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200  # a new copy: the old one does not know of version 2
    html = again.get_data(as_text=True)
    doc_id = world["document"].id
    assert "Versi yang lebih baru dari dokumen ini sudah diterbitkan: versi 2." in html
    assert f'<a href="/dokumen/{doc_id}/versi/2">Baca versi 2</a>' in html
    assert f'href="/dokumen/{doc_id}/versi/1">Konsultasi ini atas versi 1' in html  # still version 1's round


def test_a_newer_draft_is_not_announced(client, world):
    start_new_draft("test", world["document"])
    html = client.get(f"/rounds/{world['round'].id}").get_data(as_text=True)
    assert "Versi yang lebih baru" not in html


def test_the_newer_versions_page_names_the_rounds_on_earlier_versions(client, make, world):
    v2 = _publish_v2(world["document"])
    on_v2 = make.round(world["agency"], document=world["document"], state="scheduled")
    doc_id = world["document"].id

    html = client.get(f"/dokumen/{doc_id}/versi/{v2.number}").get_data(as_text=True)
    assert "Teks baru." in html
    this, earlier = html.split("Atas versi sebelumnya:")
    assert f'href="/rounds/{on_v2.id}"' in this.split("Atas versi ini:")[1]
    assert f'href="/rounds/{world["round"].id}"' in earlier and f'href="/dokumen/{doc_id}/versi/1"' in earlier
    assert "Versi yang lebih baru" not in html

    old = client.get(f"/dokumen/{doc_id}/versi/1").get_data(as_text=True)
    assert "Teks satu." in old and f'<a href="/dokumen/{doc_id}/versi/2">Baca versi 2</a>' in old
    assert f'href="/rounds/{on_v2.id}"' not in old  # a later round is not "on an earlier version"


def test_drafts_and_unknown_versions_are_not_public(client, world):
    draft = start_new_draft("test", world["document"])
    doc_id = world["document"].id
    assert client.get(f"/dokumen/{doc_id}/versi/{draft.number}").status_code == 404
    assert client.get(f"/dokumen/{doc_id}/versi/9").status_code == 404
    assert client.get("/dokumen/98765/versi/1").status_code == 404
