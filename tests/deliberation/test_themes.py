"""Suggested themes (consult/deliberation/themes.py): offline TF-IDF + NMF over stemmed Indonesian text."""

from __future__ import annotations

import pytest

from consult.deliberation.themes import suggest_themes, theme_count, tokenize

QUEUES = [
    "Antrean di loket sangat panjang, saya menunggu lama sekali sejak pagi.",
    "Antreannya terlalu lama, mohon tambah loket pelayanan.",
    "Menunggu antrean tiga jam, loketnya cuma satu yang buka.",
    "Nomor antrean habis jam delapan pagi, antrean mengular.",
]
FEES = [
    "Ada pungutan liar di kantor kecamatan, diminta bayar biaya tambahan.",
    "Petugas minta uang pelicin, padahal katanya gratis tanpa biaya.",
    "Biaya pembuatan seharusnya gratis tapi saya dimintai bayaran.",
    "Pungutan biaya tidak resmi harus diberantas.",
]
ONLINE = [
    "Pendaftaran online lewat aplikasi sering error dan gagal.",
    "Aplikasi pendaftaran online tidak bisa dibuka di hp saya.",
    "Situs pendaftaran online lambat, aplikasinya sering gagal login.",
]
REQUIREMENTS = [
    "Persyaratan fotokopi terlalu banyak, harus fotokopi KK dan KTP berkali-kali.",
    "Syaratnya dipersingkat saja, fotokopi dokumen tidak perlu lagi.",
    "Persyaratan yang diminta berbeda-beda setiap petugas.",
]
CORPUS = QUEUES + FEES + ONLINE + REQUIREMENTS


def rows(texts, start=1, section=None, weight=1):
    return [(start + i, text, section, weight) for i, text in enumerate(texts)]


def by_first_id(themes):
    return {t["comment_ids"][0]: t for t in themes}


def test_comments_on_four_subjects_give_four_themes_holding_exactly_those_comments():
    themes = suggest_themes(rows(CORPUS))
    assert sorted(t["comment_ids"] for t in themes) == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11], [12, 13, 14]]
    labels = {t["comment_ids"][0]: t["label"] for t in themes}
    assert "antrean" in labels[1] and "loket" in labels[1]
    assert "biaya" in labels[5] and "pungutan" in labels[5]
    assert "online" in labels[9] and "aplikasi" in labels[9]
    assert "fotokopi" in labels[12]


def test_labels_show_the_word_people_wrote_not_its_stem():
    themes = by_first_id(suggest_themes(rows(CORPUS)))
    assert "persyaratan" in themes[12]["keywords"]  # stem "syarat"
    assert "pendaftaran" in themes[9]["keywords"]  # stem "daftar"
    assert all(word != "syarat" and word != "daftar" for t in themes.values() for word in t["keywords"])


def test_a_label_has_at_most_three_words_and_keywords_at_most_five():
    for theme in suggest_themes(rows(CORPUS)):
        assert 1 <= len(theme["label"].split(", ")) <= 3
        assert theme["label"].split(", ") == theme["keywords"][: len(theme["label"].split(", "))]
        assert len(theme["keywords"]) <= 5


def test_no_comments_give_no_themes():
    assert suggest_themes([]) == []


def test_one_comment_gives_one_theme_with_its_own_words():
    [theme] = suggest_themes([(7, "Antrean loket terlalu lama, petugas lambat.", "jangka-waktu", 1)])
    assert theme["comment_ids"] == [7]
    assert theme["section_keys"] == ["jangka-waktu"]
    assert theme["score"] == 1.0
    assert {"antrean", "loket", "lama"} <= set(theme["keywords"])


def test_five_comments_are_split_into_at_most_two_themes():
    themes = suggest_themes(rows(QUEUES[:3] + FEES[:2]))
    assert len(themes) <= 2
    assert sorted(i for t in themes for i in t["comment_ids"]) == [1, 2, 3, 4, 5]


def test_three_comments_make_a_single_theme():
    themes = suggest_themes(rows(QUEUES[:2] + FEES[:1]))
    assert [t["comment_ids"] for t in themes] == [[1, 2, 3]]


def test_comments_without_a_usable_word_are_in_no_theme():
    noise = [(100, "Setuju!", None, 1), (101, "https://example.org/foto.jpg", None, 1), (102, "👍👍", None, 1)]
    assert suggest_themes(noise) == []
    themes = suggest_themes(rows(CORPUS) + noise)
    ids = {i for t in themes for i in t["comment_ids"]}
    assert ids == set(range(1, 15))
    assert sum(t["score"] for t in themes) == pytest.approx(14 / 17, abs=1e-3)


def test_same_comments_in_another_order_give_the_same_themes():
    forward = suggest_themes(rows(CORPUS))
    backward = suggest_themes(list(reversed(rows(CORPUS))))
    assert forward == backward
    assert suggest_themes(rows(CORPUS)) == forward  # and again: deterministic


def test_weight_counts_a_campaigns_copies_in_the_score():
    plain = by_first_id(suggest_themes(rows(CORPUS)))
    weighted_rows = rows(CORPUS)
    weighted_rows[8] = (9, ONLINE[0], None, 30)  # one comment standing for 30 identical copies
    weighted = by_first_id(suggest_themes(weighted_rows))
    assert weighted[9]["comment_ids"] == [9, 10, 11]
    assert weighted[9]["score"] == pytest.approx(32 / 43, abs=1e-4)
    assert weighted[9]["score"] > plain[9]["score"]
    assert max(weighted.values(), key=lambda t: t["score"])["comment_ids"][0] == 9


def test_a_comment_of_weight_zero_is_left_out():
    themes = suggest_themes(rows(CORPUS) + [(99, "Antrean lama sekali di loket", None, 0)])
    assert 99 not in {i for t in themes for i in t["comment_ids"]}


@pytest.mark.parametrize("weight", [-1, float("nan"), float("inf")])
def test_a_bad_weight_is_refused_naming_the_comment(weight):
    with pytest.raises(ValueError, match="comment 3"):
        suggest_themes([(3, "antrean lama", None, weight)])


def test_a_repeated_comment_id_is_refused():
    with pytest.raises(ValueError, match="comment 1 is given twice"):
        suggest_themes([(1, "antrean lama", None, 1), (1, "biaya mahal", None, 1)])


def test_themes_name_the_sections_their_comments_are_on():
    data = rows(QUEUES, 1, "jangka-waktu") + rows(FEES, 5, "biaya-tarif") + rows(ONLINE, 9) + rows(REQUIREMENTS, 12)
    themes = by_first_id(suggest_themes(data))
    assert themes[1]["section_keys"] == ["jangka-waktu"]
    assert themes[5]["section_keys"] == ["biaya-tarif"]
    assert themes[9]["section_keys"] == []


def test_max_themes_caps_the_number_of_themes():
    themes = suggest_themes(rows(CORPUS), max_themes=2)
    assert len(themes) <= 2
    assert sorted(i for t in themes for i in t["comment_ids"]) == list(range(1, 15))


def test_themes_are_ordered_by_score_then_first_comment():
    themes = suggest_themes(rows(CORPUS))
    keys = [(-t["score"], t["comment_ids"][0]) for t in themes]
    assert keys == sorted(keys)


def test_indonesian_informal_and_english_stop_words_never_become_keywords():
    words = {w for w, _ in tokenize("Yang dan di ke dari, yg gak aja sih dong. The service is and was THE problem")}
    assert words == {"service", "problem"}


def test_words_that_matter_for_a_service_are_kept_though_the_tala_list_has_them():
    assert {w for w, _ in tokenize("antrean lama, kantor jauh, petugas kurang baik")} == {
        "antrean",
        "lama",
        "kantor",
        "jauh",
        "petugas",
        "kurang",
        "baik",
    }


def test_tokenize_stems_and_drops_numbers_links_and_addresses():
    pairs = tokenize("Persyaratannya 3 lembar, lihat https://x.go.id/a atau tulis ke admin@x.go.id; anak-anak")
    assert ("persyaratannya", "syarat") in pairs
    assert ("anak-anak", "anak") in pairs
    assert all("http" not in w and "@" not in w and not w.isdigit() for w, _ in pairs)


@pytest.mark.parametrize(("n", "k"), [(1, 1), (3, 1), (4, 2), (5, 2), (14, 4), (50, 7), (10_000, 8)])
def test_theme_count_grows_with_the_square_root_of_the_comments(n, k):
    assert theme_count(n) == k


def test_two_thousand_comments_take_well_under_ten_seconds():
    import random
    import time

    rng = random.Random(5)
    topics = [
        t.split() for t in ("antrean loket lama menunggu", "biaya pungutan bayar gratis", "aplikasi online gagal")
    ]
    data = [(i, " ".join(rng.choice(rng.choice(topics)) for _ in range(12)), None, 1) for i in range(2000)]
    started = time.perf_counter()
    themes = suggest_themes(data)
    assert time.perf_counter() - started < 10
    assert sum(len(t["comment_ids"]) for t in themes) == 2000
