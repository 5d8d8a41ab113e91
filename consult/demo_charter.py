"""The demo's second half of a consultation on a service standard: consulted, summarised, adopted, and held to.

`load_demo_charter(agency, now)` adds to the demo agency a service standard ("Penerbitan Kartu Keluarga") whose
consultation closed some weeks ago: sample citizens' comments and votes on its sections, three themes answered by
the agency (two adopted, one not, with the reason), the summary published, and the revised version adopted with
every change citing its theme (the completion time cut from 5 to 3 working days, a requirement dropped). The
adoption drafts the commitments, which the agency admin publishes; then a few complaints against them
(consult.demo_complaints) and a few dozen satisfaction survey responses over the last four quarters, so that the
charter, complaint and report-card pages show something real after `make run`. Everything goes through the
services, as a real agency would do it; idempotent (nothing happens when the document exists).
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from consult.accountability.models import Service
from consult.accountability.services import commitments, surveys
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.deliberation.services import revisions
from consult.deliberation.services.dispositions import set_theme_disposition
from consult.deliberation.services.summary import publish_summary
from consult.deliberation.services.themes import create_theme, tag
from consult.demo_complaints import load_demo_complaints
from consult.documents.models import Document, DocumentKind
from consult.documents.services import create_document, publish_version
from consult.errors import Conflict
from consult.extensions import db, write_transaction
from consult.participation.models import Comment, CommentVote
from consult.participation.services.comments import post_comment
from consult.participation.services.votes import vote
from consult.rounds.models import Round, RoundOrigin
from consult.rounds.services import schedule_round

ACTOR = "seed"
TITLE = "Standar Pelayanan Penerbitan Kartu Keluarga"
SERVICE_NAME = "Penerbitan Kartu Keluarga"

COMPONENTS = {
    "dasar-hukum": "- Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik\n"
    "- Undang-Undang Nomor 24 Tahun 2013 tentang Administrasi Kependudukan\n"
    "- Peraturan Presiden Nomor 96 Tahun 2018 tentang Persyaratan dan Tata Cara Pendaftaran Penduduk",
    "persyaratan": "- Kartu Keluarga lama\n- Fotokopi KTP elektronik kepala keluarga\n"
    "- Surat pengantar RT/RW\n- Dokumen peristiwa (akta kelahiran, akta perkawinan, atau surat pindah)",
    "sistem-mekanisme-prosedur": "1. Pemohon mengambil nomor antrean di loket atau secara daring.\n"
    "2. Petugas memeriksa kelengkapan berkas.\n3. Data diverifikasi dan Kartu Keluarga dicetak.\n"
    "4. Pemohon menerima Kartu Keluarga dan menandatangani tanda terima.\n\n"
    "Loket buka Senin–Jumat 08.00–15.00 WIB.",
    "jangka-waktu": "Paling lama 5 (lima) hari kerja sejak berkas dinyatakan lengkap.",
    "biaya-tarif": "Tidak dipungut biaya (gratis), sesuai Undang-Undang Nomor 24 Tahun 2013 Pasal 79A.",
    "produk-pelayanan": "Kartu Keluarga yang dicetak atau dalam bentuk dokumen elektronik bertanda tangan elektronik.",
    "sarana-prasarana": "Ruang tunggu ber-AC, kursi prioritas bagi lansia, ibu hamil dan penyandang disabilitas, "
    "jalur landai, toilet, dan mesin antrean.",
    "kompetensi-pelaksana": "Petugas memahami peraturan administrasi kependudukan dan aplikasi SIAK, serta "
    "melayani dengan ramah.",
    "pengawasan-internal": "Pengawasan oleh kepala bidang pelayanan pendaftaran penduduk dan Inspektorat Kota.",
    "penanganan-pengaduan": "Pengaduan dapat disampaikan melalui SP4N-LAPOR!, WhatsApp 0812-3456-7890, e-mail "
    "pengaduan@disdukcapil-sukamaju.example, atau kotak pengaduan di ruang tunggu. Setiap pengaduan dijawab "
    "paling lama 14 hari kalender.",
    "jumlah-pelaksana": "Enam petugas loket dan dua petugas verifikasi.",
    "jaminan-pelayanan": "Kami menjamin Kartu Keluarga selesai sesuai jangka waktu dan tanpa pungutan. Bila tidak, "
    "pemohon dapat mengadu dan kami menjawab dalam 14 hari.",
    "jaminan-keamanan": "Data pribadi pemohon dijaga kerahasiaannya dan hanya dipakai untuk pelayanan ini.",
    "evaluasi-kinerja": "Survei kepuasan masyarakat setiap triwulan dan evaluasi standar pelayanan setiap tahun.",
}

COMMENTS = (  # (section key, text, theme)
    ("jangka-waktu", "Lima hari kerja terlalu lama, di kota lain Kartu Keluarga bisa jadi dalam sehari.", "waktu"),
    ("jangka-waktu", "Tolong dipercepat, saya harus bolak-balik izin kerja hanya untuk mengambil KK.", "waktu"),
    ("jangka-waktu", "Kalau datanya sudah di SIAK, mestinya tiga hari cukup.", "waktu"),
    ("persyaratan", "Fotokopi KTP tidak perlu lagi, petugas bisa membaca KTP elektronik langsung.", "syarat"),
    ("persyaratan", "Setiap kali mengurus harus fotokopi, padahal datanya sudah ada di sistem.", "syarat"),
    ("sarana-prasarana", "Mohon loket dibuka hari Sabtu untuk pekerja.", "sabtu"),
    ("sarana-prasarana", "Buka Sabtu pagi saja sudah sangat membantu buruh pabrik.", "sabtu"),
    ("biaya-tarif", "Terima kasih sudah gratis, tolong pastikan tidak ada pungutan di loket.", None),
)

THEMES = {
    "waktu": (
        "Jangka waktu terlalu lama",
        "Warga meminta Kartu Keluarga selesai lebih cepat dari lima hari kerja.",
        "adopted",
        "Jangka waktu kami persingkat menjadi paling lama 3 (tiga) hari kerja.",
    ),
    "syarat": (
        "Fotokopi KTP tidak diperlukan",
        "Warga menilai fotokopi KTP tidak perlu karena data dibaca dari KTP elektronik.",
        "adopted",
        "Fotokopi KTP elektronik kami hapus dari persyaratan.",
    ),
    "sabtu": (
        "Loket dibuka hari Sabtu",
        "Pekerja meminta loket dibuka pada hari Sabtu.",
        "not_adopted",
        "Belum dapat kami penuhi tahun ini karena jumlah petugas; sebagai gantinya antrean daring dibuka "
        "sampai pukul 20.00 setiap hari.",
    ),
}


def load_demo_charter(agency: Agency, now: dt.datetime) -> None:
    if db.session.scalar(sa.select(Document.id).where(Document.agency_id == agency.id, Document.title == TITLE)):
        return
    staff = {
        role: db.session.scalar(sa.select(User).where(User.email == f"{role}@disdukcapil-sukamaju.example"))
        for role in ("pengelola", "moderator")
    }
    admin, moderator = staff["pengelola"], staff["moderator"]
    citizens = [
        db.session.scalar(sa.select(User).where(User.email == f"warga{n:02d}@contoh.example")) for n in range(1, 17)
    ]
    citizens = [c for c in citizens if c is not None]
    with write_transaction():
        document = create_document(
            ACTOR,
            agency,
            DocumentKind.SERVICE_STANDARD,
            TITLE,
            "Standar pelayanan Kartu Keluarga yang dikonsultasikan, diringkas, dan diadopsi kembali.",
            components=COMPONENTS,
            service_name=SERVICE_NAME,
        )
        version = publish_version(ACTOR, document.latest_version)
        rnd = schedule_round(
            ACTOR,
            version,
            title=TITLE,
            opens_at=now - dt.timedelta(days=75),
            closes_at=now + dt.timedelta(hours=1),
            origin=RoundOrigin.DEMO,
        )
        sections = {s.key: s for s in version.sections}
        tagged: dict[str, list[int]] = {}
        rng = random.Random(13)
        for n, (key, text, theme) in enumerate(COMMENTS):
            comment = post_comment(citizens[n % len(citizens)], rnd, text, section_id=sections[key].id)
            if theme:
                tagged.setdefault(theme, []).append(comment.id)
            for voter in rng.sample(citizens, min(8, len(citizens))):
                if voter.id != comment.author_id:
                    vote(voter, comment, rng.choice((1, 1, 1, -1, 0)))
        _date_back(rnd, now)
    rnd = db.session.get(Round, rnd.id)
    themes = {}
    for key, (title, synthesis, value, response) in THEMES.items():
        theme = create_theme(moderator, rnd, title, synthesis)
        tag(moderator, theme, comment_ids=tagged[key])
        set_theme_disposition(admin, theme, value, response)
        themes[key] = theme
    publish_summary(rnd, admin)
    revised = [
        {
            "key": s.key,
            "title": s.title,
            "body": {
                "jangka-waktu": "Paling lama 3 (tiga) hari kerja sejak berkas dinyatakan lengkap.",
                "persyaratan": s.body.replace("- Fotokopi KTP elektronik kepala keluarga\n", ""),
                "sistem-mekanisme-prosedur": s.body + " Antrean daring dibuka setiap hari sampai pukul 20.00.",
            }.get(s.key, s.body),
        }
        for s in version.sections
    ]
    draft = revisions.start_revision(
        admin,
        rnd,
        revised,
        {
            "jangka-waktu": {"theme_ids": [themes["waktu"].id]},
            "persyaratan": {"theme_ids": [themes["syarat"].id]},
            "sistem-mekanisme-prosedur": {
                "theme_ids": [themes["sabtu"].id],
                "reason": "Ganti dari loket Sabtu yang belum dapat dibuka: antrean daring sampai malam.",
            },
        },
    )
    with write_transaction():
        draft.created_at = now - dt.timedelta(days=20)
    adopted = revisions.adopt_version(admin, draft)
    service = db.session.scalar(
        sa.select(Service).where(Service.agency_id == agency.id, Service.document_id == adopted.document_id)
    )
    commitments.publish_commitments(admin, agency, service)
    load_demo_complaints(agency, now)
    _surveys(agency, service, citizens, moderator, now)


def _date_back(rnd: Round, now: dt.datetime) -> None:
    opens_at, closes_at = now - dt.timedelta(days=75), now - dt.timedelta(days=45)
    rnd.opens_at, rnd.closes_at, rnd.opened_at = opens_at, closes_at, opens_at
    ids = db.session.scalars(sa.select(Comment.id).where(Comment.round_id == rnd.id).order_by(Comment.id)).all()
    for n, comment_id in enumerate(ids):
        at = opens_at + dt.timedelta(days=2 + n * 3)
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id).values(created_at=at))
    db.session.execute(
        sa.update(CommentVote)
        .where(CommentVote.comment_id.in_(ids))
        .values(created_at=closes_at - dt.timedelta(days=2))
    )


def _surveys(agency: Agency, service: Service, citizens: list[User], clerk: User, now: dt.datetime) -> None:
    """About forty responses over the last four quarters: the sample citizens on the web (once a quarter each)
    and paper forms typed in by the moderator; satisfaction rising after the revision."""
    surveys.set_people_served(clerk, service, 150, "per triwulan")
    rng = random.Random(29)
    for quarter_back in range(3, -1, -1):
        when = now - dt.timedelta(days=91 * quarter_back)
        mood = (2, 3, 3, 3) if quarter_back >= 2 else (3, 3, 4, 4)
        for person in citizens[: 6 + (3 - quarter_back)]:
            scores = [rng.choice(mood) for _ in range(9)]
            try:
                surveys.record_survey(person, agency, service.name, scores, now=when)
            except Conflict:  # two steps back that fell in one quarter: once a quarter is the rule
                continue
        for _ in range(3):
            scores = [rng.choice(mood) for _ in range(9)]
            surveys.record_survey(
                clerk,
                agency,
                service.name,
                scores,
                channel="paper",
                served_on=(when - dt.timedelta(days=1)).date(),
                now=now,
            )
