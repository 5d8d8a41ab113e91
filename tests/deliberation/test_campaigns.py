"""Campaigns: near-identical comments grouped, distinct comments left alone, in any language."""

from __future__ import annotations

import random

from consult.deliberation.campaigns import (
    CampaignParams,
    added_text,
    campaign_additions,
    detect_campaigns,
    moderator_label,
    normalise,
)

LETTER = (
    "Saya menolak kenaikan tarif retribusi pasar tradisional tahun ini karena pedagang kecil belum pulih "
    "setelah pandemi, dan saya meminta pemerintah daerah menunda kenaikan sampai pendapatan pedagang membaik."
)
TOPIC = [
    "The fee for market stalls should depend on the size of the stall.",
    "Retribusi pasar sebaiknya dibayar bulanan, bukan harian, supaya pedagang tidak repot.",
    "Please publish how the market fee money is spent on cleaning and security.",
    "Pasar tradisional perlu atap baru sebelum musim hujan; tarif bisa naik setelah itu.",
    "Small traders need a grace period of three months before any new fee applies.",
    "Kenaikan tarif harus diumumkan paling lambat satu bulan sebelumnya di setiap pasar.",
    "The municipality should consult the traders' association before changing market fees.",
    "Saya setuju tarif naik asalkan toilet pasar diperbaiki dan air bersih tersedia.",
]


def copies(letter, n, seed=1):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = letter.split(" ")
        j = rng.randrange(len(words))
        words[j] = words[j].upper() if i % 2 else words[j][:-1]
        greet = ["Yth. Bapak/Ibu,", "Dengan hormat,", "Halo,", ""][i % 4]
        personal = f"Saya berjualan sayur di Blok {chr(65 + i % 26)} sejak {1990 + i % 30}." if i % 3 == 0 else ""
        out.append(" ".join(p for p in (greet, " ".join(words), personal) if p))
    return out


def test_a_form_letter_with_edits_greetings_and_personal_sentences_is_one_campaign():
    texts = copies(LETTER, 40) + TOPIC
    ids = list(range(100, 100 + len(texts)))
    result = detect_campaigns(ids, texts)
    assert len(result.campaigns) == 1
    campaign = result.campaigns[0]
    assert campaign.size == 40
    assert campaign.comment_ids == ids[:40]
    assert campaign.representative_id in ids[:40]
    assert moderator_label(campaign.size) == "kampanye: 40 komentar hampir identik"


def test_distinct_comments_on_the_same_topic_are_not_grouped():
    assert detect_campaigns(list(range(len(TOPIC))), TOPIC).campaigns == []


def test_small_campaigns_are_found_and_two_identical_comments_are_not_a_campaign():
    english = "Open source should be the default for every agency, with written reasons for each exception."
    texts = copies(LETTER, 3) + [english, english.upper()] + TOPIC
    result = detect_campaigns(list(range(len(texts))), texts)
    assert [c.comment_ids for c in result.campaigns] == [[0, 1, 2]]
    with_pairs = detect_campaigns(list(range(len(texts))), texts, params=CampaignParams(min_size=2))
    assert sorted(c.size for c in with_pairs.campaigns) == [2, 3]


def test_text_written_without_spaces_is_grouped_too():
    japanese = (
        "パブリックコメントの期間を延長し、地方の住民にも説明会を開催してください。"
        "オンラインだけでは意見を出せない人がいます。"
    )
    glued = LETTER.replace(" ", "")
    texts = [japanese, japanese + "よろしくお願いします。", japanese.replace("地方", "地域"), japanese[:-1]]
    texts += [glued, glued[:50] + glued[51:], glued + "Terimakasih."] + TOPIC
    result = detect_campaigns(list(range(len(texts))), texts)
    assert sorted(c.comment_ids for c in result.campaigns) == [[0, 1, 2, 3], [4, 5, 6]]
    # and a spaced copy of the glued letter belongs with it: spaces are not part of the comparison
    result = detect_campaigns(list(range(4)), [glued, LETTER, LETTER.upper(), "Something else entirely, really."])
    assert result.campaigns[0].comment_ids == [0, 1, 2]


def test_campaign_ids_are_kept_for_campaigns_that_still_exist():
    other = copies(TOPIC[2] + " " + TOPIC[4] + " " + TOPIC[6], 5, seed=2)
    texts = copies(LETTER, 10) + other + TOPIC
    ids = list(range(1, len(texts) + 1))
    first = detect_campaigns(ids, texts)
    assert [c.id for c in first.campaigns] == [1, 2]  # largest first without a previous assignment
    previous = {7: first.campaigns[1].comment_ids, 3: first.campaigns[0].comment_ids[:6]}
    more = copies(LETTER.replace("pasar", "terminal"), 4, seed=9)
    again = detect_campaigns(ids + [900, 901, 902, 903], texts + more, previous=previous)
    by_members = {c.id: set(c.comment_ids) for c in again.campaigns}
    assert by_members[7] == set(first.campaigns[1].comment_ids)
    assert set(first.campaigns[0].comment_ids) <= by_members[3]
    assert set(by_members) == {3, 7}
    assert again.to_contract(5)["round_id"] == 5
    assert again.assignment()[7] == first.campaigns[1].comment_ids


def test_each_copy_shows_what_its_sender_added():
    rep = "We ask the agency to translate the service standard into regional languages."
    copy = (
        "Dear agency, we ask the agency to translate the service standard into regional languages. "
        "My mother reads only Javanese."
    )
    assert added_text(rep, copy) == "Dear agency, … My mother reads only Javanese."
    assert added_text(rep, rep.upper()) == ""
    texts = copies(LETTER, 6)
    result = detect_campaigns(list(range(6)), texts)
    additions = campaign_additions(result.campaigns[0], dict(enumerate(texts)))
    assert result.campaigns[0].representative_id not in additions
    assert any("Blok" in extra for extra in additions.values())


def test_normalisation_folds_case_width_and_punctuation():
    assert normalise("ＡＢＣ, Déjà-vu!!  Ok") == "abc déjà vu ok"


def test_the_same_comments_give_the_same_campaigns():
    texts = copies(LETTER, 12) + TOPIC
    ids = list(range(len(texts)))
    assert detect_campaigns(ids, texts).to_contract(1) == detect_campaigns(ids, texts).to_contract(1)


def test_real_distinct_statements_of_a_polis_conversation_form_no_campaign_until_a_letter_is_planted():
    import csv

    from tests.conftest import shared_file

    with shared_file("polis", "scoop-hivemind.ubi", "comments.csv").open(newline="", encoding="utf-8") as f:
        bodies = [row["comment-body"] for row in csv.DictReader(f)]
    ids = list(range(len(bodies)))
    assert detect_campaigns(ids, bodies).campaigns == []
    planted = copies(LETTER, 5, seed=4)
    result = detect_campaigns(ids + [1000 + i for i in range(5)], bodies + planted)
    assert [c.comment_ids for c in result.campaigns] == [[1000, 1001, 1002, 1003, 1004]]
