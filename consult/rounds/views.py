"""Public pages of rounds (home, the list of rounds) and the entrance to the agency workspace (/kelola)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from consult.agencies.services import managed_agencies
from consult.pagination import decode_cursor, encode_cursor
from consult.rounds import services

bp = Blueprint("rounds", __name__)
bp.add_app_template_global(services.can_close, "can_close")


@bp.get("/")
def home():
    return render_template("rounds/home.html", groups=services.home_rounds())


@bp.get("/putaran")
def index():
    cursor = request.args.get("cursor")
    (before,) = decode_cursor(cursor, 1) if cursor else (None,)
    rounds = services.rounds_page(before, limit=21)
    more = len(rounds) > 20
    return render_template(
        "rounds/index.html", rounds=rounds[:20], next_cursor=encode_cursor(rounds[19].id) if more else None
    )


# --- the workspace's entrance: the agency's home (rounds_admin.agency_home) is in rounds/workspace.py ----------


@bp.get("/kelola")
@login_required
def workspace():
    agencies = managed_agencies(current_user)
    if not agencies:
        abort(403)
    if len(agencies) == 1:
        return redirect(url_for("rounds_admin.agency_home", slug=agencies[0].slug))
    return render_template("rounds/workspace.html", agencies=agencies)
