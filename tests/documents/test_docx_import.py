"""Importing a Word draft (.docx): read with python-docx into the Markdown the document form takes, split at its
headings like pasted Markdown, tables and lists kept, images reported as dropped, with clear messages for files
that are too large, damaged or no Word file. The files are written by python-docx here
(tests/documents/docx_files.py)."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from consult.documents import services
from consult.documents.docx_import import MAX_DOCX_BYTES, DocxError, docx_to_markdown
from consult.documents.models import Document, DocumentKind
from consult.errors import Invalid
from consult.extensions import db
from consult.sanitize import render_document_report
from tests.documents import docx_files
from tests.documents.docx_files import agency_draft, saved


def test_a_word_draft_becomes_markdown_with_its_headings_lists_table_and_image():
    markdown = docx_to_markdown(agency_draft())
    assert markdown.startswith("**Rancangan Standar Pelayanan Kartu Keluarga**\n\nDinas Kependudukan")
    # "Judul 1/2/3" (Indonesian Word's names of Heading 1/2/3) become #, ## and ###.
    assert re.findall(r"(?m)^#+ .*$", markdown) == [
        "# Persyaratan",
        "## Persyaratan khusus",
        "### Catatan petugas",
        "# Prosedur",
        "# Biaya",
        "# Denah loket",
    ]
    assert "- KTP-el asli\n- Kartu Keluarga lama\n    - dua lembar fotokopi" in markdown
    assert "1. Isi formulir F-1.01\n1. Serahkan berkas di loket" in markdown
    assert "| Layanan | Biaya |\n| --- | --- |\n| KK baru | Rp0 |\n| Salinan \\| cetak ulang | Rp0 |" in markdown
    assert "![Denah ruang pelayanan lantai 1](gambar-1)" in markdown


def test_a_word_draft_splits_at_the_chosen_heading_level_and_keeps_tables_and_lists(make):
    agency = make.agency()
    markdown = services.markdown_from_docx(agency_draft())
    preview = services.preview_draft("test", agency, DocumentKind.POLICY, "KK", markdown=markdown, split_level=1)
    by_title = {s.title: s for s in preview.sections}
    assert list(by_title) == ["Pembuka", "Persyaratan", "Prosedur", "Biaya", "Denah loket"]
    # Heading 2 and 3 are deeper than the split: sub-headings inside "Persyaratan".
    persyaratan = by_title["Persyaratan"].body_html
    assert "<h3>Persyaratan khusus</h3>" in persyaratan and "<h3>Catatan petugas</h3>" in persyaratan
    assert "<ul>\n<li>KTP-el asli</li>" in persyaratan and "<li>dua lembar fotokopi</li>" in persyaratan
    assert "<ol>\n<li>Isi formulir F-1.01</li>" in by_title["Prosedur"].body_html
    assert (
        "<th>Layanan</th>" in by_title["Biaya"].body_html
        and "<td>Salinan | cetak ulang</td>" in by_title["Biaya"].body_html
    )
    # The image is not in the published text; the report names it, in its section.
    assert "gambar" not in by_title["Denah loket"].body_html and "Loket 3" in by_title["Denah loket"].body_html
    assert [(d.number, d.title, d.kind, d.what) for d in preview.dropped] == [
        (5, "Denah loket", "image", "![Denah ruang pelayanan lantai 1](gambar-1)")
    ]

    at_two = services.preview_draft("test", agency, DocumentKind.POLICY, "KK", markdown=markdown, split_level=2)
    assert [s.title for s in at_two.sections] == [
        "Pembuka", "Persyaratan", "Persyaratan khusus", "Prosedur", "Biaya", "Denah loket"
    ]  # fmt: skip
    assert "<h3>Catatan petugas</h3>" in at_two.sections[2].body_html  # a sub-heading of its section (an <h2>)
    at_three = services.preview_draft("test", agency, DocumentKind.POLICY, "KK", markdown=markdown, split_level=3)
    assert "Catatan petugas" in [s.title for s in at_three.sections]


def test_headings_are_found_by_english_names_base_styles_and_outline_levels():
    document = docx.Document()
    document.add_paragraph("Bab Satu", style="Heading 1")
    based = document.styles.add_style("Pasal Dinas", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = document.styles["Heading 2"]
    document.add_paragraph("Pasal 1", style="Pasal Dinas")
    document.add_paragraph("Isi.")
    assert docx_to_markdown(saved(document)) == "# Bab Satu\n\n## Pasal 1\n\nIsi.\n"
    assert docx_to_markdown(docx_files.with_outline_level("BAB II KETENTUAN", 1)) == "# BAB II KETENTUAN\n\nIsi bab.\n"


def test_emphasis_links_and_markdown_characters_in_word_text():
    document = docx.Document()
    paragraph = document.add_paragraph("Biaya ")
    paragraph.add_run("tidak dipungut").bold = True
    paragraph.add_run(", ")
    paragraph.add_run("kecuali ").italic = True
    paragraph.add_run("denda *keterlambatan* <b> [1] _ 5 * 3.")
    document.add_paragraph("# bukan judul")
    document.add_paragraph("- bukan daftar")
    markdown = docx_to_markdown(saved(document))
    assert "Biaya **tidak dipungut**, *kecuali* denda \\*keterlambatan\\* \\<b\\> \\[1\\] \\_ 5 \\* 3." in markdown
    assert "\\# bukan judul" in markdown and "\\- bukan daftar" in markdown
    preview_html = render_document_report(markdown)[0]
    assert "<strong>tidak dipungut</strong>" in preview_html and "<em>kecuali</em>" in preview_html
    assert "denda *keterlambatan* &lt;b&gt; [1] _ 5 * 3." in preview_html
    assert "<h" not in preview_html and "<li>" not in preview_html


def test_a_merged_table_cell_is_written_once():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Waktu"
    table.cell(0, 2).text = "Biaya"
    for c, value in enumerate(("1 hari", "2 hari", "Rp0")):
        table.cell(1, c).text = value
    assert docx_to_markdown(saved(document)) == "| Waktu |  | Biaya |\n| --- | --- | --- |\n| 1 hari | 2 hari | Rp0 |\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not_docx"),
        (b"Ini bukan berkas Word.", "not_docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "old_word"),
        (docx_files.zip_of({"hello.txt": b"halo"}), "not_docx"),  # a zip, but no Word package
        (docx_files.zip_of({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}), "not_docx"),
        (agency_draft()[: len(agency_draft()) // 2], "not_docx"),  # cut off in the middle
    ],
    ids=["empty", "text", "old-doc", "zip-of-text", "broken-xml", "truncated"],
)
def test_files_that_are_no_word_document_are_refused_with_their_reason(data, reason):
    with pytest.raises(DocxError) as refused:
        docx_to_markdown(data)
    assert refused.value.reason == reason


def test_a_file_over_the_size_limit_or_unpacking_to_too_much_is_refused_before_reading():
    with pytest.raises(DocxError) as refused:
        docx_to_markdown(b"PK" + b"\0" * MAX_DOCX_BYTES)
    assert refused.value.reason == "too_large"
    # 100 MB of zeros compresses to about 100 kB: refused from the sizes the package declares.
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package,
        package.open("word/media/big.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(100):
            member.write(b"\0" * (1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    with pytest.raises(DocxError) as refused:
        docx_to_markdown(bomb.getvalue())
    assert refused.value.reason == "too_large"


def test_the_service_names_the_file_field_with_a_clear_message(app, make):
    for data, message in [
        (b"bukan word", "could not be read as a Word document"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old Word file (.doc)"),
        (saved(docx.Document()), "holds no text"),
    ]:
        with pytest.raises(Invalid) as refused:
            services.markdown_from_docx(data)
        with app.test_request_context("/"), force_locale("en"):  # the message is lazy: read it in English
            assert list(refused.value.fields) == ["file"] and message in str(refused.value.fields["file"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
