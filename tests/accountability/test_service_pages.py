"""The staff's services page (/kelola/<slug>/layanan): the number of people each service serves, which the report
card's minimum-sample warning needs; the links to the charter, the report card and the paper survey forms."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.accountability.models import Service
from consult.audit import AuditEntry
from consult.extensions import db
from tests.accountability.complaint_world import build_world


@pytest.fixture
def world(make):
    w = build_world(make)
    db.session.commit()
    return w


def _text(response) -> str:
    main = response.get_data(as_text=True).split("<main", 1)[-1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.mark.parametrize(
    ("who", "status"), [("citizen", 403), ("other_admin", 403), ("moderator", 200), ("admin", 200), ("site_admin", 200)]
)
def test_who_gets_in(client, auth, world, who, status):
    auth.login(getattr(world, who))
    assert client.get(f"/kelola/{world.agency.slug}/layanan").status_code == status


def test_staff_state_the_people_served_and_the_report_card_checks_the_sample(client, auth, world):
    auth.login(world.moderator)
    base = f"/kelola/{world.agency.slug}/layanan"
    page = client.get(base)
    html = page.get_data(as_text=True)
    assert world.service.name in _text(page)
    assert f"/instansi/{world.agency.slug}/layanan/{world.service.slug}/maklumat" in html
    assert f"/instansi/{world.agency.slug}/rapor#{world.service.slug}" in html
    prefix = f"s{world.service.id}-"
    saved = client.post(
        f"{base}/{world.service.id}", data={prefix + "people_served": "1.200", prefix + "period": "per triwulan"}
    )
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"#layanan-{world.service.slug}")
    service = db.session.get(Service, world.service.id)
    assert (service.people_served, service.people_served_period) == (1200, "per triwulan")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "service.people_served"))
    assert entry.data["people_served"] == 1200
    card = client.get(f"/api/v1/agencies/{world.agency.slug}/report-card").get_json()
    row = next(s for s in card["services"] if s["service_slug"] == world.service.slug)
    assert row["ikm"]["people_served"] == 1200 and row["ikm"]["minimum_sample"] == 291
    assert row["ikm"]["below_minimum_sample"] is True


def test_a_bad_number_is_refused_with_a_message_and_the_typing_kept(client, auth, world):
    auth.login(world.admin)
    prefix = f"s{world.service.id}-"
    refused = client.post(
        f"/kelola/{world.agency.slug}/layanan/{world.service.id}",
        data={prefix + "people_served": "banyak sekali", prefix + "period": "per tahun"},
    )
    assert refused.status_code == 422
    assert "Isi jumlah orang yang dilayani, mulai dari 0." in _text(refused)
    assert 'value="banyak sekali"' in refused.get_data(as_text=True)
    assert db.session.get(Service, world.service.id).people_served is None
    elsewhere = client.post(f"/kelola/{world.other.slug}/layanan/{world.service.id}", data={})
    assert elsewhere.status_code in (403, 404)
