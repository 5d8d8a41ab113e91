"""The service charter page (maklumat pelayanan): the promises of the standard in force in plain words, the date
it took effect, the version and the consultation it came from; printable; a constant number of queries."""

from __future__ import annotations

import re

import sqlalchemy as sa

from consult.accountability.models import Commitment
from consult.accountability.services import commitments
from consult.accountability.services import complaints as svc
from consult.accountability.services.maklumat import plain_words, rupiah
from consult.accountability.services.services import ensure_service
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.extensions import db, write_transaction
from tests.accountability.complaint_world import build_world
from tests.participation.test_my_comments import count_queries


def _text(response) -> str:
    main = response.get_data(as_text=True).split("<main", 1)[-1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def _url(world) -> str:
    return f"/instansi/{world.agency.slug}/layanan/{world.service.slug}/maklumat"


def test_plain_words():
    assert rupiah(50_000) == "Rp 50.000" and rupiah(1_500_000) == "Rp 1.500.000" and rupiah(0) == "Rp 0"
    assert plain_words("completion_time", "days", 3, "working_days")[0] == "Selesai paling lama 3 hari kerja."
    assert plain_words("completion_time", "text", "60 menit", None)[0] == "Selesai paling lama 60 menit."
    assert plain_words("cost", "rupiah", 0, "rupiah")[0].startswith("Gratis: Rp 0.")
    assert plain_words("cost", "rupiah", 25_000, "rupiah")[0] == "Rp 25.000, tidak lebih."
    assert plain_words("requirements", "text", ["KTP", "KK"], None) == ("Bawa:", ["KTP", "KK"])


def test_the_charter_states_the_published_promises_in_plain_words(client, make):
    world = build_world(make)
    db.session.commit()
    response = client.get(_url(world))
    assert response.status_code == 200
    page = _text(response)
    assert "Maklumat Pelayanan" in page and world.service.name in page
    assert "Selesai paling lama 14 hari kerja." in page  # jangka-waktu: "Paling lama 14 hari kerja …"
    assert "Gratis: Rp 0." in page  # biaya-tarif: "Tidak dipungut biaya (gratis)."
    assert "KTP elektronik" in page and "Kartu Keluarga" in page
    assert "SP4N-LAPOR!" in page and "Pengaduan dijawab paling lama 5 hari kerja." in page
    assert "dijawab paling lama 14 hari kalender" in page  # the platform's deadline, whatever the standard says
    assert "Berlaku sejak" in page and "versi 1" in page
    assert "belum memeriksa" not in page
    html = response.get_data(as_text=True)
    version = world.commitment.version_id
    number = db.session.scalar(sa.text("select number from document_versions where id = :v"), {"v": version})
    assert f'/dokumen/{world.commitment.document_id}/versi/{number}#biaya-tarif"' in html
    assert f"/instansi/{world.agency.slug}/pengaduan/baru" in html
    assert f"/instansi/{world.agency.slug}/rapor#{world.service.slug}" in html


def test_the_agencys_corrections_are_what_the_charter_promises(client, make):
    world = build_world(make, publish=False)
    db.session.commit()
    page = _text(client.get(_url(world)))
    assert "belum memeriksa" in page and "Gratis: Rp 0." in page  # read from the sections meanwhile
    cost = db.session.scalar(
        sa.select(Commitment).where(Commitment.service_id == world.service.id, Commitment.measure == "cost")
    )
    commitments.update_commitment(world.admin, cost, text="Biaya Rp 10.000.", kind="rupiah", value="10000")
    commitments.publish_commitments(world.admin, world.agency, world.service)
    db.session.commit()
    page = _text(client.get(_url(world)))
    assert "Rp 10.000, tidak lebih." in page and "Gratis" not in page and "belum memeriksa" not in page


def test_a_service_without_a_standard_and_an_unknown_service(client, make):
    world = build_world(make)
    with write_transaction():
        ensure_service(world.agency, "Legalisir Dokumen")
    db.session.commit()
    page = _text(client.get(f"/instansi/{world.agency.slug}/layanan/legalisir-dokumen/maklumat"))
    assert "belum punya maklumat" in page
    assert client.get(f"/instansi/{world.agency.slug}/layanan/tidak-ada/maklumat").status_code == 404
    assert client.get(f"/instansi/{world.other.slug}/layanan/{world.service.slug}/maklumat").status_code == 404


def test_the_charter_runs_a_constant_number_of_queries(client, make):
    world = build_world(make)
    db.session.commit()
    url, agency_id, admin_id = _url(world), world.agency.id, world.admin.id

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = queries()
    agency, admin = db.session.get(Agency, agency_id), db.session.get(User, admin_id)
    for n in range(30):
        svc.file_complaint(admin, agency, what=f"Keluhan {n}.", channel="paper")
    db.session.commit()
    assert queries() == few <= 6


def test_the_report_card_links_each_covered_service_to_its_charter(client, make):
    world = build_world(make)
    db.session.commit()
    html = client.get(f"/instansi/{world.agency.slug}/rapor").get_data(as_text=True)
    assert f'href="{_url(world)}"' in html
