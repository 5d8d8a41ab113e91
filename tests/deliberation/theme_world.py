"""A closed round with comments in two sections, a campaign of three copies, and its staff: for the themes tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from consult.deliberation.models import Campaign, CampaignMember
from consult.extensions import db, write_transaction
from consult.participation.services import post_comment
from consult.rounds.models import Round
from consult.timeutil import utcnow

TEXTS = [
    "Jam layanan loket perlu diperpanjang sampai malam agar pekerja bisa datang.",
    "Antrean daring untuk semua loket supaya warga tidak menunggu lama.",
    "Biaya cetak ulang dokumen sebaiknya dihapus bagi warga tidak mampu.",
    "Petugas keliling ke desa setiap bulan membantu lansia mengurus dokumen.",
    "Ruang tunggu diberi tempat duduk yang cukup dan kipas angin.",
]
LETTER = "Kami menolak kenaikan tarif retribusi pasar karena pedagang kecil belum pulih."


def close(rnd) -> None:
    with write_transaction():
        r = db.session.get(Round, rnd.id)
        r.closes_at = utcnow() - dt.timedelta(hours=1)


def build(make, *, closed: bool = True) -> SimpleNamespace:
    agency = make.agency()
    other = make.agency()
    rnd = make.round(agency)
    other_round = make.round(other)
    sections = rnd.version.sections
    author = make.user(verified=True)
    comments = [post_comment(author, rnd, text, section_id=sections[1 + i % 2].id) for i, text in enumerate(TEXTS)]
    copies = [post_comment(make.user(verified=True), rnd, f"{LETTER} Salam {i}.") for i in range(3)]
    foreign = post_comment(author, other_round, "Komentar di putaran lain.")
    with write_transaction():
        campaign = Campaign(round_id=rnd.id, number=1, size=3, representative_id=copies[0].id)
        db.session.add(campaign)
        db.session.flush()
        for c in copies:
            db.session.add(CampaignMember(campaign_id=campaign.id, comment_id=c.id))
    if closed:
        close(rnd)
    db.session.commit()
    return SimpleNamespace(
        agency=agency,
        round=db.session.get(Round, rnd.id),
        other_round=other_round,
        sections=sections,
        comments=comments,
        copies=copies,
        campaign_id=campaign.id,
        foreign=foreign,
        author=author,
        citizen=make.user(verified=True),
        moderator=make.user("moderator", agency),
        admin=make.user("agency_admin", agency),
        other_admin=make.user("agency_admin", other),
        site_admin=make.user("admin"),
    )
