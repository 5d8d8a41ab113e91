"""Documents: splitting Markdown into sections, drafting, publishing, versions, and the agency workspace."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.documents import services
from consult.documents.components import COMPONENT_KEYS, COMPONENTS
from consult.documents.models import Document, DocumentKind, DocumentVersion, Section
from consult.documents.splitting import DEFAULT_SPLIT_LEVEL, SPLIT_LEVELS, split_level_of, split_markdown
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db
from consult.sanitize import DOCUMENT_TAGS, LINK_REL, render_comment, render_document
from tests.conftest import shared_file

OMB_DRAFT = ("documents", "us-omb-draft-federal-source-code-policy-2016.txt")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


@pytest.fixture(scope="module")
def omb_text() -> str:
    return shared_file(*OMB_DRAFT).read_text(encoding="utf-8")


def heading_lines(text: str, deepest: int = 6) -> list[str]:
    """The heading texts of `text`: lines starting with 1 to `deepest` '#' and a space, outside fenced code."""
    headings, in_fence = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := ATX.match(line)) and len(m.group(1)) <= deepest:
            headings.append(m.group(2))
    return headings


def has_preamble(text: str) -> bool:
    for line in text.splitlines():
        if ATX.match(line):
            return False
        if line.strip():
            return True
    return False


class TagCollector(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parse_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_safe_html(html: str) -> None:
    for tag, attrs in parse_tags(html):
        assert tag not in {"script", "style", "iframe", "svg", "img", "object", "embed", "math", "form"}, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name in {"href", "src", "action", "formaction"}:
                scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert not scheme.startswith(("javascript:", "data:", "vbscript:")), html
        if tag == "a" and "href" in attrs:
            assert attrs.get("rel") == LINK_REL, html


# --- splitting -------------------------------------------------------------------------------------------


def test_the_real_draft_policy_splits_into_one_section_per_heading_down_to_the_chosen_level(omb_text):
    headings = heading_lines(omb_text, deepest=3)
    assert len(headings) >= 20  # the draft's numbered sections, appendices and footnote blocks
    assert has_preamble(omb_text)

    sections = split_markdown(omb_text, split_level=3)

    assert len(sections) == len(headings) + 1
    assert sections[0].key == "pembuka"
    assert "DRAFT Federal Source Code Policy" in sections[0].body
    assert [s.title for s in sections[1:]] == headings
    keys = [s.key for s in sections]
    assert len(set(keys)) == len(keys)
    assert all(SLUG.match(k) and k.isascii() for k in keys), keys
    assert "1-objectives" in keys and "appendix-a-definitions" in keys
    # "### Footnotes" recurs under many sections: the repeats are numbered in order.
    footnotes = [k for k in keys if k.startswith("footnotes")]
    assert footnotes == ["footnotes"] + [f"footnotes-{n}" for n in range(2, len(footnotes) + 1)]
    assert len(footnotes) == headings.count("Footnotes") > 2
    # The one "####" heading is deeper than the split: it stays, as a heading, in the body of its section.
    deeper = next(s for s in sections if "#### Considerations Regarding Releasing Custom Code" in s.body)
    assert deeper.level <= 3 and "considerations-regarding-releasing-custom-code-as-open-source-software" not in keys
    # Every line of the text is kept in some section.
    joined = "\n".join(s.body for s in sections)
    assert "Appendix B" in sections[-1].title and "[1]" in joined


def test_at_the_default_level_only_headings_with_one_or_two_hashes_start_sections(omb_text):
    sections = split_markdown(omb_text)
    assert [s.title for s in sections[1:]] == heading_lines(omb_text, deepest=2)
    assert {s.level for s in sections} == {1, 2}
    # Each "### Footnotes" block is inside the numbered section it belongs to.
    objectives = next(s for s in sections if s.key == "1-objectives")
    assert "\n### Footnotes\n" in objectives.body
    assert "<h3>Footnotes</h3>" in render_document(objectives.body)


@pytest.mark.parametrize(
    ("level", "titles"),
    [
        (1, ["Bab I Ketentuan Umum", "Bab II Layanan"]),
        (2, ["Bab I Ketentuan Umum", "Pasal 1", "Pasal 2", "Bab II Layanan", "Pasal 3"]),
        (3, ["Bab I Ketentuan Umum", "Pasal 1", "Ayat (1)", "Pasal 2", "Bab II Layanan", "Pasal 3"]),
    ],
)
def test_headings_deeper_than_the_split_level_stay_inside_their_section(level, titles):
    text = (
        "# Bab I Ketentuan Umum\n\nIsi bab.\n\n## Pasal 1\n\nIsi pasal 1.\n\n### Ayat (1)\n\nIsi ayat.\n\n"
        "## Pasal 2\n\nIsi pasal 2.\n\n# Bab II Layanan\n\n## Pasal 3\n\n#### Catatan\n\nIsi pasal 3.\n"
    )
    sections = split_markdown(text, split_level=level)
    assert [s.title for s in sections] == titles
    assert all(s.level <= level for s in sections)
    # Nothing is lost: every deeper heading is a line of the body of the section above it.
    joined = "\n".join(s.body for s in sections)
    for heading in ("Ayat (1)", "Pasal 1", "Pasal 2", "Pasal 3", "Catatan"):
        assert heading in titles or heading in joined
    by_title = {s.title: s for s in sections}
    if level == 1:
        assert "## Pasal 1\n\nIsi pasal 1.\n\n### Ayat (1)" in by_title["Bab I Ketentuan Umum"].body
    if level == 3:
        assert by_title["Pasal 3"].body == "#### Catatan\n\nIsi pasal 3."
    assert split_level_of(text, [s.level for s in sections]) == level


@pytest.mark.parametrize(
    "text",
    ["Pembuka.\n\n## A\n\na\n\n#### a1\n\nx\n", "# A\n\na\n\n### A1\n\nx\n", "# A\n\n## B\n\n### C\n", "Teks saja."],
)
def test_the_split_level_read_back_from_a_draft_splits_its_text_the_same_way_preferring_the_default(text):
    for chosen in SPLIT_LEVELS:
        sections = split_markdown(text, split_level=chosen)
        found = split_level_of(text, [s.level for s in sections])
        assert split_markdown(text, split_level=found) == sections
        if split_markdown(text, split_level=DEFAULT_SPLIT_LEVEL) == sections:
            assert found == DEFAULT_SPLIT_LEVEL
    # A draft split some other way before (every heading was a section): its deepest level, as far as offered.
    assert split_level_of("# A\n\n#### B\n", [1, 4]) == 3


def test_splitting_the_same_text_twice_gives_the_same_keys(omb_text):
    first, second = split_markdown(omb_text), split_markdown(omb_text)
    assert [s.key for s in first] == [s.key for s in second]
    assert first == second


def test_repeated_headings_get_numbered_suffixes():
    text = "## Catatan\n\na\n\n## Ketentuan\n\nb\n\n## Catatan\n\nc\n\n### Catatan\n\nd\n"
    sections = split_markdown(text, split_level=3)
    assert [s.key for s in sections] == ["catatan", "ketentuan", "catatan-2", "catatan-3"]
    assert [s.title for s in sections] == ["Catatan", "Ketentuan", "Catatan", "Catatan"]
    assert [s.level for s in sections] == [2, 2, 2, 3]
    assert [s.body for s in sections] == ["a", "b", "c", "d"]


def test_headings_inside_fenced_code_do_not_split():
    text = (
        "## Contoh\n\n```markdown\n## Bukan bagian\n# juga bukan\n```\n\n"
        "~~~\n### Tetap kode\n~~~\n\n"
        "````\n```\n## masih kode\n````\n\n"
        "## Penutup\n\nSelesai.\n"
    )
    sections = split_markdown(text)
    assert [s.key for s in sections] == ["contoh", "penutup"]
    assert "## Bukan bagian" in sections[0].body and "## masih kode" in sections[0].body


def test_crlf_and_cr_line_endings_split_like_lf():
    lf = "Pembuka teks.\n\n## Satu\n\nIsi satu.\n\n## Dua\n\nIsi dua.\n"
    for text in (lf.replace("\n", "\r\n"), lf.replace("\n", "\r")):
        sections = split_markdown(text)
        assert sections == split_markdown(lf)
        assert all("\r" not in s.body and "\r" not in s.title for s in sections)
    assert [s.key for s in split_markdown(lf)] == ["pembuka", "satu", "dua"]


def test_titles_are_the_heading_text_and_keys_are_ascii_slugs():
    text = (
        "# Ketentuan Umum\n\nx\n\n## Pasal 1 — Definisi ##\n\ny\n\n### Kerja sama lintas-instansi  \n\nz\n\n"
        "## Using C#\n\nw\n\n## Peraturan Daerah (Perda) & Keputusan\n\nv\n\n## Ibu Kota Nusantara: Pembangunan\n"
    )
    sections = split_markdown(text, split_level=3)
    assert [(s.key, s.title) for s in sections] == [
        ("ketentuan-umum", "Ketentuan Umum"),
        ("pasal-1-definisi", "Pasal 1 — Definisi"),
        ("kerja-sama-lintas-instansi", "Kerja sama lintas-instansi"),
        ("using-c", "Using C#"),
        ("peraturan-daerah-perda-keputusan", "Peraturan Daerah (Perda) & Keputusan"),
        ("ibu-kota-nusantara-pembangunan", "Ibu Kota Nusantara: Pembangunan"),
    ]
    accents = split_markdown("## Éducation à São Paulo\n\n## 法律\n\n## 条例\n")
    assert [s.key for s in accents] == ["education-a-sao-paulo", "bagian", "bagian-2"]


def test_no_preamble_when_the_text_starts_with_a_heading_or_only_blank_lines():
    assert [s.key for s in split_markdown("\n\n## Satu\n\nisi\n")] == ["satu"]
    assert split_markdown("") == []
    assert [s.key for s in split_markdown("Hanya teks.")] == ["pembuka"]


# --- creating, publishing, versions (service layer) --------------------------------------------------------


def test_policy_from_the_real_draft_is_saved_section_by_section(make, omb_text):
    agency = make.agency()
    document = services.create_document(
        "test",
        agency,
        DocumentKind.POLICY,
        "Federal Source Code Policy",
        "Draft for comment",
        markdown=omb_text,
        split_level=3,
    )
    db.session.expire_all()
    version = db.session.get(Document, document.id).latest_version
    expected = split_markdown(omb_text, split_level=3)
    assert version.is_draft and version.number == 1
    assert version.body_markdown == omb_text
    assert len(version.sections) == len(expected) == len(heading_lines(omb_text, deepest=3)) + 1
    assert [s.position for s in version.sections] == list(range(len(expected)))
    assert [(s.key, s.title, s.body) for s in version.sections] == [(p.key, p.title, p.body) for p in expected]
    for section in version.sections:
        assert "<script" not in section.body_html
        assert {tag for tag, _ in parse_tags(section.body_html)} <= DOCUMENT_TAGS, section.key
        assert_safe_html(section.body_html)
    objectives = next(s for s in version.sections if s.key == "1-objectives")
    assert objectives.body_html.startswith("<p>") and "</p>" in objectives.body_html


def test_hostile_markdown_in_a_policy_is_sanitised(make):
    markdown = (
        "## Bagian\n\n<script>alert(1)</script>\n\n![gambar](http://example.org/a.png)\n\n"
        "[klik](javascript:alert(1)) dan [tautan](https://example.org/x)\n\n"
        '<img src=x onerror="alert(1)">\n\n<a href="javascript:alert(2)">a</a>\n'
    )
    document = make.policy(make.agency(), markdown=markdown, publish=False)
    html = document.latest_version.sections[0].body_html
    assert_safe_html(html)
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">tautan</a>' in html
    # Raw HTML and images are taken out (and reported before saving: test_import_report.py), not shown as text.
    assert "script" not in html.replace("javascript:alert(1)", "") and "gambar" not in html and "<p></p>" not in html


def test_new_version_keeps_section_keys_and_edits_keep_other_keys(make):
    agency = make.agency()
    markdown = "Pembuka.\n\n## Tujuan\n\nTeks tujuan.\n\n## Ruang Lingkup\n\nTeks lingkup.\n\n## Tujuan\n\nLagi.\n"
    document = make.policy(agency, markdown=markdown)
    v1 = db.session.get(Document, document.id).versions[0]
    keys = [s.key for s in v1.sections]
    assert keys == ["pembuka", "tujuan", "ruang-lingkup", "tujuan-2"]

    v2 = services.start_new_draft("test", db.session.get(Document, document.id))
    assert v2.number == 2 and v2.is_draft
    assert [(s.key, s.title, s.body) for s in v2.sections] == [(s.key, s.title, s.body) for s in v1.sections]
    assert services.start_new_draft("test", db.session.get(Document, document.id)).id == v2.id  # one draft only

    edited = markdown.replace("Teks lingkup.", "Teks lingkup yang diperbaiki.")
    services.update_draft("test", v2, "Rancangan Uji", "Ringkasan", markdown=edited)
    db.session.expire_all()
    v1, v2 = db.session.get(Document, document.id).versions
    assert [s.key for s in v2.sections] == keys
    assert {s.key: s.body for s in v2.sections}["ruang-lingkup"] == "Teks lingkup yang diperbaiki."
    assert {s.key: s.body for s in v1.sections}["ruang-lingkup"] == "Teks lingkup."  # v1 untouched


def _digest(key: str, title: str, body: str) -> str:
    return hashlib.sha256(f"{key}\n{title}\n{body}".encode()).hexdigest()


def test_publishing_is_audited_with_a_digest_of_every_section(make):
    agency = make.agency()
    document = make.policy(agency)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "version.published")).all()
    assert len(entries) == 1
    version = db.session.get(Document, document.id).versions[0]
    data = entries[0].data
    assert entries[0].subject_type == "document_versions" and entries[0].subject_id == str(version.id)
    assert data["document_id"] == document.id and data["number"] == 1 and data["agency"] == agency.slug
    assert data["sections"] == [{"key": s.key, "sha256": _digest(s.key, s.title, s.body)} for s in version.sections]
    assert version.published_at is not None and not version.is_draft

    v2 = services.start_new_draft("test", document)
    services.update_draft(
        "test", v2, "Rancangan Uji", "", markdown="Pembuka.\n\n## Satu\n\nUbah.\n\n## Dua\n\nTeks dua.\n"
    )
    services.publish_version("test", v2)
    second = (
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "version.published").order_by(AuditEntry.seq)
        )
        .all()[-1]
        .data
    )
    before = {s["key"]: s["sha256"] for s in data["sections"]}
    after = {s["key"]: s["sha256"] for s in second["sections"]}
    assert second["number"] == 2 and before.keys() == after.keys()
    assert [k for k in before if before[k] != after[k]] == ["satu"]


def test_service_standard_has_the_14_components_in_order(make):
    document = make.standard(make.agency(), publish=False)
    version = document.latest_version
    assert len(COMPONENT_KEYS) == 14
    assert [s.key for s in version.sections] == list(COMPONENT_KEYS)
    assert [s.title for s in version.sections] == [c.title for c in COMPONENTS]
    assert [s.position for s in version.sections] == list(range(14))
    assert version.sections[0].body == "Isi komponen dasar-hukum."


@pytest.fixture
def request_ctx(app):
    """Service errors carry lazily translated messages, which (consult/i18n.py, see the report) can only be
    rendered inside a request; these tests raise them as the web pages would."""
    with app.test_request_context():
        yield


def test_service_standard_draft_may_be_incomplete_but_not_published_so(make, request_ctx):
    agency = make.agency()
    document = make.standard(agency, publish=False, fill=False)
    assert len(document.latest_version.sections) == 14  # saved with every component empty

    components = {k: f"Isi {k}." for k in COMPONENT_KEYS}
    components["biaya-tarif"] = "   "
    services.update_draft("test", document.latest_version, "Standar Uji", "", components=components)
    with pytest.raises(Invalid) as info:
        services.publish_version("test", document.latest_version)
    assert set(info.value.fields) == {"biaya-tarif"}
    assert db.session.get(DocumentVersion, document.latest_version.id).is_draft
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "version.published")
        )
        == 0
    )

    components["biaya-tarif"] = "Gratis."
    services.update_draft("test", document.latest_version, "Standar Uji", "", components=components)
    assert services.publish_version("test", document.latest_version).published_at is not None


def test_a_published_version_cannot_be_edited_or_published_again(make, request_ctx):
    document = make.policy(make.agency())
    version = document.latest_version
    with pytest.raises(Conflict):
        services.update_draft("test", version, "Judul baru", "", markdown="## Baru\n\nx")
    with pytest.raises(Conflict):
        services.publish_version("test", version)
    db.session.expire_all()
    assert db.session.get(Document, document.id).title == "Rancangan Uji"


def test_invalid_documents_are_refused_with_field_errors(make):
    agency = make.agency()
    with pytest.raises(Invalid) as info:
        services.create_document("test", agency, DocumentKind.POLICY, "  ", "", markdown="")
    assert set(info.value.fields) == {"title", "body"}
    with pytest.raises(Invalid) as info:
        services.create_document("test", agency, "novel", "Judul", "")
    assert "kind" in info.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_only_the_agencys_admins_may_write_its_documents(make):
    agency, other = make.agency(), make.agency()
    for user in (make.user(), make.user("moderator", agency), make.user("agency_admin", other)):
        with pytest.raises(NotAllowed):
            services.create_document(user, agency, DocumentKind.POLICY, "Judul", "", markdown="## A\n\nb")
    admin = make.user("agency_admin", agency)
    document = services.create_document(admin, agency, DocumentKind.POLICY, "Judul", "", markdown="## A\n\nb")
    assert document.created_by_id == admin.id


# --- the agency workspace (web) --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, auth, make):
    """A client logged in as the agency admin of a new agency, with pages in English."""
    agency = make.agency()
    user = make.user("agency_admin", agency)
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    auth.login(user)
    client.agency = agency
    return client


def _document_id(response) -> int:
    match = re.search(r"/dokumen/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def test_agency_admin_creates_a_policy_through_the_form_after_a_preview(admin_client):
    slug = admin_client.agency.slug
    assert admin_client.get(f"/kelola/{slug}/dokumen/baru?jenis=policy").status_code == 200
    form = {
        "title": "Rancangan Perda Air Bersih",
        "summary": "Tarif dan layanan air",
        "body": "Pengantar.\r\n\r\n## Tarif\r\n\r\nTarif dasar.\r\n\r\n## Layanan\r\n\r\nJam layanan.\r\n",
    }
    preview = admin_client.post(f"/kelola/{slug}/dokumen/baru?jenis=policy", data=form)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Nothing is saved yet" in html and ">Tarif</h2>" in html and "<p>Tarif dasar.</p>" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0

    response = admin_client.post(f"/kelola/{slug}/dokumen/baru?jenis=policy", data={**form, "aksi": "simpan"})
    assert response.status_code == 303
    document = db.session.get(Document, _document_id(response))
    assert document.kind == "policy" and document.agency_id == admin_client.agency.id
    assert [s.key for s in document.latest_version.sections] == ["pembuka", "tarif", "layanan"]
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rancangan Perda Air Bersih" in page and "Tarif dasar." in page and "Draft saved" in page


def test_agency_admin_creates_a_service_standard_through_the_form(admin_client):
    slug = admin_client.agency.slug
    form = {"title": "Standar Pelayanan KTP-el", "summary": "Ringkas", "service_name": "Penerbitan KTP-el"}
    form.update({key.replace("-", "_"): f"Teks {key}." for key in COMPONENT_KEYS})
    preview = admin_client.post(f"/kelola/{slug}/dokumen/baru?jenis=service_standard", data=form)
    assert preview.status_code == 200 and "Teks jangka-waktu." in preview.get_data(as_text=True)
    response = admin_client.post(f"/kelola/{slug}/dokumen/baru?jenis=service_standard", data={**form, "aksi": "simpan"})
    assert response.status_code == 303
    document = db.session.get(Document, _document_id(response))
    assert document.kind == "service_standard" and document.service_name == "Penerbitan KTP-el"
    sections = document.latest_version.sections
    assert [s.key for s in sections] == list(COMPONENT_KEYS)
    assert sections[3].body == "Teks jangka-waktu."


def test_invalid_form_answers_422_and_keeps_what_was_typed(admin_client):
    slug = admin_client.agency.slug
    body = "## Bagian Satu\n\nIsi yang sudah diketik dengan susah payah & teliti."
    response = admin_client.post(
        f"/kelola/{slug}/dokumen/baru?jenis=policy", data={"title": "", "summary": "Ringkasan tertulis", "body": body}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a title." in html
    assert "Isi yang sudah diketik dengan susah payah &amp; teliti." in html
    assert 'value="Ringkasan tertulis"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0

    form = {"title": "Standar", "service_name": "Layanan"}
    form.update({key.replace("-", "_"): "x" * 20_001 if key == "persyaratan" else "isi" for key in COMPONENT_KEYS})
    response = admin_client.post(f"/kelola/{slug}/dokumen/baru?jenis=service_standard", data=form)
    assert response.status_code == 422
    assert "Use at most 20000 characters." in response.get_data(as_text=True)


def test_edit_publish_and_start_a_new_version_through_the_pages(admin_client, make):
    slug = admin_client.agency.slug
    document = make.policy(admin_client.agency, publish=False)
    base = f"/kelola/{slug}/dokumen/{document.id}"

    edit_page = admin_client.get(f"{base}/ubah").get_data(as_text=True)
    assert "Teks satu." in edit_page and 'value="Rancangan Uji"' in edit_page
    response = admin_client.post(
        f"{base}/ubah",
        data={
            "title": "Rancangan Diubah",
            "summary": "",
            "body": "## Satu\n\nTeks baru.\n\n## Tiga\n\nTambahan.\n",
            "aksi": "simpan",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    version = db.session.get(Document, document.id).latest_version
    assert version.document.title == "Rancangan Diubah"
    assert [(s.key, s.body) for s in version.sections] == [("satu", "Teks baru."), ("tiga", "Tambahan.")]

    assert admin_client.post(f"{base}/terbitkan").status_code == 303
    db.session.expire_all()
    version = db.session.get(Document, document.id).latest_version
    assert not version.is_draft
    assert "Version 1 published" in admin_client.get(base).get_data(as_text=True)

    # A published version is not edited: the edit page sends the admin back with a message.
    response = admin_client.post(f"{base}/ubah", data={"title": "X", "body": "## Y\n\nz"})
    assert response.status_code == 303 and response.headers["Location"].endswith(base)
    db.session.expire_all()
    assert db.session.get(Document, document.id).title == "Rancangan Diubah"

    response = admin_client.post(f"{base}/versi-baru")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{base}/ubah")
    db.session.expire_all()
    v1, v2 = db.session.get(Document, document.id).versions
    assert v2.number == 2 and v2.is_draft and [s.key for s in v2.sections] == [s.key for s in v1.sections]
    assert "Teks baru." in admin_client.get(f"{base}/ubah").get_data(as_text=True)


def test_editing_a_service_standard_keeps_every_field(admin_client, make):
    slug = admin_client.agency.slug
    document = make.standard(admin_client.agency, publish=False, fill=False)
    form = {"title": "Standar Diubah", "summary": "", "service_name": "Akta Kelahiran", "aksi": "simpan"}
    form.update({key.replace("-", "_"): f"Baru {key}." for key in COMPONENT_KEYS})
    assert admin_client.post(f"/kelola/{slug}/dokumen/{document.id}/ubah", data=form).status_code == 303
    db.session.expire_all()
    document = db.session.get(Document, document.id)
    assert document.title == "Standar Diubah" and document.service_name == "Akta Kelahiran"
    assert [s.body for s in document.latest_version.sections] == [f"Baru {k}." for k in COMPONENT_KEYS]
    page = admin_client.get(f"/kelola/{slug}/dokumen/{document.id}/ubah").get_data(as_text=True)
    assert 'value="Akta Kelahiran"' in page and "Baru evaluasi-kinerja." in page


def test_publishing_an_incomplete_standard_from_the_page_names_the_problem(admin_client, make):
    slug = admin_client.agency.slug
    document = make.standard(admin_client.agency, publish=False, fill=False)
    response = admin_client.post(f"/kelola/{slug}/dokumen/{document.id}/terbitkan", follow_redirects=True)
    assert "Fill in every component" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Document, document.id).latest_version.is_draft


def test_workspace_is_for_the_agencys_admins_only(client, auth, make):
    agency = make.agency()
    document = make.policy(agency, publish=False)
    url = f"/kelola/{agency.slug}/dokumen/{document.id}"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    auth.login(make.user("agency_admin", make.agency()))
    assert client.get(url).status_code == 403
    assert client.post(f"{url}/terbitkan").status_code == 403
    auth.logout()
    auth.login(make.user("agency_admin", agency))
    assert client.get(url).status_code == 200
    assert client.get(f"/kelola/{agency.slug}/dokumen/999999").status_code == 404
    assert client.get(f"/kelola/{agency.slug}/dokumen/baru?jenis=novel").status_code == 404
    other = make.policy(make.agency(), publish=False)
    assert client.get(f"/kelola/{agency.slug}/dokumen/{other.id}").status_code == 404
    assert db.session.get(DocumentVersion, document.latest_version.id).is_draft
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Section)) == 6


# --- sanitising ------------------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "![x](javascript:alert(1))",
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a](vbscript:msgbox(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example"></iframe>',
    '[x](https://example.org "t" onmouseover=alert(1))',
    "<details open ontoggle=alert(1)>",
    "**bold** <b onclick=alert(1)>b</b>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "`<script>alert(1)</script>`\n\n```\n<script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("render", [render_document, render_comment])
@pytest.mark.parametrize("payload", XSS)
def test_rendering_neutralises_xss_payloads(render, payload):
    assert_safe_html(render(payload))


@pytest.mark.parametrize("render", [render_document, render_comment])
def test_links_are_kept_with_a_safe_rel(render):
    html = render(
        "See [the draft](https://example.org/draft) and https://example.org/plain and [mail](mailto:a@example.org)."
    )
    links = [attrs for tag, attrs in parse_tags(html) if tag == "a"]
    assert [a["href"] for a in links] == [
        "https://example.org/draft",
        "https://example.org/plain",
        "mailto:a@example.org",
    ]
    assert all(a["rel"] == LINK_REL for a in links)


def test_comments_are_simpler_than_documents():
    assert "<h" not in render_comment("# Judul\n\n---\n")
    assert "<h3>Judul</h3>" in render_document("# Judul")  # headings inside a section sit below it
    assert "<table>" in render_document("| a | b |\n|---|---|\n| 1 | 2 |")


def test_code_is_escaped_once():
    assert render_document("`a < b`") == "<p><code>a &lt; b</code></p>"
