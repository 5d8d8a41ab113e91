"""Measurable commitments read from a service standard's components (consult/accountability/commitments.py).

The four standards below are written for these tests in the style of Indonesian agencies' published
standar pelayanan (Kartu Keluarga, KTP-el, izin usaha mikro, akta kelahiran).
"""

from __future__ import annotations

import pytest

from consult.accountability.commitments import clean, extract_commitments, parse_number, parse_rupiah

KARTU_KELUARGA = {
    "dasar-hukum": "1. Undang-Undang Nomor 24 Tahun 2013 tentang Perubahan atas UU 23/2006.\n"
    "2. Peraturan Presiden Nomor 96 Tahun 2018.",
    "persyaratan": "Penerbitan KK baru karena membentuk keluarga baru:\n\n"
    "1. Buku nikah/kutipan akta perkawinan atau kutipan akta perceraian;\n"
    "2. Surat keterangan pindah bagi penduduk yang pindah dalam wilayah NKRI;\n"
    "3. Formulir F-1.01 yang telah diisi dan ditandatangani.\n",
    "sistem-mekanisme-prosedur": "Pemohon mengambil nomor antrean, menyerahkan berkas di loket 2, petugas "
    "memverifikasi data. **Waktu pelayanan**: Senin - Jumat, pukul 08.00 - 15.00 WIB.",
    "jangka-waktu": "Paling lama 1 (satu) hari kerja sejak berkas diterima lengkap dan benar.",
    "biaya-tarif": "Tidak dipungut biaya (Rp 0,-) sesuai Pasal 79A UU 24/2013.",
    "produk-pelayanan": "Kartu Keluarga (KK) yang dicetak dengan kertas HVS 80 gram atau dokumen elektronik.",
    "penanganan-pengaduan": "Pengaduan dapat disampaikan melalui:\n"
    "- SP4N-LAPOR! (www.lapor.go.id);\n"
    "- WhatsApp 0812-3456-7890;\n"
    "- e-mail pengaduan@disdukcapil.contohkab.go.id;\n"
    "- kotak pengaduan di ruang tunggu.\n"
    "Pengaduan ditindaklanjuti paling lambat 14 (empat belas) hari kerja.",
    "jaminan-pelayanan": "Kami menjamin pelayanan diberikan sesuai standar yang tertuang dalam **Maklumat Pelayanan**.",
}

KTP_EL = [
    ("persyaratan", "- Telah berusia 17 tahun, sudah kawin atau pernah kawin\n- Fotokopi Kartu Keluarga"),
    ("jangka-waktu", "Perekaman: 15 menit. Pencetakan KTP-el: 1 x 24 jam setelah perekaman, apabila blangko tersedia."),
    ("biaya-tarif", "Gratis."),
    ("penanganan-pengaduan", "Telepon (0274) 512345 pada jam kerja, 08.00–16.00 WITA, atau melalui lapor.go.id."),
    ("jaminan-pelayanan", ""),
]

IZIN_USAHA = [
    {
        "key": "persyaratan",
        "title": "Persyaratan",
        "body": "Fotokopi KTP pemohon; surat pengantar RT/RW; pas foto 4x6.",
    },
    {
        "key": "jangka-waktu",
        "title": "Jangka waktu",
        "body": "Izin diterbitkan dalam waktu tiga hari kerja, paling lama dua puluh satu hari kalender bila ada "
        "peninjauan lapangan, atau seminggu untuk perpanjangan.",
    },
    {
        "key": "biaya-tarif",
        "title": "Biaya",
        "body": "Retribusi Rp. 25.000,- per izin. Legalisir salinan Rp 5.000 per lembar. Denda keterlambatan "
        "Rp 1,5 juta. Biaya pengiriman 50.000 rupiah.",
    },
    {"key": "penanganan-pengaduan", "title": "Pengaduan", "body": "Melalui loket pengaduan dan saran."},
]

AKTA_KELAHIRAN = [
    ("persyaratan", "a. Surat keterangan kelahiran dari rumah sakit/bidan;\nb. Kartu Keluarga;\nc. KTP-el orang tua."),
    ("jangka-waktu", "Akta kelahiran selesai dalam sehari. Untuk kelahiran yang terlambat dilaporkan: 30 hari."),
    ("biaya-tarif", "Rp 50.000,00 untuk penerbitan kembali akta yang hilang; penerbitan pertama tanpa biaya."),
    ("sistem-mekanisme-prosedur", "Loket buka Senin s/d Kamis 08.00-14.00 dan Jumat 08.00-11.00."),
]


def by_measure(commitments, measure):
    return [c for c in commitments if c["measure"] == measure]


def test_kartu_keluarga_standard_gives_each_measurable_promise_with_its_section():
    found = extract_commitments(KARTU_KELUARGA.items())
    [time] = by_measure(found, "completion_time")
    assert (time["section_key"], time["kind"], time["value"], time["unit"]) == (
        "jangka-waktu",
        "days",
        1,
        "working_days",
    )
    assert time["text"] == "Paling lama 1 (satu) hari kerja sejak berkas diterima lengkap dan benar."
    [cost] = by_measure(found, "cost")
    assert (cost["section_key"], cost["kind"], cost["value"]) == ("biaya-tarif", "rupiah", 0)
    [requirements] = by_measure(found, "requirements")
    assert requirements["value"] == [
        "Buku nikah/kutipan akta perkawinan atau kutipan akta perceraian",
        "Surat keterangan pindah bagi penduduk yang pindah dalam wilayah NKRI",
        "Formulir F-1.01 yang telah diisi dan ditandatangani",
    ]
    [hours] = by_measure(found, "opening_hours")
    assert (hours["section_key"], hours["value"]) == ("sistem-mekanisme-prosedur", "Senin–Jumat 08.00–15.00 WIB")
    assert "**" not in hours["text"] and hours["text"].startswith("Waktu pelayanan: Senin")
    [channel] = by_measure(found, "complaint_channel")
    assert channel["value"] == [
        "SP4N-LAPOR!",
        "pengaduan@disdukcapil.contohkab.go.id",
        "www.lapor.go.id",
        "0812-3456-7890",
        "kotak pengaduan",
    ]
    [response] = by_measure(found, "complaint_response_time")
    assert (response["section_key"], response["value"], response["unit"]) == (
        "penanganan-pengaduan",
        14,
        "working_days",
    )
    [guarantee] = by_measure(found, "service_guarantee")
    assert (
        guarantee["value"] == "Kami menjamin pelayanan diberikan sesuai standar yang tertuang dalam Maklumat Pelayanan."
    )
    assert {c["section_key"] for c in found} <= set(KARTU_KELUARGA)
    assert not [c for c in found if c["section_key"] in ("dasar-hukum", "produk-pelayanan")]


def test_every_commitment_has_the_documented_shape():
    for commitment in extract_commitments(KARTU_KELUARGA.items()):
        assert list(commitment) == ["section_key", "measure", "kind", "value", "unit", "text"]
        assert commitment["kind"] in ("days", "rupiah", "text")
        assert len(commitment["text"]) <= 300 or commitment["measure"] == "requirements"


def test_ktp_el_minutes_are_text_and_one_times_24_hours_is_one_calendar_day():
    found = extract_commitments(KTP_EL)
    times = by_measure(found, "completion_time")
    assert [(c["kind"], c["value"], c["unit"]) for c in times] == [
        ("text", "15 menit", None),
        ("days", 1, "calendar_days"),
    ]
    assert [c["value"] for c in by_measure(found, "cost")] == [0]
    [channel] = by_measure(found, "complaint_channel")
    assert channel["value"] == ["lapor.go.id", "(0274) 512345"]
    [hours] = by_measure(found, "opening_hours")
    assert (hours["section_key"], hours["value"]) == ("penanganan-pengaduan", "08.00–16.00 WITA")
    assert not by_measure(found, "service_guarantee")  # an empty guarantee section promises nothing
    assert not by_measure(found, "complaint_response_time")  # "jam kerja" next to hours is not a duration
    assert by_measure(found, "requirements")[0]["value"] == [
        "Telah berusia 17 tahun, sudah kawin atau pernah kawin",
        "Fotokopi Kartu Keluarga",
    ]


def test_izin_usaha_number_words_weeks_and_rupiah_written_every_way():
    found = extract_commitments(IZIN_USAHA)
    assert [(c["value"], c["unit"]) for c in by_measure(found, "completion_time")] == [
        (3, "working_days"),
        (21, "calendar_days"),
        (7, "calendar_days"),
    ]
    assert [c["value"] for c in by_measure(found, "cost")] == [25_000, 5_000, 1_500_000, 50_000]
    assert by_measure(found, "requirements")[0]["value"] == [
        "Fotokopi KTP pemohon",
        "surat pengantar RT/RW",
        "pas foto 4x6",
    ]
    assert by_measure(found, "complaint_channel")[0]["value"] == ["loket pengaduan dan saran"]


def test_akta_kelahiran_sehari_bare_days_and_two_opening_spans():
    found = extract_commitments(AKTA_KELAHIRAN)
    assert [(c["value"], c["unit"]) for c in by_measure(found, "completion_time")] == [(1, "days"), (30, "days")]
    assert [c["value"] for c in by_measure(found, "cost")] == [50_000, 0]
    assert by_measure(found, "requirements")[0]["value"] == [
        "Surat keterangan kelahiran dari rumah sakit/bidan",
        "Kartu Keluarga",
        "KTP-el orang tua",
    ]
    [hours] = by_measure(found, "opening_hours")
    assert hours["value"] == "Senin–Kamis 08.00–14.00; Jumat 08.00–11.00"


def test_sections_may_be_mappings_pairs_or_objects():
    class Section:
        key, body = "biaya-tarif", "Rp 10.000"

    assert extract_commitments([Section()])[0]["value"] == 10_000
    assert extract_commitments([("biaya-tarif", "Rp 10.000")])[0]["value"] == 10_000
    assert extract_commitments([{"key": "biaya-tarif", "body": "Rp 10.000"}])[0]["value"] == 10_000


def test_no_sections_or_empty_sections_promise_nothing():
    assert extract_commitments([]) == []
    assert extract_commitments([("jangka-waktu", ""), ("biaya-tarif", None), ("persyaratan", "\n\n")]) == []


def test_a_repeated_amount_in_one_sentence_counts_once():
    found = extract_commitments([("biaya-tarif", "Rp 0,- (nol rupiah), gratis, tidak dipungut biaya.")])
    assert [c["value"] for c in found] == [0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7", 7),
        ("tiga", 3),
        ("sepuluh", 10),
        ("sebelas", 11),
        ("empat belas", 14),
        ("dua puluh", 20),
        ("dua puluh satu", 21),
        ("tiga puluh", 30),
        ("sembilan puluh sembilan", 99),
        ("seratus dua puluh", 120),
        ("Empat Belas", 14),
        ("belas", None),
        ("puluh", None),
        ("lima ratus", None),
    ],
)
def test_numbers_in_digits_or_indonesian_words(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("body", "value", "unit"),
    [
        ("3 (tiga) hari", 3, "days"),
        ("tiga (3) hari kerja", 3, "working_days"),
        ("selambat-lambatnya 14 hari kalender", 14, "calendar_days"),
        ("2x24 jam", 2, "calendar_days"),
        ("1 × 24 jam", 1, "calendar_days"),
        ("48 jam", 2, "calendar_days"),
        ("dua minggu", 14, "calendar_days"),
        ("1 pekan", 7, "calendar_days"),
        ("dua puluh lima hari kerja", 25, "working_days"),
        ("5 HARI KERJA", 5, "working_days"),
    ],
)
def test_durations_become_days_with_how_they_are_counted(body, value, unit):
    [found] = extract_commitments([("jangka-waktu", body)])
    assert (found["kind"], found["value"], found["unit"]) == ("days", value, unit)


@pytest.mark.parametrize("body", ["2 jam", "60 menit", "1 bulan", "3 (tiga) bulan"])
def test_durations_that_are_not_whole_days_are_kept_as_written(body):
    [found] = extract_commitments([("jangka-waktu", body)])
    assert (found["kind"], found["value"], found["unit"]) == ("text", body, None)


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ("Rp 0", 0),
        ("Rp0,-", 0),
        ("Rp 50.000,00", 50_000),
        ("Rp. 25.000,-", 25_000),
        ("Rp 1.250.000", 1_250_000),
        ("Rp 1,500", 1_500),
        ("Rp 7.500,50", 7_501),  # sen rounded half up
        ("Rp 2 juta", 2_000_000),
        ("Rp 75 ribu", 75_000),
        ("15.000 rupiah", 15_000),
        ("gratis", 0),
        ("Tanpa dipungut biaya", 0),
        ("tidak dikenakan biaya", 0),
        ("Biaya: nihil", 0),
    ],
)
def test_costs_become_whole_rupiah(body, value):
    [found] = extract_commitments([("biaya-tarif", body)])
    assert (found["kind"], found["value"], found["unit"]) == ("rupiah", value, "rupiah")


def test_parse_rupiah_reads_indonesian_separators():
    assert parse_rupiah("50.000", "00") == 50_000
    assert parse_rupiah("1", "5", "juta") == 1_500_000
    assert parse_rupiah("2,500") == 2_500


def test_clean_drops_markdown_marks_but_keeps_text():
    assert clean("  - **Biaya**: [lihat Perda](https://x.id) _gratis_ `kode`") == "Biaya: lihat Perda gratis kode"
    assert clean("## 3. Jangka waktu") == "3. Jangka waktu"


def test_a_long_sentence_is_shortened_to_300_characters():
    [found] = extract_commitments([("jangka-waktu", "Selesai 3 hari kerja " + "dan seterusnya " * 40)])
    assert len(found["text"]) == 300 and found["text"].endswith("…")
