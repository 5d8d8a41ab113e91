"""Public pages of rounds (home, the list of rounds) and the entrance to the agency workspace (/kelola)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from consult.agencies.services import managed_agencies
from consult.rounds import services

bp = Blueprint("rounds", __name__)
bp.add_app_template_global(services.can_close, "can_close")
# the workspace links shown to staff only where they lead to something that can succeed (a closed round has no
# times to change; a moderator cannot reopen it)
bp.add_app_template_global(services.can_reschedule, "can_reschedule")
bp.add_app_template_global(services.can_close_or_extend, "can_close_or_extend")


@bp.get("/")
def home():
    return render_template("rounds/home.html", groups=services.home_rounds())


@bp.get("/putaran")
def index():
    page = services.rounds_page(request.args.get("cursor") or None)
    return render_template("rounds/index.html", rounds=page.items, next_cursor=page.next_cursor)


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
