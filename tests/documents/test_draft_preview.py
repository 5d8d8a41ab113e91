"""The document form's preview: the first submit shows the sections as the public will see them and what would be
removed, saves nothing; "Simpan" saves, "Ubah lagi" gives the form back with everything that was sent. A Word file
goes through the same preview. Section keys are anchors, never text, on the document and round pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
import sqlalchemy as sa

from consult.documents.docx_import import MAX_DOCX_BYTES
from consult.documents.models import Document, Section
from consult.extensions import db
from tests.documents.docx_files import agency_draft

PASTED = (
    "Pengantar.\n\n# Ketentuan Umum\n\nIsi.\n\n## Pasal 1 — Jam Layanan\n\n"
    'Loket buka <span style="color:red">08.00</span> sampai 14.00.\n\n### Ayat (1)\n\nRincian ayat.\n\n'
    "## Pasal 2 — Denah\n\n![Denah loket](https://example.org/denah.png)\n\n<div>Loket 3.</div>\n"
)


@pytest.fixture
def admin_client(client, auth, make):
    """A client logged in as the agency admin of a new agency, with pages in English."""
    agency = make.agency()
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    auth.login(make.user("agency_admin", agency))
    client.agency = agency
    return client


def multipart(fields: dict[str, str], filename: str, data: bytes) -> dict:
    """A multipart body written out in memory: the test client would spool a large one to a temporary file that
    it never closes."""
    parts = [
        f'--grens\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    head = f'--grens\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n\r\n'.encode()
    body = b"".join(parts) + head + data + b"\r\n--grens--\r\n"
    return {"data": body, "content_type": "multipart/form-data; boundary=grens"}


def count_documents() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Document))


class TextAndAttributes(HTMLParser):
    """The text a person reads on a page, apart from the values of id and href attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.anchors: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            (self.anchors if name in {"id", "href", "aria-labelledby"} else self.text).append(value or "")

    def handle_data(self, data):
        self.text.append(data)


def test_the_first_submit_previews_the_sections_and_what_is_dropped_and_saves_nothing(admin_client):
    url = f"/kelola/{admin_client.agency.slug}/dokumen/baru?jenis=policy"
    response = admin_client.post(url, data={"title": "Rancangan Jam Layanan", "summary": "", "body": PASTED})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert count_documents() == 0
    titles = re.findall(r'<h2 id="pratinjau-\d+">([^<]*)</h2>', html)
    assert titles == ["Pembuka", "Ketentuan Umum", "Pasal 1 — Jam Layanan", "Pasal 2 — Denah"]
    assert "<h3>Ayat (1)</h3>" in html  # level 3 is below the default split: a sub-heading of Pasal 1
    assert "Loket buka 08.00 sampai 14.00." in html and "<p>Loket 3.</p>" in html
    shown = html[html.index("4 sections") :]
    assert "&lt;span" not in shown and "&lt;div" not in shown  # the HTML is not shown as text in the sections
    report = html[html.index('id="dibuang--judul"') : html.index("</ul>", html.index('id="dibuang--judul"'))]
    assert "Section 3 (Pasal 1 — Jam Layanan): raw HTML &lt;span&gt; removed" in report
    assert "Section 4 (Pasal 2 — Denah): an image ![Denah loket](https://example.org/denah.png)" in report
    assert "describe it in words" in report and "Section 4 (Pasal 2 — Denah): raw HTML &lt;div&gt; removed" in report
    assert 'name="aksi" value="simpan"' in html and 'name="aksi" value="ubah"' in html
    for key in ("pembuka", "ketentuan-umum", "pasal-1-jam-layanan", "pasal-2-denah"):
        assert key not in html  # keys are no business of the preview


def test_change_again_gives_back_everything_that_was_sent(admin_client):
    url = f"/kelola/{admin_client.agency.slug}/dokumen/baru?jenis=policy"
    sent = {"title": "Rancangan <Jam> & Layanan", "summary": "Ringkas & jelas", "body": PASTED, "split_level": "3"}
    preview = admin_client.post(url, data=sent).get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', preview))
    assert set(hidden) >= {"title", "summary", "body", "split_level"}
    assert "Ayat (1)</h2>" in preview  # split at level 3 as chosen
    back = admin_client.post(url, data={**_unescape(hidden), "aksi": "ubah"})
    assert back.status_code == 200
    form = back.get_data(as_text=True)
    assert 'value="Rancangan &lt;Jam&gt; &amp; Layanan"' in form and 'value="Ringkas &amp; jelas"' in form
    assert "Loket buka &lt;span style=&#34;color:red&#34;&gt;08.00&lt;/span&gt;" in form  # the body as typed
    assert '<option selected value="3">' in form
    assert count_documents() == 0


def _unescape(values: dict[str, str]) -> dict[str, str]:
    import html

    return {k: html.unescape(v) for k, v in values.items()}


def test_save_from_the_preview_stores_exactly_what_was_previewed(admin_client):
    url = f"/kelola/{admin_client.agency.slug}/dokumen/baru?jenis=policy"
    preview = admin_client.post(url, data={"title": "Rancangan", "summary": "", "body": PASTED})
    hidden = _unescape(
        dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', preview.get_data(as_text=True)))
    )
    response = admin_client.post(url, data={**hidden, "aksi": "simpan"})
    assert response.status_code == 303
    version = db.session.scalars(sa.select(Document)).one().latest_version
    assert version.body_markdown == PASTED
    assert [s.title for s in version.sections] == [
        "Pembuka",
        "Ketentuan Umum",
        "Pasal 1 — Jam Layanan",
        "Pasal 2 — Denah",
    ]
    assert (
        "Loket buka 08.00 sampai 14.00." in version.sections[2].body_html
        and "span" not in version.sections[2].body_html
    )


def test_editing_a_draft_previews_before_replacing_it_and_keeps_its_split_level(admin_client, make):
    slug = admin_client.agency.slug
    document = make.policy(admin_client.agency, publish=False, markdown="# A\n\na\n\n### A1\n\nx\n")
    url = f"/kelola/{slug}/dokumen/{document.id}/ubah"
    assert '<option selected value="2">' in admin_client.get(url).get_data(as_text=True)
    preview = admin_client.post(url, data={"title": "Baru", "summary": "", "body": "## B\n\nb\n", "split_level": "3"})
    assert preview.status_code == 200 and ">B</h2>" in preview.get_data(as_text=True)
    db.session.expire_all()
    assert [s.key for s in db.session.get(Document, document.id).latest_version.sections] == ["a"]  # unchanged
    data = {"title": "Baru", "summary": "", "body": "## B\n\nb\n\n### B1\n\nc\n", "split_level": "3", "aksi": "simpan"}
    assert admin_client.post(url, data=data).status_code == 303
    db.session.expire_all()
    assert [s.key for s in db.session.get(Document, document.id).latest_version.sections] == ["b", "b1"]
    assert '<option selected value="3">' in admin_client.get(url).get_data(as_text=True)


def test_an_unknown_split_level_is_refused_on_its_field(admin_client):
    url = f"/kelola/{admin_client.agency.slug}/dokumen/baru?jenis=policy"
    response = admin_client.post(url, data={"title": "T", "body": "## A\n\na", "split_level": "9", "aksi": "simpan"})
    assert response.status_code == 422 and count_documents() == 0
    assert 'id="split_level-error"' in response.get_data(as_text=True)


def test_a_word_file_goes_through_the_same_preview_and_its_text_comes_back_to_change(admin_client):
    url = f"/kelola/{admin_client.agency.slug}/dokumen/baru?jenis=policy"
    data = {"title": "Standar KK", "summary": "", "body": "", "split_level": "1"}
    response = admin_client.post(
        url, data={**data, "file": (BytesIO(agency_draft()), "rancangan-kk.docx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert count_documents() == 0
    assert "The text comes from the file rancangan-kk.docx." in html
    assert re.findall(r'<h2 id="pratinjau-\d+">([^<]*)</h2>', html) == [
        "Pembuka", "Persyaratan", "Prosedur", "Biaya", "Denah loket"
    ]  # fmt: skip
    assert "Section 5 (Denah loket): an image ![Denah ruang pelayanan lantai 1](gambar-1)" in html
    assert "<th>Layanan</th>" in html and "<li>KTP-el asli</li>" in html
    hidden = _unescape(dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html)))
    assert hidden["body"].startswith("**Rancangan Standar Pelayanan Kartu Keluarga**")

    back = admin_client.post(url, data={**hidden, "aksi": "ubah"}).get_data(as_text=True)
    assert "# Persyaratan" in back and "| Layanan | Biaya |" in back  # the converted text, to change in the box
    assert admin_client.post(url, data={**hidden, "aksi": "simpan"}).status_code == 303
    sections = db.session.scalars(sa.select(Document)).one().latest_version.sections
    assert [s.key for s in sections] == ["pembuka", "persyaratan", "prosedur", "biaya", "denah-loket"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"bukan berkas word", "could not be read as a Word document (.docx)"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 1000, "This is an old Word file (.doc)"),
        (b"PK" + b"\0" * (MAX_DOCX_BYTES + 10), "The file is larger than 10 MB"),
    ],
    ids=["not-docx", "old-doc", "too-large"],
)
def test_a_bad_upload_is_refused_on_the_file_field_and_the_typed_text_stays(admin_client, data, message):
    url = f"/kelola/{admin_client.agency.slug}/dokumen/baru?jenis=policy"
    form = {"title": "Judul tetap", "summary": "", "body": "## Teks yang diketik\n\nJangan hilang."}
    response = admin_client.post(url, **multipart(form, "x.docx", data))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and message in html
    assert "## Teks yang diketik" in html and 'value="Judul tetap"' in html
    assert count_documents() == 0


def test_a_request_beyond_the_upload_limit_gets_a_clear_413_page(admin_client):
    url = f"/kelola/{admin_client.agency.slug}/dokumen/baru?jenis=policy"
    response = admin_client.post(url, **multipart({"title": "T"}, "besar.docx", b"\0" * (MAX_DOCX_BYTES + 4 * 2**20)))
    assert response.status_code == 413
    assert "larger than allowed" in response.get_data(as_text=True)


def test_the_larger_upload_limit_is_only_for_people_logged_in(client, make):
    agency = make.agency()
    url = f"/kelola/{agency.slug}/dokumen/baru?jenis=policy"
    response = client.post(url, data={"file": (BytesIO(b"\0" * 400_000), "x.docx")}, content_type="multipart/form-data")
    assert response.status_code == 413  # the site-wide 256 kB: the anonymous never reach the workspace's limit


def test_section_keys_are_anchors_not_text_on_the_document_and_round_pages(admin_client, client, make):
    agency = admin_client.agency
    markdown = "Pengantar.\n\n## Pasal 1 — Definisi\n\nIsi.\n\n## Pasal 2 — Jam Layanan\n\nIsi.\n"
    document = make.policy(agency, markdown=markdown)
    keys = [s.key for s in document.latest_version.sections]
    assert keys == ["pembuka", "pasal-1-definisi", "pasal-2-jam-layanan"]
    rnd = make.round(agency, document=document)
    for page in (
        admin_client.get(f"/kelola/{agency.slug}/dokumen/{document.id}").get_data(as_text=True),
        admin_client.get(f"/rounds/{rnd.id}").get_data(as_text=True),
    ):
        parsed = TextAndAttributes(page)
        text = " ".join(parsed.text)
        for key in keys[1:]:
            assert key not in text
            assert key in parsed.anchors  # still the section's id, for links to it
        assert "#pasal" not in text
    assert all(db.session.scalars(sa.select(Section.key)))
