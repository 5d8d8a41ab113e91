"""Public pages of rounds (home, the list of rounds) and the entrance to the agency workspace (/kelola)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.agencies.services import managed_agencies
from consult.params import BadParameter
from consult.rounds import iap2, listing, services, versions
from consult.timeutil import utcnow

bp = Blueprint("rounds", __name__)
bp.add_app_template_global(services.can_close, "can_close")
# the workspace links shown to staff only where they lead to something that can succeed (a closed round has no
# times to change; a moderator cannot reopen it)
bp.add_app_template_global(services.can_reschedule, "can_reschedule")
bp.add_app_template_global(services.can_close_or_extend, "can_close_or_extend")
# the level of participation a round promises (its label and promise), on its page and the schedule forms
bp.add_app_template_global(iap2.level_of, "iap2_of")
bp.add_app_template_global(iap2.LEVELS, "iap2_levels")


@bp.get("/")
def home():
    return render_template("rounds/home.html", groups=services.home_rounds())


@bp.get("/putaran")
def index():
    """Every round, grouped by state (open, upcoming, closed), each group in its own order with its own "more"
    link; `status` shows one group, `instansi` one agency's rounds, `cursor` the next page of a group."""
    state = listing.parse_state(request.args.get("status"))
    after = listing.parse_cursor(request.args.get("cursor"), state)
    agencies = listing.agencies_with_rounds()
    slug = request.args.get("instansi") or None
    agency = next((a for a in agencies if a.slug == slug), None)
    if slug and agency is None:
        raise BadParameter("instansi", _("is not an agency with consultations here."))
    if after is not None:
        state = after[0]
    now = utcnow()
    shown = (state,) if state else listing.GROUPS
    groups = [
        listing.group_page(
            s,
            now,
            agency_id=agency.id if agency else None,
            after=after[1:] if after else None,
            limit=20 if state else 10,
        )
        for s in shown
    ]
    return render_template(
        "rounds/index.html", groups=groups, state=state, agency=agency, agencies=agencies, paged=after is not None
    )


@bp.get("/dokumen/<int:document_id>/versi/<int:number>")
def document_version(document_id: int, number: int):
    """A published version of a document, for everyone: its text, the other published versions, and the rounds
    that consulted on it and on earlier versions."""
    return render_template("rounds/document.html", page=versions.version_page(document_id, number))


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
