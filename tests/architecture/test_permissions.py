"""Who may do what: every admin and agency-workspace route for every role, and the services behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from consult.accounts import services as accounts
from consult.accounts.models import Role, User
from consult.agencies import roles
from consult.agencies import services as agencies
from consult.documents import services as documents
from consult.documents.models import DocumentKind
from consult.errors import NotAllowed
from consult.extensions import db, write_transaction
from consult.rounds import levels
from consult.rounds import services as rounds
from consult.timeutil import local, utcnow
from tests.conftest import PASSWORD

ROLES = [
    "anonymous",
    "citizen",
    "verified_citizen",
    "observer",
    "moderator",
    "agency_admin",
    "other_agency_admin",
    "site_admin",
]


@pytest.fixture
def world(make):
    """Two agencies, one user per role, a published and a draft policy and a scheduled round in agency A."""
    agency_a = make.agency(slug="dinas-a", name="Dinas A")
    agency_b = make.agency(slug="dinas-b", name="Dinas B")
    users = {
        "citizen": make.user(),
        "verified_citizen": make.user(verified=True),
        "observer": make.user("observer"),
        "moderator": make.user("moderator", agency_a),
        "agency_admin": make.user("agency_admin", agency_a),
        "other_agency_admin": make.user("agency_admin", agency_b),
        "site_admin": make.user("admin"),
    }
    published = make.policy(agency_a, title="Rancangan Terbit")
    draft = make.policy(agency_a, publish=False, title="Rancangan Draf")
    rnd = make.round(agency_a, state="scheduled", document=published)
    return SimpleNamespace(
        a=agency_a,
        b=agency_b,
        users=users,
        published=published,
        draft=draft,
        round=rnd,
        published_id=published.id,
        draft_id=draft.id,
        round_id=rnd.id,
    )


def snapshot() -> dict[str, list]:
    """Every row of every table, to show that a refused request changed nothing."""
    db.session.rollback()  # a fresh read: see what the requests committed
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(sa.select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }


def _local_form_time(days: int, hours: int = 0) -> str:
    return local(utcnow() + dt.timedelta(days=days, hours=hours), "Asia/Jakarta").strftime("%Y-%m-%dT%H:%M")


# --- the route matrix -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # formatted with the world: {a}, {b}, {pub}, {draft}, {rid}
    scope: str  # "admin": site admins; "workspace": anyone managing an agency; "agency": managers of agency A
    data: Any = None  # a function of the world giving the form to POST

    def url(self, w) -> str:
        return self.path.format(a=w.a.slug, b=w.b.slug, pub=w.published_id, draft=w.draft_id, rid=w.round_id)


def _policy_form(_w):
    body = "Pembuka.\n\n## Bagian\n\nIsi bagian."
    return {"title": "Rancangan Baru", "summary": "Ringkasan baru", "body": body, "aksi": "simpan"}


ROUTES = [
    Route("admin-index", "GET", "/admin/", "admin"),
    Route(
        "admin-create-agency",
        "POST",
        "/admin/instansi",
        "admin",
        lambda w: {"name": "Dinas Baru", "slug": "dinas-baru", "timezone": "Asia/Makassar", "description": ""},
    ),
    Route(
        "admin-grant-role",
        "POST",
        "/admin/peran",
        "admin",
        lambda w: {"email": w.users["citizen"].email, "role": "agency_admin", "agency": w.a.slug},
    ),
    Route(
        "admin-revoke-role",
        "POST",
        "/admin/peran/cabut",
        "admin",
        lambda w: {"user_id": w.users["moderator"].id, "role": "moderator", "agency_id": w.a.id},
    ),
    Route("workspace", "GET", "/kelola", "workspace"),
    Route("agency-workspace", "GET", "/kelola/{a}", "agency"),
    Route("document-new", "GET", "/kelola/{a}/dokumen/baru?jenis=policy", "agency"),
    Route("document-new", "POST", "/kelola/{a}/dokumen/baru?jenis=policy", "agency", _policy_form),
    Route("document-show", "GET", "/kelola/{a}/dokumen/{pub}", "agency"),
    Route("document-edit", "GET", "/kelola/{a}/dokumen/{draft}/ubah", "agency"),
    Route("document-edit", "POST", "/kelola/{a}/dokumen/{draft}/ubah", "agency", _policy_form),
    Route("document-publish", "POST", "/kelola/{a}/dokumen/{draft}/terbitkan", "agency", lambda w: {}),
    Route("document-new-version", "POST", "/kelola/{a}/dokumen/{pub}/versi-baru", "agency", lambda w: {}),
    Route("round-schedule", "GET", "/kelola/{a}/dokumen/{pub}/putaran-baru", "agency"),
    Route(
        "round-schedule",
        "POST",
        "/kelola/{a}/dokumen/{pub}/putaran-baru",
        "agency",
        lambda w: {"title": "Putaran Kedua", "opens_at": _local_form_time(2), "closes_at": _local_form_time(30)},
    ),
    Route("round-reschedule", "GET", "/kelola/{a}/putaran/{rid}/jadwal", "agency"),
    Route(
        "round-reschedule",
        "POST",
        "/kelola/{a}/putaran/{rid}/jadwal",
        "agency",
        lambda w: {"opens_at": _local_form_time(3), "closes_at": _local_form_time(45)},
    ),
]


def allowed(role: str, route: Route) -> bool:
    if route.scope == "admin":
        return role == "site_admin"
    if route.scope == "workspace":  # staff with an agency to manage; moderators manage no documents
        return role in {"agency_admin", "other_agency_admin", "site_admin"}
    return role in {"agency_admin", "site_admin"}


def _request(client, route: Route, w):
    url = route.url(w)
    if route.method == "GET":
        return client.get(url)
    return client.post(url, data=route.data(w))


def _login(client, user: User) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method}-{r.name}" for r in ROUTES])
def test_route_permissions(client, world, route, role):
    if role != "anonymous":
        _login(client, world.users[role])
    before = snapshot()
    response = _request(client, route, world)
    html = response.get_data(as_text=True)

    if role == "anonymous":
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [route.url(world)]
        assert snapshot() == before
    elif not allowed(role, route):
        assert response.status_code == 403, html[:300]
        assert "Akses ditolak" in html
        assert snapshot() == before
    else:
        assert response.status_code in {200, 302, 303, 422}, html[:300]
        if route.method == "POST":
            assert response.status_code == 303, html[:300]  # done, and sent on
            assert snapshot() != before
        elif route.scope == "workspace" and role != "site_admin":
            # one agency to manage: straight to its workspace
            slug = world.a.slug if role == "agency_admin" else world.b.slug
            assert response.status_code == 302
            assert response.headers["Location"] == f"/kelola/{slug}"
        else:
            assert response.status_code == 200
            assert "Akses ditolak" not in html


# --- the account routes: anyone's own account, for every role ------------------------------------------------

ACCOUNT_ROUTES = [
    # (name, method, path, scope): "public" for everyone, "own" for any logged-in person (their own account)
    ("forgot-password", "GET", "/lupa-sandi", "public"),
    ("mail-sent", "GET", "/cek-surel?untuk=sandi", "public"),
    ("confirm", "GET", "/konfirmasi/{confirm}", "public"),
    ("reset-password", "GET", "/sandi-baru/{reset}", "public"),
    ("profile", "GET", "/profil", "own"),
    ("change-password", "POST", "/profil/sandi", "own"),
    ("logout-everywhere", "POST", "/profil/keluar-semua", "own"),
    ("resend-confirmation", "POST", "/konfirmasi/kirim-ulang", "own"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "scope"), ACCOUNT_ROUTES, ids=[r[0] for r in ACCOUNT_ROUTES])
def test_account_route_permissions(client, world, role, name, method, path, scope):
    """The account pages act on the logged-in person's own account only: anonymous visitors are sent to log in
    (the public pages excepted), every role may use them, and nobody gets another person's account."""
    from consult.accounts import tokens

    citizen = world.users["citizen"]
    url = path.format(
        confirm=tokens.confirm_token(citizen.id, citizen.email),
        reset=tokens.reset_token(citizen.id, citizen.password_hash),
    )
    if role != "anonymous":
        _login(client, world.users[role])
    data = {"current": PASSWORD, "password": "Kopi-sore-di-Semarang", "repeat": "Kopi-sore-di-Semarang"}
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    if role == "anonymous" and scope == "own":
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login" and parse_qs(location.query)["next"] == [url]
        return
    assert response.status_code == (200 if method == "GET" else 303), response.get_data(as_text=True)[:300]
    if name == "change-password":
        db.session.rollback()
        changed = {
            u.id for u in db.session.scalars(sa.select(User)) if accounts.authenticate(u.email, PASSWORD) is None
        }
        assert changed == {world.users[role].id}  # the person's own password, nobody else's


def test_site_admin_workspace_lists_every_agency(client, world):
    _login(client, world.users["site_admin"])
    html = client.get("/kelola").get_data(as_text=True)
    assert "/kelola/dinas-a" in html and "/kelola/dinas-b" in html


def test_agency_admin_page_lists_only_own_agency_documents(client, world, make):
    make.policy(world.b, title="Rancangan Milik Dinas B")
    _login(client, world.users["agency_admin"])
    html = client.get("/kelola/dinas-a").get_data(as_text=True)
    assert "Rancangan Draf" in html
    assert "Rancangan Milik Dinas B" not in html


# --- an agency's documents cannot be reached through another agency's address ------------------------------

# Every workspace route of agency A that names one of A's documents or rounds, asked through agency B's address.
CROSS_AGENCY = [
    Route(r.name, r.method, r.path.replace("/kelola/{a}/", "/kelola/{b}/"), r.scope, r.data)
    for r in ROUTES
    if r.path.startswith("/kelola/{a}/") and any(ref in r.path for ref in ("{pub}", "{draft}", "{rid}"))
]


@pytest.mark.parametrize("route", CROSS_AGENCY, ids=[f"{r.method}-{r.name}" for r in CROSS_AGENCY])
def test_other_agency_admin_cannot_reach_documents_through_own_agency(client, world, route):
    """Agency B's admin, at B's address, naming A's document or round: not found, nothing changed."""
    _login(client, world.users["other_agency_admin"])
    before = snapshot()
    response = _request(client, route, world)
    assert response.status_code == 404
    assert snapshot() == before


def test_unknown_agency_is_404_for_managers(client, world):
    _login(client, world.users["site_admin"])
    assert client.get("/kelola/tidak-ada").status_code == 404
    assert client.get("/kelola/tidak-ada/dokumen/baru?jenis=policy").status_code == 404


# --- roles change take effect at once ----------------------------------------------------------------------


def test_revoked_agency_admin_loses_access_at_once(client, world):
    staff = world.users["agency_admin"]
    _login(client, staff)
    assert client.get("/kelola/dinas-a").status_code == 200
    roles.revoke_role(world.users["site_admin"], staff, Role.AGENCY_ADMIN, world.a)
    assert client.get("/kelola/dinas-a").status_code == 403
    assert client.get("/kelola").status_code == 403


def test_granted_role_gives_access_at_once(client, world):
    citizen = world.users["citizen"]
    _login(client, citizen)
    assert client.get("/kelola/dinas-a").status_code == 403
    roles.grant_role(world.users["site_admin"], citizen, Role.AGENCY_ADMIN, world.a)
    assert client.get("/kelola/dinas-a").status_code == 200


def test_blocked_staff_member_loses_access_at_once(client, world):
    staff = world.users["agency_admin"]
    _login(client, staff)
    assert client.get("/kelola/dinas-a").status_code == 200
    with write_transaction():
        db.session.get(User, staff.id).is_active_account = False
    response = client.get("/kelola/dinas-a")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert client.get("/profil").status_code == 302


def test_site_admin_grants_through_the_admin_page(client, world):
    _login(client, world.users["site_admin"])
    citizen = world.users["citizen"]
    response = client.post(
        "/admin/peran", data={"email": citizen.email.upper(), "role": "moderator", "agency": world.a.slug}
    )
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(User, citizen.id).agency_roles(world.a.id) == {Role.MODERATOR}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "nobody@example.org", "role": "observer", "agency": ""}, "email"),
        ({"email": "citizen", "role": "moderator", "agency": ""}, "agency"),
        ({"email": "citizen", "role": "superuser", "agency": ""}, "role"),
        ({"email": "citizen", "role": "moderator", "agency": "tidak-ada"}, "agency"),
    ],
)
def test_admin_grant_form_errors_are_shown(client, world, data, field):
    _login(client, world.users["site_admin"])
    if data["email"] == "citizen":
        data = {**data, "email": world.users["citizen"].email}
    before = snapshot()
    response = client.post("/admin/peran", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert snapshot() == before


def test_admin_agency_form_errors_are_shown(client, world):
    _login(client, world.users["site_admin"])
    before = snapshot()
    response = client.post(
        "/admin/instansi", data={"name": "Dinas X", "slug": "Bukan Slug!", "timezone": "Asia/Jakarta"}
    )
    assert response.status_code == 422
    assert 'id="slug-error"' in response.get_data(as_text=True)
    response = client.post("/admin/instansi", data={"name": "Dinas X", "slug": "dinas-x", "timezone": "Europe/Berlin"})
    assert response.status_code == 422
    assert 'id="timezone-error"' in response.get_data(as_text=True)
    assert snapshot() == before


def test_admin_revoke_of_an_agency_role_without_agency_is_refused_cleanly(client, world):
    _login(client, world.users["site_admin"])
    before = snapshot()
    response = client.post("/admin/peran/cabut", data={"user_id": world.users["moderator"].id, "role": "moderator"})
    assert response.status_code == 303  # back to the admin page with the message, not a server error
    assert snapshot() == before


def test_site_admin_cannot_remove_own_admin_role(client, world):
    admin = world.users["site_admin"]
    _login(client, admin)
    response = client.post("/admin/peran/cabut", data={"user_id": admin.id, "role": "admin"})
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(User, admin.id).is_admin


# --- the services refuse the wrong roles -------------------------------------------------------------------


def _days(n: int) -> dt.datetime:
    return utcnow() + dt.timedelta(days=n)


SERVICES = {
    "create_agency": ("admin", lambda w, actor: agencies.create_agency(actor, "dinas-c", "Dinas C")),
    "grant_role": ("admin", lambda w, actor: roles.grant_role(actor, w.users["citizen"], Role.OBSERVER)),
    "grant_agency_role": (
        "admin",
        lambda w, actor: roles.grant_role(actor, w.users["citizen"], Role.AGENCY_ADMIN, w.a),
    ),
    "grant_admin_role": ("admin", lambda w, actor: roles.grant_role(actor, w.users["citizen"], Role.ADMIN)),
    "revoke_role": ("admin", lambda w, actor: roles.revoke_role(actor, w.users["moderator"], Role.MODERATOR, w.a)),
    "create_user_with_role": (
        "admin",
        lambda w, actor: roles.create_user("baru@example.org", "Pengguna Baru", PASSWORD, role=Role.ADMIN, actor=actor),
    ),
    "create_document": (
        "agency",
        lambda w, actor: documents.create_document(
            actor, w.a, DocumentKind.POLICY, "Judul", "Ringkasan", markdown="## Satu\n\nIsi."
        ),
    ),
    "update_draft": (
        "agency",
        lambda w, actor: documents.update_draft(
            actor, w.draft.latest_version, "Judul Baru", "Ringkasan", markdown="## Satu\n\nIsi baru."
        ),
    ),
    "publish_version": ("agency", lambda w, actor: documents.publish_version(actor, w.draft.latest_version)),
    "start_new_draft": ("agency", lambda w, actor: documents.start_new_draft(actor, w.published)),
    "schedule_round": (
        "agency",
        lambda w, actor: rounds.schedule_round(
            actor, w.published.latest_published, title="Putaran", opens_at=_days(2), closes_at=_days(20)
        ),
    ),
    "reschedule_round": ("agency", lambda w, actor: rounds.reschedule_round(actor, w.round, closes_at=_days(50))),
    "set_iap2_level": ("agency", lambda w, actor: levels.set_iap2_level(actor, w.round, "involve")),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", list(SERVICES))
def test_services_refuse_the_wrong_roles(world, service, role):
    scope, call = SERVICES[service]
    actor = AnonymousUserMixin() if role == "anonymous" else world.users[role]
    permitted = role == "site_admin" or (scope == "agency" and role == "agency_admin")
    before = snapshot()
    if permitted:
        call(world, actor)
        assert snapshot() != before
    else:
        with pytest.raises(NotAllowed):
            call(world, actor)
        assert snapshot() == before


@pytest.mark.parametrize("actor", [None, "anonymous"])
def test_role_services_refuse_no_actor(world, actor):
    actor = AnonymousUserMixin() if actor == "anonymous" else actor
    with pytest.raises(NotAllowed):
        roles.grant_role(actor, world.users["citizen"], Role.ADMIN)
    with pytest.raises(NotAllowed):
        roles.revoke_role(actor, world.users["site_admin"], Role.ADMIN)
    db.session.rollback()
    assert db.session.get(User, world.users["citizen"].id).is_admin is False


def test_permission_helpers(world):
    from consult.agencies.services import can_manage_agency, can_moderate, managed_agencies

    u = world.users
    anonymous = AnonymousUserMixin()
    assert [r for r in ROLES if can_manage_agency(anonymous if r == "anonymous" else u[r], world.a)] == [
        "agency_admin",
        "site_admin",
    ]
    assert [r for r in ROLES if can_moderate(anonymous if r == "anonymous" else u[r], world.a)] == [
        "moderator",
        "agency_admin",
        "site_admin",
    ]
    assert can_manage_agency(None, world.a) is False and can_moderate(None, world.a) is False
    assert [a.slug for a in managed_agencies(u["agency_admin"])] == ["dinas-a"]
    assert [a.slug for a in managed_agencies(u["other_agency_admin"])] == ["dinas-b"]
    assert managed_agencies(u["moderator"]) == [] and managed_agencies(u["citizen"]) == []
    assert sorted(a.slug for a in managed_agencies(u["site_admin"])) == ["dinas-a", "dinas-b"]


# --- moderation: the queue, decisions, appeals, blocks and house rules ---------------------------------------

MODERATION_ROLES = [
    "anonymous",
    "citizen",
    "observer",
    "other_agency_moderator",
    "other_agency_admin",
    "moderator",
    "agency_admin",
    "site_admin",
]


@pytest.fixture
def mod_world(world, make):
    """The world, plus in agency A: house rules, an open round with a reported comment, a hidden comment with a
    pending appeal (hidden by a moderator outside the role list, so that every role may decide it) and a block."""
    from consult.moderation import services as moderation
    from consult.participation import services as participation

    world.users["other_agency_moderator"] = make.user("moderator", world.b)
    for title in ("Hormati sesama", "Tanpa data pribadi"):
        moderation.add_rule("test", world.a, title)
    moderation.add_rule("test", world.b, "Aturan dinas B")
    rnd = make.round(world.a)
    author, reporter, hider = make.user(verified=True), make.user(verified=True), make.user("moderator", world.a)
    reported = participation.post_comment(author, rnd, "Komentar yang dilaporkan.")
    participation.report_comment(reporter, reported, "Menghina.")
    hidden = participation.post_comment(author, rnd, "Komentar yang disembunyikan.")
    moderation.hide_comment(hider, hidden, 1, "Menghina petugas.")
    appeal = moderation.file_appeal(author, db.session.get(type(hidden), hidden.id), "Mohon ditinjau kembali.")
    blocked = participation.post_comment(make.user(verified=True), rnd, "Komentar penulis yang diblokir.")
    block = moderation.block_author(hider, blocked, utcnow() + dt.timedelta(days=2), "Spam berulang.")
    world.mod = SimpleNamespace(
        round_id=rnd.id,
        reported=reported.id,
        hidden=hidden.id,
        appeal=appeal.id,
        block=block.id,
        rule=moderation.house_rules(world.a.id)[0].id,
        author=author,
    )
    return world


@dataclass(frozen=True)
class ModRoute:
    name: str
    method: str
    path: str  # formatted with {a}, {reported}, {hidden}, {appeal}, {block}, {rule}
    scope: str  # "moderator": moderators and admins of agency A, site admins; "manager": agency admins of A
    data: Any = None

    def url(self, w) -> str:
        m = w.mod
        return self.path.format(
            a=w.a.slug, reported=m.reported, hidden=m.hidden, appeal=m.appeal, block=m.block, rule=m.rule
        )


MOD_ROUTES = [
    ModRoute("queue", "GET", "/kelola/{a}/moderasi", "moderator"),
    ModRoute("review", "GET", "/kelola/{a}/moderasi/komentar/{reported}", "moderator"),
    ModRoute(
        "hide",
        "POST",
        "/kelola/{a}/moderasi/komentar/{reported}/sembunyikan",
        "moderator",
        {"hide-rule": "1", "hide-reason": "Menghina warga."},
    ),
    ModRoute(
        "restore",
        "POST",
        "/kelola/{a}/moderasi/komentar/{hidden}/pulihkan",
        "moderator",
        {"restore-rule": "1", "restore-reason": "Tidak menghina."},
    ),
    ModRoute(
        "dismiss",
        "POST",
        "/kelola/{a}/moderasi/komentar/{reported}/abaikan",
        "moderator",
        {"dismiss-rule": "", "dismiss-reason": "Tidak melanggar."},
    ),
    ModRoute(
        "block",
        "POST",
        "/kelola/{a}/moderasi/komentar/{reported}/blokir",
        "moderator",
        {"block-until": "2030-01-01T10:00", "block-rule": "", "block-reason": "Spam."},
    ),
    ModRoute("appeals", "GET", "/kelola/{a}/moderasi/banding", "moderator"),
    ModRoute("appeal", "GET", "/kelola/{a}/moderasi/banding/{appeal}", "moderator"),
    ModRoute(
        "appeal-decide",
        "POST",
        "/kelola/{a}/moderasi/banding/{appeal}",
        "moderator",
        {"outcome": "upheld", "rule": "", "reason": "Kritik yang sah."},
    ),
    ModRoute("blocks", "GET", "/kelola/{a}/moderasi/blokir", "moderator"),
    ModRoute(
        "unblock",
        "POST",
        "/kelola/{a}/moderasi/blokir/{block}/cabut",
        "moderator",
        {"unblock-{block}-reason": "Cukup."},
    ),
    ModRoute("rules-editor", "GET", "/kelola/{a}/aturan", "manager"),
    ModRoute("rule-add", "POST", "/kelola/{a}/aturan", "manager", {"new-title": "Tanpa spam", "new-body": ""}),
    ModRoute(
        "rule-update",
        "POST",
        "/kelola/{a}/aturan/{rule}",
        "manager",
        {"rule-{rule}-title": "Santun", "rule-{rule}-body": ""},
    ),
    ModRoute("rule-retire", "POST", "/kelola/{a}/aturan/{rule}/cabut", "manager", {}),
    ModRoute("threshold", "POST", "/kelola/{a}/aturan/ambang", "manager", {"threshold": "5"}),
]


def _mod_allowed(role: str, route: ModRoute) -> bool:
    if route.scope == "manager":
        return role in {"agency_admin", "site_admin"}
    return role in {"moderator", "agency_admin", "site_admin"}


def _mod_form(route: ModRoute, w) -> dict:
    m = w.mod
    if route.name == "block":  # a time in the coming days, in the agency's local time
        return {**route.data, "block-until": _local_form_time(3)}
    return {k.format(block=m.block, rule=m.rule): v for k, v in route.data.items()}


@pytest.mark.parametrize("role", MODERATION_ROLES)
@pytest.mark.parametrize("route", MOD_ROUTES, ids=[f"{r.method}-{r.name}" for r in MOD_ROUTES])
def test_moderation_route_permissions(client, mod_world, route, role):
    """Only the moderators and admins of the comment's agency (and site admins) moderate it; only its agency
    admins edit the house rules. Everyone else gets 403 (anonymous visitors: the login page) and nothing changes."""
    w = mod_world
    if role != "anonymous":
        _login(client, w.users[role])
    before = snapshot()
    url = route.url(w)
    response = client.get(url) if route.method == "GET" else client.post(url, data=_mod_form(route, w))
    html = response.get_data(as_text=True)
    if role == "anonymous":
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login" and parse_qs(location.query)["next"] == [url]
        assert snapshot() == before
    elif not _mod_allowed(role, route):
        assert response.status_code == 403, html[:300]
        assert "Akses ditolak" in html
        assert snapshot() == before
    elif route.method == "POST":
        assert response.status_code == 303, html[:500]
        assert snapshot() != before
    else:
        assert response.status_code == 200
        assert "Akses ditolak" not in html


@pytest.mark.parametrize("role", MODERATION_ROLES)
def test_only_the_author_appeals(client, mod_world, role):
    w = mod_world
    url = f"/comments/{w.mod.hidden}/banding"
    if role != "anonymous":
        _login(client, w.users[role])
    before = snapshot()
    for response in (client.get(url), client.post(url, data={"body": "Saya juga ingin membanding ini."})):
        if role == "anonymous":
            assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
        else:
            assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("role", MODERATION_ROLES)
def test_moderation_api_permissions(client, mod_world, role):
    """POST /api/v1/comments/{id}/moderation: 401 without a token, 403 for anyone who does not moderate the
    comment's agency (checked before the input), 200 for those who do."""
    w = mod_world
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {accounts.create_api_token(w.users[role])}"}
    before = snapshot()
    payloads = (
        {"action": "hide", "rule": 1, "reason": "Menghina warga."},
        {"action": "hide"},
        {"action": 5, "reason": 7},
    )
    for payload in payloads:
        response = client.post(f"/api/v1/comments/{w.mod.reported}/moderation", json=payload, headers=headers)
        if role == "anonymous":
            assert response.status_code == 401
        elif not _mod_allowed(role, ModRoute("api", "POST", "", "moderator")):
            assert response.status_code == 403
            assert response.get_json()["error"]["code"] == "forbidden"
        else:
            assert response.status_code == (200 if "reason" in payload else 409)
            break
    if _mod_allowed(role, ModRoute("api", "POST", "", "moderator")):
        assert snapshot() != before
    else:
        assert snapshot() == before


def _mod_services(w, comment_model):
    from consult.moderation import services as moderation
    from consult.moderation.models import Appeal, HouseRule
    from consult.participation.models import Block
    from consult.participation.services import enter_assisted_comment
    from consult.rounds.models import Round

    m = w.mod

    def get(model, row_id):
        return db.session.get(model, row_id)

    return {
        "hide_comment": (
            "moderator",
            lambda a: moderation.hide_comment(a, get(comment_model, m.reported), 1, "Alasan."),
        ),
        "restore_comment": (
            "moderator",
            lambda a: moderation.restore_comment(a, get(comment_model, m.hidden), 1, "Alasan."),
        ),
        "dismiss_reports": (
            "moderator",
            lambda a: moderation.dismiss_reports(a, get(comment_model, m.reported), "Alasan."),
        ),
        "moderate": (
            "moderator",
            lambda a: moderation.moderate(a, get(comment_model, m.reported), "hide", "1", "Alasan."),
        ),
        "block_author": (
            "moderator",
            lambda a: moderation.block_author(a, get(comment_model, m.reported), _days(2), "Alasan."),
        ),
        "unblock": ("moderator", lambda a: moderation.unblock(a, get(Block, m.block), "Alasan.")),
        "decide_appeal": (
            "moderator",
            lambda a: moderation.decide_appeal(a, get(Appeal, m.appeal), "upheld", "Alasan."),
        ),
        "enter_assisted_comment": (
            "moderator",
            lambda a: enter_assisted_comment(
                a,
                get(Round, m.round_id),
                "Disampaikan di loket.",
                channel="counter",
                assisted_on=local(utcnow(), "Asia/Jakarta").date(),
                assisted_place="Kantor Kecamatan",
            ),
        ),
        "add_rule": ("manager", lambda a: moderation.add_rule(a, w.a, "Aturan baru")),
        "update_rule": ("manager", lambda a: moderation.update_rule(a, get(HouseRule, m.rule), "Judul baru")),
        "retire_rule": ("manager", lambda a: moderation.retire_rule(a, get(HouseRule, m.rule))),
        "set_auto_hide_threshold": ("manager", lambda a: moderation.set_auto_hide_threshold(a, w.a, 5)),
    }


MOD_SERVICES = [
    "enter_assisted_comment",
    "hide_comment",
    "restore_comment",
    "dismiss_reports",
    "moderate",
    "block_author",
    "unblock",
    "decide_appeal",
    "add_rule",
    "update_rule",
    "retire_rule",
    "set_auto_hide_threshold",
]


@pytest.mark.parametrize("role", MODERATION_ROLES)
@pytest.mark.parametrize("service", MOD_SERVICES)
def test_moderation_services_refuse_the_wrong_roles(mod_world, service, role):
    from consult.participation.models import Comment

    scope, call = _mod_services(mod_world, Comment)[service]
    actor = AnonymousUserMixin() if role == "anonymous" else mod_world.users[role]
    before = snapshot()
    if _mod_allowed(role, ModRoute(service, "POST", "", scope)):
        call(actor)
        assert snapshot() != before
    else:
        with pytest.raises(NotAllowed):
            call(actor)
        assert snapshot() == before


def test_staff_find_their_moderation_queue(client, mod_world):
    w = mod_world
    expected = {
        "moderator": "/kelola/dinas-a/moderasi",
        "agency_admin": "/kelola/dinas-a/moderasi",
        "other_agency_moderator": "/kelola/dinas-b/moderasi",
    }
    for role, location in expected.items():
        _login(client, w.users[role])
        response = client.get("/moderasi/antrean")
        assert response.status_code == 302 and response.headers["Location"] == location
        client.post("/logout")
    _login(client, w.users["site_admin"])
    html = client.get("/moderasi/antrean").get_data(as_text=True)
    assert "/kelola/dinas-a/moderasi" in html and "/kelola/dinas-b/moderasi" in html
    client.post("/logout")
    for role in ("citizen", "observer"):
        _login(client, w.users[role])
        assert client.get("/moderasi/antrean").status_code == 403
        client.post("/logout")
    assert urlsplit(client.get("/moderasi/antrean").headers["Location"]).path == "/login"
