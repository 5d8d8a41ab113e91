"""The moderators' campaigns page in the agency workspace: /kelola/<slug>/putaran/<id>/kampanye.

For the moderators and agency admins of the round's agency, and site admins (the workspace blueprint's default).
Each campaign is one line, "kampanye: 1.234 komentar hampir identik", with its representative text and its
copies, each with what its sender added of their own; ?kampanye=<id>&setelah=<cursor> pages through one
campaign's copies by keyset. "Hitung ulang kampanye" is the staff request to recompute
(services.refresh_campaigns with force, audited there). The page reads what was stored; it never computes.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user

from consult.agencies.workspace import owned, workspace_blueprint
from consult.deliberation import queries, services
from consult.errors import Invalid, ServiceError
from consult.forms import ActionForm
from consult.params import id_arg
from consult.rounds.models import RoundState
from consult.web import mark_no_store

bp = workspace_blueprint("deliberation_admin", __name__)
# The copies' own words are comment text, shown here beside moderation tools: no copy may stay in a shared cache.
bp.after_request(mark_no_store)


def _round(round_id: int):
    return owned(services.get_round(round_id))


@bp.get("/putaran/<int:round_id>/kampanye")
def campaigns(round_id: int):
    rnd = _round(round_id)
    try:
        campaign_id = id_arg("kampanye")
        if campaign_id is not None:
            campaign = queries.round_campaign(rnd.id, campaign_id)
            if campaign is None:
                abort(404)
            one = queries.campaign_copies(campaign, cursor=request.args.get("setelah") or None)
            listing = None
        else:
            one = None
            listing = queries.campaign_list(rnd.id, cursor=request.args.get("lanjut") or None)
    except Invalid:
        abort(400)
    scan = services.campaign_scan(rnd.id)
    return render_template(
        "deliberation/campaigns.html",
        agency=g.agency,
        round=rnd,
        scan=scan,
        provisional=rnd.state != RoundState.CLOSED or not (scan and scan.final),
        listing=listing,
        one=one,
        form=ActionForm(),
        number=format_number,
    )


@bp.post("/putaran/<int:round_id>/kampanye/hitung-ulang")
def recompute(round_id: int):
    rnd = _round(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        scan = services.refresh_campaigns(rnd.id, force=True, user=current_user)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(
            _(
                "The campaigns are computed again from %(n)s comments. Campaigns that still exist keep their numbers.",
                n=format_number(scan.comment_count),
            ),
            "success",
        )
    return redirect(url_for(".campaigns", round_id=rnd.id), code=303)


from consult.deliberation import theme_pages  # noqa: E402, F401 - the themes pages, on this blueprint
