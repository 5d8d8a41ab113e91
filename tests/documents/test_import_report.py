"""What the sanitiser removes from a document's Markdown, and the per-section report built from it (pure code: no
app, no database). Pasted drafts bring images and raw HTML; the person is told, before saving, what the public
text will not hold, instead of seeing the HTML as literal text."""

from __future__ import annotations

import pytest

from consult.documents.import_report import Dropped, dropped_per_section
from consult.sanitize import Removed, render_document, render_document_report


@pytest.fixture(autouse=True)
def _clean():
    """No database here: overrides the suite's per-test clean-up."""
    yield


def test_an_image_is_removed_whole_and_reported_as_the_markdown_that_placed_it():
    html, removed = render_document_report('Sebelum ![Denah *loket*](https://example.org/denah.png "Denah") sesudah.')
    assert html == "<p>Sebelum  sesudah.</p>"
    assert removed == [Removed("image", "![Denah *loket*](https://example.org/denah.png)")]


def test_a_paragraph_that_held_only_an_image_leaves_nothing_behind():
    html, removed = render_document_report("Teks.\n\n![](gambar.png)\n\nLagi.")
    assert html == "<p>Teks.</p>\n<p>Lagi.</p>"
    assert removed == [Removed("image", "![](gambar.png)")]


def test_a_long_image_address_is_shortened_in_the_report():
    _, [removed] = render_document_report("![x](data:image/png;base64," + "A" * 5000 + ")")
    assert removed.kind == "image" and len(removed.what) < 100 and removed.what.endswith("…)")


def test_raw_html_tags_are_removed_their_text_kept_and_each_tag_reported():
    html, removed = render_document_report('Jam <span style="color:red">08.00</span> sampai <b>14.00</b>.')
    assert html == "<p>Jam 08.00 sampai 14.00.</p>"
    assert removed == [Removed("html", "<span>"), Removed("html", "<b>")]


def test_a_block_of_raw_html_keeps_its_text_as_paragraphs():
    html, removed = render_document_report('<div class="catatan">\nBatas waktu 14 hari.\n<p>Tanpa biaya.</p>\n</div>')
    assert html == "<p>Batas waktu 14 hari.</p>\n<p>Tanpa biaya.</p>"
    assert removed == [Removed("html", "<div>"), Removed("html", "<p>")]
    assert "&lt;" not in html  # not shown as literal text


def test_script_style_and_their_content_are_removed_together():
    for source in (
        "<script>\nalert(1)\n</script>\n\nTeks.",
        "Teks. <script>alert(1)</script>",
        "<style>p{}</style>\n\nTeks.",
    ):
        html, removed = render_document_report(source)
        assert "alert" not in html and "p{}" not in html and "Teks." in html, source
        assert [r.what for r in removed] in (["<script>"], ["<style>"]), source


def test_comments_declarations_and_processing_instructions_are_reported_by_kind():
    _, removed = render_document_report("a <!-- catatan --> b\n\n<!DOCTYPE html>\n\n<?xml version='1.0'?>")
    assert [r.what for r in removed] == ["<!-- -->", "<!…>", "<?…>"]


def test_html_inside_code_is_code_and_nothing_is_removed():
    html, removed = render_document_report("Tulis `<br>` untuk baris baru.\n\n```\n<div>contoh</div>\n```")
    assert removed == []
    assert "<code>&lt;br&gt;</code>" in html and "&lt;div&gt;contoh&lt;/div&gt;" in html


def test_markdown_the_sanitiser_keeps_reports_nothing():
    source = (
        "Teks **tebal** dan [tautan](https://example.org).\n\n- satu\n- dua\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n### Sub"
    )
    html, removed = render_document_report(source)
    assert removed == []
    assert html == render_document(source) and "<table>" in html and "<h3>Sub</h3>" in html


def test_the_report_numbers_sections_from_one_and_counts_repeats_in_each():
    spans = [Removed("html", "<span>")] * 3
    image = Removed("image", "![Denah](denah.png)")
    report = dropped_per_section([("Pembuka", []), ("Jam Layanan", [*spans, image]), ("Biaya", [spans[0]])])
    assert report == [
        Dropped(2, "Jam Layanan", "html", "<span>", 3),
        Dropped(2, "Jam Layanan", "image", "![Denah](denah.png)", 1),
        Dropped(3, "Biaya", "html", "<span>", 1),
    ]
    assert dropped_per_section([("A", []), ("B", [])]) == []
