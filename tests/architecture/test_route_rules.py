"""Every route of the application — pages, forms and the JSON API — is listed here with the people it admits.

The list is checked against the URL map: a new route without a rule fails the first test, and a rule for a
route that no longer exists fails it too. Then each route is tried as every role: the people it admits get
past its permission check (whatever they sent), everyone else is refused (401, 403, 404 or the log-in page)
and a refused request changes nothing in the database. tests/architecture/test_permissions.py and the feature
tests check what the admitted people may then do.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from consult.accountability.models import Commitment
from consult.accountability.services import complaints
from consult.accountability.services.services import ensure_service
from consult.accounts.models import ApiToken
from consult.accounts.services import create_api_token
from consult.agencies import verification
from consult.deliberation.models import Theme
from consult.extensions import db, limiter, write_transaction
from consult.moderation import services as moderation
from consult.moderation.models import ModerationAction
from consult.monitoring.signing import generate_private_key_pem, load_private_key, public_key_b64
from consult.participation import services as participation
from consult.participation.models import Comment
from consult.timeutil import utcnow
from tests.conftest import PASSWORD

ROLES = (
    "anonymous",
    "citizen",
    "author",
    "observer",
    "moderator",
    "agency_admin",
    "other_agency_admin",
    "site_admin",
)
# Who each word admits. "author" wrote the world's comment and owns its token; "citizen" is someone else.
ADMITS = {
    "anyone": set(ROLES),
    "logged_in": set(ROLES) - {"anonymous"},
    "author": {"author"},
    "staff": {"moderator", "agency_admin", "other_agency_admin", "site_admin"},  # of some agency, or site admin
    "moderators": {"moderator", "agency_admin", "site_admin"},  # of agency A
    "managers": {"agency_admin", "site_admin"},  # of agency A
    "any_manager": {"agency_admin", "other_agency_admin", "site_admin"},
    "site_admin": {"site_admin"},
    "observers": {"observer", "site_admin"},
}
WITNESS_KEY = public_key_b64(load_private_key(generate_private_key_pem()))
WITNESS = {"name": "Saksi", "public_key": WITNESS_KEY}
ASK = {"question": "Mengapa?"}
WITNESS_FORM = {"k-name": "Saksi", "k-public_key": WITNESS_KEY}
HEAD = {"seq": 1, "hash": "0" * 64, "at": "2026-12-01T00:00:00Z", "signature": "x", "key_id": "x"}
HEAD_FORM = {"h-head": json.dumps({**HEAD, "countersignature": "x"})}


@dataclass(frozen=True)
class Rule:
    admits: str
    path: str  # formatted with the world's ids
    body: dict | None = None  # what to send (a JSON body for the API, a form otherwise); nothing by default


R = Rule
ROUTES: dict[tuple[str, str], Rule] = {
    # public pages, and what anyone may send
    ("rounds.home", "GET"): R("anyone", "/"),
    ("rounds.index", "GET"): R("anyone", "/putaran"),
    ("rounds.document_version", "GET"): R("anyone", "/dokumen/{document}/versi/1"),
    ("participation.round_page", "GET"): R("anyone", "/rounds/{round}"),
    ("participation.comment_page", "GET"): R("anyone", "/comments/{comment}"),
    ("participation.replies", "GET"): R("anyone", "/comments/{comment}/balasan"),
    ("moderation.house_rules", "GET"): R("anyone", "/instansi/{a}/aturan"),
    ("moderation.log", "GET"): R("anyone", "/moderasi"),
    ("moderation.round_log", "GET"): R("anyone", "/rounds/{round}/moderasi"),
    ("healthz", "GET"): R("anyone", "/healthz"),
    ("static", "GET"): R("anyone", "/static/css/app.css"),
    ("set_language", "POST"): R("anyone", "/bahasa"),
    ("switch_language", "GET"): R("anyone", "/bahasa/en"),
    ("accounts.login", "GET"): R("anyone", "/login"),
    ("accounts.login", "POST"): R("anyone", "/login"),
    ("accounts.register", "GET"): R("anyone", "/register"),
    ("accounts.register", "POST"): R("anyone", "/register"),
    ("accounts.mail_sent", "GET"): R("anyone", "/cek-surel"),
    ("accounts.forgot_password", "GET"): R("anyone", "/lupa-sandi"),
    ("accounts.forgot_password", "POST"): R("anyone", "/lupa-sandi"),
    ("accounts.confirm", "GET"): R("anyone", "/konfirmasi/not-a-token"),  # the signed token is the permission
    ("accounts.confirm", "POST"): R("anyone", "/konfirmasi/not-a-token"),
    ("accounts.reset_password", "GET"): R("anyone", "/sandi-baru/not-a-token"),
    ("accounts.reset_password", "POST"): R("anyone", "/sandi-baru/not-a-token"),
    ("notifications.unsubscribe", "GET"): R("anyone", "/berhenti/not-a-token"),
    ("notifications.unsubscribe", "POST"): R("anyone", "/berhenti/not-a-token"),
    # a person's own account
    ("accounts.logout", "POST"): R("anyone", "/logout"),  # logging out when not logged in changes nothing
    ("accounts.profile", "GET"): R("logged_in", "/profil"),
    ("accounts.profile", "POST"): R("logged_in", "/profil"),
    ("accounts.change_password", "POST"): R("logged_in", "/profil/sandi"),
    ("accounts.logout_everywhere", "POST"): R("logged_in", "/profil/keluar-semua"),
    ("accounts.resend_confirmation", "POST"): R("logged_in", "/konfirmasi/kirim-ulang"),
    ("accounts.revoke_token", "POST"): R("author", "/profil/token/{token}/cabut"),
    ("moderation.my_decisions", "GET"): R("logged_in", "/profil/moderasi"),
    ("participation.my_comments", "GET"): R("logged_in", "/profil/komentar"),
    ("verification.request_verification", "GET"): R("logged_in", "/profil/verifikasi"),
    ("verification.request_verification", "POST"): R("logged_in", "/profil/verifikasi"),
    ("notifications.settings", "GET"): R("logged_in", "/profil/notifikasi"),
    ("notifications.settings", "POST"): R("logged_in", "/profil/notifikasi"),
    ("notifications.settings_unfollow", "POST"): R("logged_in", "/profil/notifikasi/putaran/{round}/berhenti"),
    ("notifications.follow", "POST"): R("logged_in", "/rounds/{round}/ikuti"),
    ("notifications.unfollow", "POST"): R("logged_in", "/rounds/{round}/berhenti-ikuti"),
    # taking part
    ("participation.section_form", "GET"): R("anyone", "/rounds/{round}/bagian/{section}/tulis"),
    ("participation.post_comment", "POST"): R("logged_in", "/rounds/{round}/komentar"),
    ("participation.set_stance", "POST"): R("logged_in", "/rounds/{round}/bagian/{section}/sikap"),
    ("participation.vote", "POST"): R("logged_in", "/comments/{comment}/suara"),
    ("participation.report", "GET"): R("logged_in", "/comments/{comment}/laporkan"),
    ("participation.report", "POST"): R("logged_in", "/comments/{comment}/laporkan"),
    ("participation.edit", "GET"): R("author", "/comments/{comment}/ubah"),
    ("participation.edit", "POST"): R("author", "/comments/{comment}/ubah"),
    ("participation.withdraw", "GET"): R("author", "/comments/{comment}/tarik"),
    ("participation.withdraw", "POST"): R("author", "/comments/{comment}/tarik"),
    ("moderation.appeal", "GET"): R("author", "/comments/{hidden}/banding"),
    ("moderation.appeal", "POST"): R("author", "/comments/{hidden}/banding"),
    # the agency workspace
    ("rounds.workspace", "GET"): R("any_manager", "/kelola"),
    ("rounds_admin.agency_home", "GET"): R("managers", "/kelola/{a}"),
    ("rounds_admin.schedule", "GET"): R("managers", "/kelola/{a}/dokumen/{document}/putaran-baru"),
    ("rounds_admin.schedule", "POST"): R("managers", "/kelola/{a}/dokumen/{document}/putaran-baru"),
    ("rounds_admin.reschedule", "GET"): R("managers", "/kelola/{a}/putaran/{round}/jadwal"),
    ("rounds_admin.reschedule", "POST"): R("managers", "/kelola/{a}/putaran/{round}/jadwal"),
    ("rounds_admin.manage_round", "GET"): R("moderators", "/kelola/{a}/putaran/{round}"),
    ("rounds_admin.close_round", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tutup"),
    ("rounds_admin.extend_round", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/perpanjang"),
    ("participation_admin.assisted_entries", "GET"): R("moderators", "/kelola/{a}/putaran/{round}/masukan"),
    ("participation_admin.enter_assisted", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/masukan"),
    ("deliberation.opinion", "GET"): R("anyone", "/rounds/{round}/pendapat"),
    ("summary.summary_page", "GET"): R("moderators", "/rounds/{round}/ringkasan"),
    ("summary.save_overview", "POST"): R("moderators", "/rounds/{round}/ringkasan/ikhtisar", {"overview": "Ikhtisar."}),
    ("summary.publish", "POST"): R("managers", "/rounds/{round}/ringkasan/terbitkan"),
    ("deliberation_admin.campaigns", "GET"): R("moderators", "/kelola/{a}/putaran/{round}/kampanye"),
    ("deliberation_admin.recompute", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/kampanye/hitung-ulang"),
    ("deliberation_admin.themes", "GET"): R("moderators", "/kelola/{a}/putaran/{round}/tema"),
    ("deliberation_admin.create_theme", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema"),
    ("deliberation_admin.resuggest", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema/sarankan"),
    ("deliberation_admin.accept", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema/{theme}/terima"),
    ("deliberation_admin.reject", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema/{theme}/tolak"),
    ("deliberation_admin.theme", "GET"): R("moderators", "/kelola/{a}/putaran/{round}/tema/{theme}"),
    ("deliberation_admin.update_theme", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema/{theme}"),
    ("deliberation_admin.untag", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema/{theme}/lepas"),
    ("deliberation_admin.merge", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema/{theme}/gabung"),
    ("deliberation_admin.theme_answer", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tema/{theme}/jawaban"),
    ("deliberation_admin.tagging", "GET"): R("moderators", "/kelola/{a}/putaran/{round}/tandai"),
    ("deliberation_admin.tag", "POST"): R("moderators", "/kelola/{a}/putaran/{round}/tandai"),
    ("deliberation_admin.comment_answer", "POST"): R(
        "moderators", "/kelola/{a}/putaran/{round}/komentar/{comment}/jawaban"
    ),
    ("documents.new", "GET"): R("managers", "/kelola/{a}/dokumen/baru"),
    ("documents.new", "POST"): R("managers", "/kelola/{a}/dokumen/baru"),
    ("documents.show", "GET"): R("managers", "/kelola/{a}/dokumen/{document}"),
    ("documents.edit", "GET"): R("managers", "/kelola/{a}/dokumen/{draft}/ubah"),
    ("documents.edit", "POST"): R("managers", "/kelola/{a}/dokumen/{draft}/ubah"),
    ("documents.publish", "POST"): R("managers", "/kelola/{a}/dokumen/{draft}/terbitkan"),
    ("documents.new_version", "POST"): R("managers", "/kelola/{a}/dokumen/{document}/versi-baru"),
    ("moderation.entry", "GET"): R("staff", "/moderasi/antrean"),
    ("moderation.hide_in_place", "GET"): R("moderators", "/comments/{comment}/sembunyikan"),
    ("moderation.hide_in_place", "POST"): R("moderators", "/comments/{comment}/sembunyikan"),
    ("moderation_admin.queue", "GET"): R("moderators", "/kelola/{a}/moderasi"),
    ("moderation_admin.review", "GET"): R("moderators", "/kelola/{a}/moderasi/komentar/{comment}"),
    ("moderation_admin.hide", "POST"): R("moderators", "/kelola/{a}/moderasi/komentar/{comment}/sembunyikan"),
    ("moderation_admin.restore", "POST"): R("moderators", "/kelola/{a}/moderasi/komentar/{hidden}/pulihkan"),
    ("moderation_admin.dismiss", "POST"): R("moderators", "/kelola/{a}/moderasi/komentar/{comment}/abaikan"),
    ("moderation_admin.block", "POST"): R("moderators", "/kelola/{a}/moderasi/komentar/{comment}/blokir"),
    ("moderation_admin.blocks", "GET"): R("moderators", "/kelola/{a}/moderasi/blokir"),
    ("moderation_admin.unblock", "POST"): R("moderators", "/kelola/{a}/moderasi/blokir/{block}/cabut"),
    ("moderation_admin.appeals", "GET"): R("moderators", "/kelola/{a}/moderasi/banding"),
    ("moderation_admin.decide_appeal", "GET"): R("moderators", "/kelola/{a}/moderasi/banding/{appeal}"),
    ("moderation_admin.decide_appeal", "POST"): R("moderators", "/kelola/{a}/moderasi/banding/{appeal}"),
    ("moderation_admin.rules_editor", "GET"): R("managers", "/kelola/{a}/aturan"),
    ("moderation_admin.add_rule", "POST"): R("managers", "/kelola/{a}/aturan"),
    ("moderation_admin.update_rule", "POST"): R("managers", "/kelola/{a}/aturan/{rule}"),
    ("moderation_admin.retire_rule", "POST"): R("managers", "/kelola/{a}/aturan/{rule}/cabut"),
    ("moderation_admin.set_threshold", "POST"): R("managers", "/kelola/{a}/aturan/ambang"),
    ("verification_admin.requests", "GET"): R("managers", "/kelola/{a}/verifikasi"),
    ("verification_admin.review", "GET"): R("managers", "/kelola/{a}/verifikasi/{verification}"),
    ("verification_admin.approve", "POST"): R("managers", "/kelola/{a}/verifikasi/{verification}/setujui"),
    ("verification_admin.refuse", "POST"): R("managers", "/kelola/{a}/verifikasi/{verification}/tolak"),
    ("verification_admin.revoke", "POST"): R("managers", "/kelola/{a}/verifikasi/{verification}/cabut"),
    # the site admin
    ("admin.index", "GET"): R("site_admin", "/admin/"),
    ("admin.create_agency", "POST"): R("site_admin", "/admin/instansi"),
    ("admin.grant_role", "POST"): R("site_admin", "/admin/peran"),
    ("admin.revoke_role", "POST"): R("site_admin", "/admin/peran/cabut"),
    # the JSON API (bearer tokens; reads of public data need none)
    ("api.openapi", "GET"): R("anyone", "/api/v1/openapi.json"),
    ("api.list_rounds", "GET"): R("anyone", "/api/v1/rounds"),
    ("api.get_round", "GET"): R("anyone", "/api/v1/rounds/{round}"),
    ("api.list_comments", "GET"): R("anyone", "/api/v1/rounds/{round}/comments"),
    ("api.get_comment", "GET"): R("anyone", "/api/v1/comments/{comment}"),
    ("api.round_opinion", "GET"): R("anyone", "/api/v1/rounds/{round}/opinion"),
    ("api.round_campaigns", "GET"): R("anyone", "/api/v1/rounds/{round}/campaigns"),
    ("api.list_themes", "GET"): R("moderators", "/api/v1/rounds/{round}/themes"),
    ("api.create_theme", "POST"): R("moderators", "/api/v1/rounds/{round}/themes", {"title": "Tema"}),
    ("api.update_theme", "PATCH"): R("moderators", "/api/v1/themes/{theme}", {"title": "Tema"}),
    ("api.tag_comments", "POST"): R("moderators", "/api/v1/themes/{theme}/comments", {"comment_ids": [1]}),
    ("api.set_theme_disposition", "PUT"): R(
        "managers", "/api/v1/themes/{theme}/disposition", {"value": "adopted", "response": "Ya."}
    ),
    ("api.set_comment_disposition", "PUT"): R(
        "managers", "/api/v1/comments/{comment}/disposition", {"value": "adopted", "response": "Ya."}
    ),
    # the world's round is open, its summary a draft: the agency's staff only until it is published
    ("api.round_summary", "GET"): R("moderators", "/api/v1/rounds/{round}/summary"),
    ("api.publish_summary", "POST"): R("managers", "/api/v1/rounds/{round}/summary/publish"),
    ("api.list_replies", "GET"): R("anyone", "/api/v1/comments/{comment}/replies"),
    ("api.moderation_log", "GET"): R("anyone", "/api/v1/moderation-log"),
    ("api.audit_entries", "GET"): R("anyone", "/api/v1/audit"),
    ("api.audit_head", "GET"): R("anyone", "/api/v1/audit/head"),
    ("api.audit_keys", "GET"): R("anyone", "/api/v1/audit/keys"),
    # the public record (issue 14): archives and the verifier; the world's round has no archive yet (404)
    ("api.round_archives", "GET"): R("anyone", "/api/v1/rounds/{round}/archives"),
    ("record.latest_archive", "GET"): R("anyone", "/rounds/{round}/archive.zip"),
    ("record.archive_file", "GET"): R("anyone", "/rounds/{round}/arsip/1.zip"),
    ("record.archive_list", "GET"): R("anyone", "/rounds/{round}/arsip"),
    ("record.verifier", "GET"): R("anyone", "/alat/verify_archive.py"),
    ("feeds.rounds", "GET"): R("anyone", "/feeds/rounds.atom"),
    ("feeds.moderation", "GET"): R("anyone", "/feeds/moderation.atom"),
    ("feeds.round_feed", "GET"): R("anyone", "/rounds/{round}/feed.atom"),
    ("data.site_data", "GET"): R("anyone", "/data"),
    ("data.site_table", "GET"): R("anyone", "/data/comments.csv"),
    ("data.round_data", "GET"): R("anyone", "/rounds/{round}/data"),
    ("data.round_table", "GET"): R("anyone", "/rounds/{round}/data/votes.json"),
    ("data.progress", "GET"): R("anyone", "/data/progress/a1b2c3d4e5f6a7b8c9d0"),
    ("record.all_archives", "GET"): R("anyone", "/arsip"),
    ("record.bulk_download", "GET"): R("anyone", "/arsip/semua.zip"),
    ("witnesses.witness_page", "GET"): R("anyone", "/saksi"),
    ("witnesses.desk", "GET"): R("anyone", "/pemantau"),
    ("witnesses.witness_tool", "GET"): R("anyone", "/alat/witness.py"),
    ("witnesses.register_key", "POST"): R(
        "observers", "/pemantau/kunci", {"k-name": "Saksi", "k-public_key": WITNESS_KEY}
    ),
    ("witnesses.record_head", "POST"): R(
        "observers", "/pemantau/kepala", {"h-head": json.dumps({**HEAD, "countersignature": "x"})}
    ),
    ("witnesses.save_search", "POST"): R("logged_in", "/pemantau/pencarian"),
    ("witnesses.remove_search", "POST"): R("logged_in", "/pemantau/pencarian/999/hapus"),
    ("moderation_questions.decision", "GET"): R("anyone", "/moderasi/keputusan/999"),
    ("moderation_questions.ask", "POST"): R(
        "observers", "/moderasi/keputusan/{action}/tanya", {"question": "Mengapa?"}
    ),
    ("api.list_witnesses", "GET"): R("anyone", "/api/v1/witnesses"),
    ("api.register_witness", "POST"): R("observers", "/api/v1/witnesses", WITNESS),
    ("api.countersign_head", "POST"): R("observers", "/api/v1/witnesses/heads", {**HEAD, "countersignature": "x"}),
    ("api.agency_complaints", "GET"): R("anyone", "/api/v1/agencies/{a}/complaints"),
    ("api.all_archives", "GET"): R("anyone", "/api/v1/archives"),
    ("api.published_summaries", "GET"): R("anyone", "/api/v1/summaries"),
    ("moderation_questions.answer", "POST"): R("logged_in", "/moderasi/pertanyaan/999/jawab"),
    ("statistics.round_statistics", "GET"): R("anyone", "/rounds/{round}/statistik"),
    ("statistics.agency_statistics", "GET"): R("anyone", "/instansi/{a}/statistik"),
    ("api.me", "GET"): R("logged_in", "/api/v1/me"),
    ("api.post_comment", "POST"): R("logged_in", "/api/v1/rounds/{round}/comments"),
    ("api.vote", "PUT"): R("logged_in", "/api/v1/comments/{comment}/vote"),
    ("api.set_stance", "PUT"): R("logged_in", "/api/v1/sections/{section}/stance"),
    ("api.report_comment", "POST"): R("logged_in", "/api/v1/comments/{comment}/reports"),
    ("api.edit_comment", "PATCH"): R("author", "/api/v1/comments/{comment}"),
    ("api.withdraw_comment", "POST"): R("author", "/api/v1/comments/{comment}/withdraw"),
    ("api.moderate_comment", "POST"): R("moderators", "/api/v1/comments/{comment}/moderation"),
    # a valid body: these answer 422 to a bad one before asking who is asking (the answer tells nothing)
    # the revised charter (the world's round is open and its summary a draft: refusals, 404s and 409s for the
    # admitted, never a pass for the others)
    ("api.document_versions", "GET"): R("anyone", "/api/v1/documents/{document}/versions"),
    ("api.create_version", "POST"): R(
        "managers", "/api/v1/documents/{document}/versions", {"round_id": 1, "sections": [{"title": "A", "body": "B"}]}
    ),
    ("api.adopt_version", "POST"): R("managers", "/api/v1/versions/{version}/adopt"),
    ("api.version_diff", "GET"): R("anyone", "/api/v1/versions/{version}/diff"),
    ("charter.version_changes", "GET"): R("anyone", "/dokumen/{document}/versi/1/perubahan"),
    ("charter.traceability", "GET"): R("anyone", "/rounds/{round}/jejak"),
    ("revision_admin.revision_editor", "GET"): R("managers", "/kelola/{a}/putaran/{round}/revisi"),
    ("revision_admin.save_revision", "POST"): R("managers", "/kelola/{a}/putaran/{round}/revisi"),
    # accountability: commitments, complaints, surveys, the report card
    ("api.report_card", "GET"): R("anyone", "/api/v1/agencies/{a}/report-card"),
    ("api.record_survey", "POST"): R(
        "logged_in", "/api/v1/agencies/{a}/surveys", {"service": "Uji", "scores": [3] * 9}
    ),
    ("surveys.survey_form", "GET"): R("logged_in", "/instansi/{a}/survei"),
    ("surveys.submit_survey", "POST"): R("logged_in", "/instansi/{a}/survei"),
    ("report_card.report_card_page", "GET"): R("anyone", "/instansi/{a}/rapor"),
    ("maklumat.charter", "GET"): R("anyone", "/instansi/{a}/layanan/{service_slug}/maklumat"),
    ("services_admin.services", "GET"): R("moderators", "/kelola/{a}/layanan"),
    ("services_admin.people_served", "POST"): R("moderators", "/kelola/{a}/layanan/{service}"),
    ("api.close_round", "POST"): R("moderators", "/api/v1/rounds/{round}/close", {"reason": "Uji penutupan."}),
    ("api.extend_round", "POST"): R(
        "moderators",
        "/api/v1/rounds/{round}/extend",
        {"closes_at": (utcnow() + dt.timedelta(days=60)).isoformat() + "+00:00", "reason": "Uji perpanjangan."},
    ),
    # accountability (issue 13): the world's complaint is the author's, to agency A, not answered yet (so the
    # complainant's confirm/dispute answer 409 to the author, 403 to anyone without the code)
    ("complaints.new_complaint", "GET"): R("logged_in", "/instansi/{a}/pengaduan/baru"),
    ("complaints.new_complaint", "POST"): R("logged_in", "/instansi/{a}/pengaduan/baru", {"what": "Keluhan."}),
    ("complaints.receipt", "GET"): R("anyone", "/pengaduan/{complaint}/tanda-terima"),
    ("complaints.lookup", "GET"): R("anyone", "/pengaduan"),
    ("complaints.follow", "GET"): R("anyone", "/pengaduan/{complaint}"),
    ("complaints.confirm", "POST"): R("author", "/pengaduan/{complaint}/konfirmasi"),
    ("complaints.dispute", "POST"): R("author", "/pengaduan/{complaint}/sanggah", {"reason": "Tidak."}),
    ("complaints.my_complaints", "GET"): R("logged_in", "/profil/pengaduan"),
    ("complaints_admin.complaints", "GET"): R("moderators", "/kelola/{a}/pengaduan"),
    ("complaints_admin.answer", "POST"): R("moderators", "/kelola/{a}/pengaduan/{complaint}/jawab", {"answer": "Ya."}),
    ("complaints_admin.decide_text", "POST"): R(
        "moderators", "/kelola/{a}/pengaduan/{complaint}/teks", {"decision": "public"}
    ),
    ("complaints_admin.enter_complaint", "GET"): R("moderators", "/kelola/{a}/pengaduan/catat"),
    ("complaints_admin.enter_complaint", "POST"): R(
        "moderators", "/kelola/{a}/pengaduan/catat", {"channel": "counter", "what": "Keluhan di loket."}
    ),
    ("complaints_admin.commitments", "GET"): R("managers", "/kelola/{a}/komitmen"),
    ("complaints_admin.edit_commitment", "POST"): R(
        "managers", "/kelola/{a}/komitmen/{commitment}", {"text": "Janji.", "kind": "text", "value": "Janji."}
    ),
    ("complaints_admin.add_commitment", "POST"): R(
        "managers", "/kelola/{a}/komitmen/layanan/{service}/tambah", {"text": "Janji.", "kind": "text", "value": "x"}
    ),
    ("complaints_admin.publish_commitments", "POST"): R("managers", "/kelola/{a}/komitmen/layanan/{service}/terbitkan"),
    ("api.agency_commitments", "GET"): R("anyone", "/api/v1/agencies/{a}/commitments"),
    ("api.file_complaint", "POST"): R("logged_in", "/api/v1/complaints", {"agency": "dinas-a", "what": "Keluhan."}),
    ("api.get_complaint", "GET"): R("anyone", "/api/v1/complaints/{complaint}"),
    ("api.answer_complaint", "POST"): R("moderators", "/api/v1/complaints/{complaint}/answer", {"answer": "Ya."}),
    ("api.confirm_complaint", "POST"): R("author", "/api/v1/complaints/{complaint}/confirm"),
    ("api.dispute_complaint", "POST"): R("author", "/api/v1/complaints/{complaint}/dispute", {"reason": "Tidak."}),
}


def _url_map(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_of_the_url_map_says_whom_it_admits(app):
    routes = _url_map(app)
    assert sorted(routes - ROUTES.keys()) == [], "routes without a rule here"
    assert sorted(ROUTES.keys() - routes) == [], "rules for routes that no longer exist"


@pytest.fixture
def world(make):
    agency_a = make.agency(slug="dinas-a")
    agency_b = make.agency(slug="dinas-b")
    moderation.add_rule("test", agency_a, "Hormati sesama")
    rnd = make.round(agency_a)
    users = {
        "citizen": make.user(verified=True),
        "author": make.user(verified=True),
        "observer": make.user("observer"),
        "moderator": make.user("moderator", agency_a),
        "agency_admin": make.user("agency_admin", agency_a),
        "other_agency_admin": make.user("agency_admin", agency_b),
        "site_admin": make.user("admin"),
    }
    comment = participation.post_comment(
        users["author"], rnd, "Komentar penulis.", section_id=rnd.version.sections[1].id
    )
    hidden = participation.post_comment(users["author"], rnd, "Komentar yang disembunyikan.")
    moderation.hide_comment(users["moderator"], db.session.get(Comment, hidden.id), 1, "Menghina.")
    appeal = moderation.file_appeal(users["author"], db.session.get(Comment, hidden.id), "Mohon ditinjau kembali.")
    blocked = participation.post_comment(make.user(verified=True), rnd, "Komentar orang yang akan diblokir.")

    block = moderation.block_author(
        users["moderator"], db.session.get(Comment, blocked.id), utcnow() + dt.timedelta(days=2), "Spam berulang."
    )
    draft = make.policy(agency_a, publish=False, title="Draf")
    asking = verification.request_verification(make.user(), agency_a.id, "Sudah menunjukkan KTP di loket.")
    tokens = {role: create_api_token(user) for role, user in users.items()}
    complaint = complaints.file_complaint(users["author"], agency_a, what="Keluhan penulis.").complaint
    with write_transaction():  # a service with one draft commitment (as adopting a service standard makes)
        service = ensure_service(agency_a, "Layanan Uji")
        commitment = Commitment(
            agency_id=agency_a.id, service_id=service.id, document_id=rnd.document_id, version_id=rnd.version.id,
            section_key="satu", measure="other", kind="text", value_json='"Janji."', text="Janji.",
        )  # fmt: skip
        db.session.add(commitment)
    with write_transaction():  # a theme of the (open) round: its routes answer 409 to the people they admit
        theme = Theme(round_id=rnd.id, title="Tema uji")
        db.session.add(theme)
    db.session.commit()
    author_token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == users["author"].id))
    return SimpleNamespace(
        users=users,
        tokens=tokens,
        ids={
            "a": agency_a.slug,
            "round": rnd.id,
            "section": rnd.version.sections[1].id,
            "comment": comment.id,
            "hidden": hidden.id,
            "appeal": appeal.id,
            "block": block.id,
            "rule": moderation.house_rules(agency_a.id)[0].id,
            "document": rnd.document_id,
            "draft": draft.id,
            "token": author_token_id,
            "verification": asking.id,
            "theme": theme.id,
            "version": rnd.version_id,
            "complaint": complaint.tracking_number,
            "commitment": commitment.id,
            "service": service.id,
            "service_slug": service.slug,
            "action": db.session.scalar(sa.select(ModerationAction.id).order_by(ModerationAction.id)),
        },
    )


def _snapshot() -> dict[str, list]:
    db.session.rollback()
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(sa.select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


def _sent_to_login(response) -> bool:
    """A redirect to the log-in page that asks to come back (`next`): "log in first"."""
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and "/login" in location and "next=" in location


def _refused(client, response, method: str, url: str) -> bool:
    """401, 403, 404, "log in first", or (a plain form) the page again with the refusal flashed."""
    if response.status_code in (401, 403, 404) or _sent_to_login(response):
        return True
    if method != "GET" and not url.startswith("/api/") and response.status_code == 303:
        with client.session_transaction() as session:
            return any(category in ("error", "info") for category, _ in session.get("_flashes", []))
    return False


def _passed(rule: Rule, response) -> bool:
    """Past the permission check: for routes that admit anyone, any answer but a server error (a wrong password
    on /login is 401); for the others, neither 401, 403 nor "log in first"."""
    if response.status_code >= 500:
        return False
    return rule.admits == "anyone" or not (response.status_code in (401, 403) or _sent_to_login(response))


def _send(client, rule: Rule, method: str, url: str, role: str, world):
    headers = {}
    if url.startswith("/api/") and role != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    if method == "GET":
        return client.get(url, headers=headers)
    if url.startswith("/api/"):
        return client.open(url, method=method, json=rule.body or {}, headers=headers)
    return client.open(url, method=method, data=rule.body or {}, headers=headers)


@pytest.mark.parametrize(("endpoint", "method"), sorted(ROUTES), ids=lambda v: v if isinstance(v, str) else None)
def test_each_route_admits_its_people_and_refuses_everyone_else(app, endpoint, method, world):
    from tests.openapi_check import CheckedClient  # each request in its own app context; API answers checked

    rule = ROUTES[endpoint, method]
    url = rule.path.format(**world.ids)
    admitted = ADMITS[rule.admits]
    app.test_client_class = CheckedClient
    try:
        for role in ROLES:
            limiter.reset()  # the route under test may be the log-in form: its refusals count against logging in
            _try_as(app.test_client(), rule, method, url, role, role in admitted, world)
    finally:
        app.test_client_class = None


def _try_as(client, rule: Rule, method: str, url: str, role: str, admitted: bool, world) -> None:
    """One request as `role`: past the permission check if admitted, else refused with nothing changed."""
    if role != "anonymous" and not url.startswith("/api/"):
        login = client.post("/login", data={"email": world.users[role].email, "password": PASSWORD})
        assert login.status_code == 303, role
    before = _snapshot() if not admitted and method != "GET" else None
    response = _send(client, rule, method, url, role, world)
    if admitted:
        assert _passed(rule, response), f"{role} should pass {method} {url}: {response.status_code}"
    else:
        assert _refused(client, response, method, url), (
            f"{role} should be refused {method} {url}: {response.status_code}"
        )
        if before is not None:
            assert _snapshot() == before, f"{role}'s refused {method} {url} changed the database"
