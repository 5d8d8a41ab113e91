"""Word-level diff of document versions (consult/documents/diff.py): exact, keyed by section, fast, safe HTML."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.documents.diff import diff_text, diff_versions, new_text, old_text, render_ops_html, tokens


def section(key, title, body):
    return {"key": key, "title": title, "body": body}


INDONESIAN = (
    "Pemohon wajib membawa KTP-el asli, fotokopi Kartu Keluarga, dan surat pengantar RT/RW. "
    "Pelayanan diselesaikan paling lama 3 (tiga) hari kerja sejak berkas dinyatakan lengkap.\n\n"
    "- Biaya: Rp 0,- (gratis);\n- Pengaduan: SP4N-LAPOR! atau loket 5.\n"
)


def test_joining_tokens_gives_the_text_back():
    for text in ["", " ", "kata", "  dua  kata  ", INDONESIAN, "**tebal** _miring_ [tautan](https://x.id)", "\n\n-"]:
        assert "".join(tokens(text)) == text


def test_a_token_is_a_word_with_what_follows_it():
    assert tokens("  Biaya: Rp 0,- (gratis);\n") == ["  ", "Biaya: ", "Rp ", "0,- (", "gratis);\n"]


def test_one_changed_word_is_one_deletion_and_one_insertion():
    ops = diff_text("Selesai dalam 5 hari kerja.", "Selesai dalam 3 hari kerja.")
    assert ops == [["equal", "Selesai dalam "], ["delete", "5 "], ["insert", "3 "], ["equal", "hari kerja."]]


def test_identical_texts_are_one_equal_op_and_empty_texts_none():
    assert diff_text(INDONESIAN, INDONESIAN) == [["equal", INDONESIAN]]
    assert diff_text("", "") == []
    assert diff_text("", "baru") == [["insert", "baru"]]
    assert diff_text("lama", "") == [["delete", "lama"]]


def test_frequent_words_do_not_turn_an_edit_into_a_rewrite():
    old = " ".join(["yang", "dan", "di"] * 400) + " akhir"
    new = " ".join(["yang", "dan", "di"] * 400) + " penutup"
    ops = diff_text(old, new)
    assert ops[-2:] == [["delete", "akhir"], ["insert", "penutup"]]
    assert len(ops) == 3


VOCAB = [
    "pelayanan",
    "KTP-el",
    "Rp",
    "50.000,00",
    "hari",
    "kerja",
    "**syarat**",
    "- ",
    "\n",
    "  ",
    ".",
    ",",
    "(tiga)",
    "é",
    "",
]
texts = st.lists(st.sampled_from(VOCAB) | st.text(max_size=6), max_size=60).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(texts, texts)
def test_ops_reproduce_both_sides_exactly(old, new):
    ops = diff_text(old, new)
    assert old_text(ops) == old
    assert new_text(ops) == new
    assert all(text for _, text in ops)
    assert all(a[0] != b[0] for a, b in zip(ops, ops[1:], strict=False))  # merged


def test_ops_reproduce_both_sides_of_many_random_edits_of_a_long_markdown_text():
    rng = random.Random(7)
    base = tokens(INDONESIAN * 40)
    for _ in range(200):
        edited = list(base)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(edited))
            choice = rng.random()
            if choice < 0.33:
                del edited[i]
            elif choice < 0.66:
                edited.insert(i, rng.choice(["baru ", "**penting** ", "\n\n", "Rp 10.000,- "]))
            else:
                edited[i] = edited[i].upper()
        old, new = "".join(base), "".join(edited)
        ops = diff_text(old, new)
        assert (old_text(ops), new_text(ops)) == (old, new)


def test_sections_are_matched_by_key_so_a_moved_section_is_unchanged():
    old = [section("a", "Persyaratan", "KTP"), section("b", "Biaya", "Gratis"), section("c", "Waktu", "3 hari")]
    new = [section("c", "Waktu", "3 hari"), section("a", "Persyaratan", "KTP"), section("b", "Biaya", "Gratis")]
    result = diff_versions(old, new)
    assert [(s["key"], s["change"]) for s in result["sections"]] == [
        ("c", "unchanged"),
        ("a", "unchanged"),
        ("b", "unchanged"),
    ]
    assert result["sections"][0]["ops"] == [["equal", "3 hari"]]


def test_a_renamed_section_is_changed_and_carries_its_new_title():
    result = diff_versions([section("a", "Biaya", "Gratis")], [section("a", "Biaya/tarif", "Gratis")])
    [entry] = result["sections"]
    assert (entry["title"], entry["change"], entry["ops"]) == ("Biaya/tarif", "changed", [["equal", "Gratis"]])
    assert "title_ops" not in entry
    [with_titles] = diff_versions(
        [section("a", "Biaya", "Gratis")], [section("a", "Biaya/tarif", "Gratis")], with_title_ops=True
    )["sections"]
    assert with_titles["title_ops"] == [["delete", "Biaya"], ["insert", "Biaya/tarif"]]


def test_added_and_removed_sections_keep_their_place():
    old = [section("a", "A", "satu"), section("b", "B", "dua"), section("c", "C", "tiga")]
    new = [section("a", "A", "satu"), section("n", "N", "baru"), section("c", "C", "tiga!")]
    result = diff_versions(old, new)["sections"]
    assert [(s["key"], s["change"]) for s in result] == [
        ("a", "unchanged"),
        ("b", "removed"),
        ("n", "added"),
        ("c", "changed"),
    ]
    assert result[1]["ops"] == [["delete", "dua"]] and result[1]["title"] == "B"
    assert result[2]["ops"] == [["insert", "baru"]]
    assert result[3]["ops"] == [["delete", "tiga"], ["insert", "tiga!"]]


def test_a_removed_first_section_comes_first():
    result = diff_versions([section("x", "X", "lama"), section("a", "A", "")], [section("a", "A", "")])
    assert [(s["key"], s["change"], s["ops"]) for s in result["sections"]] == [
        ("x", "removed", [["delete", "lama"]]),
        ("a", "unchanged", []),
    ]


def test_the_result_has_exactly_the_contract_shape_with_themes_and_reasons():
    changes = {"b": {"theme_ids": [4, 9], "reason": "Usulan warga"}, "x": {"reason": "Dihapus karena ganda"}}
    result = diff_versions(
        [section("b", "B", "lama"), section("x", "X", "ganda")], [section("b", "B", "baru")], changes
    )
    assert list(result) == ["sections"]
    for entry in result["sections"]:
        assert list(entry) == ["key", "title", "change", "ops", "theme_ids", "reason"]
    by_key = {s["key"]: s for s in result["sections"]}
    assert (by_key["b"]["theme_ids"], by_key["b"]["reason"]) == ([4, 9], "Usulan warga")
    assert (by_key["x"]["theme_ids"], by_key["x"]["reason"]) == ([], "Dihapus karena ganda")


def test_sections_may_be_objects_with_attributes():
    class Section:
        def __init__(self, key, title, body):
            self.key, self.title, self.body = key, title, body

    [entry] = diff_versions([Section("a", "A", "x y")], [Section("a", "A", "x z")])["sections"]
    assert entry["ops"] == [["equal", "x "], ["delete", "y"], ["insert", "z"]]


def test_a_key_twice_in_one_version_is_refused():
    with pytest.raises(ValueError, match="'a' appears twice in the new version"):
        diff_versions([], [section("a", "A", ""), section("a", "A2", "")])


def realistic_body(rng, n_words):
    words = [
        "pelayanan",
        "pemohon",
        "berkas",
        "wajib",
        "hari",
        "kerja",
        "loket",
        "petugas",
        "biaya",
        "persyaratan",
        "dokumen",
        "surat",
    ]
    common = ["yang", "dan", "di", "dengan", "untuk", "dari", "ke", "dalam", "atau", "pada"]
    parts, sentence = [], 0
    for i in range(n_words):
        parts.append(rng.choice(common) if rng.random() < 0.4 else rng.choice(words) + str(rng.randint(1, 40)))
        sentence += 1
        if sentence > rng.randint(8, 20) or i == n_words - 1:
            parts[-1] += "." if rng.random() < 0.9 else ".\n\n"
            sentence = 0
    return " ".join(parts)


def test_fourteen_sections_of_five_thousand_words_diff_in_well_under_a_second():
    rng = random.Random(3)
    old, new = [], []
    for k in range(14):
        body = realistic_body(rng, 5000)
        parts = body.split(" ")
        for _ in range(10):
            parts[rng.randrange(len(parts))] = "DIUBAH"
        old.append(section(f"s{k}", f"Bagian {k}", body))
        new.append(section(f"s{k}", f"Bagian {k}", " ".join(parts)))
    started = time.perf_counter()
    result = diff_versions(old, new)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed
    for entry, before, after in zip(result["sections"], old, new, strict=True):
        assert old_text(entry["ops"]) == before["body"] and new_text(entry["ops"]) == after["body"]
        inserted = [text for kind, text in entry["ops"] if kind == "insert"]
        assert 1 <= len(inserted) <= 10 and all(set(text.split()) == {"DIUBAH"} for text in inserted)
        assert sum(len(text) for kind, text in entry["ops"] if kind == "equal") > 0.99 * len(before["body"])


def test_many_scattered_edits_in_every_sentence_are_still_word_level():
    rng = random.Random(9)
    body = realistic_body(rng, 3000)
    parts = body.split(" ")
    for i in range(0, len(parts), 7):
        parts[i] = "X"
    ops = diff_text(body, " ".join(parts))
    assert all(set(text.split()) <= {"X"} for kind, text in ops if kind == "insert")


def test_rewriting_a_whole_long_section_without_sentences_stays_fast_and_exact():
    rng = random.Random(4)
    words = [f"kata{i}" for i in range(15)]
    old = " ".join(rng.choice(words) for _ in range(5000))
    new = " ".join(rng.choice(words) for _ in range(5000))
    started = time.perf_counter()
    ops = diff_text(old, new)
    assert time.perf_counter() - started < 5.0
    assert (old_text(ops), new_text(ops)) == (old, new)


def test_html_marks_changes_by_more_than_colour_and_escapes_every_text():
    html = render_ops_html([["equal", "a <b> & "], ["delete", '"onload=alert(1) '], ["insert", "<script>x</script>"]])
    assert html == (
        "a &lt;b&gt; &amp; "
        '<del><span class="visually-hidden">[dihapus] </span>&quot;onload=alert(1) </del>'
        '<ins><span class="visually-hidden">[ditambahkan] </span>&lt;script&gt;x&lt;/script&gt;</ins>'
    )


def test_html_labels_can_be_translated_and_are_escaped_too():
    html = render_ops_html([["insert", "x"]], inserted="<added>", deleted="[deleted]")
    assert html == '<ins><span class="visually-hidden">&lt;added&gt; </span>x</ins>'


def test_an_unknown_op_is_refused():
    with pytest.raises(ValueError, match="unknown op 'replace'"):
        render_ops_html([["replace", "x"]])
