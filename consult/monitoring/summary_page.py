"""The deliberation summary page of a round: GET /rounds/<id>/ringkasan ("you said, we did").

Public once published (the frozen record); before that the agency's staff see the live draft with a "DRAF"
banner and anyone else gets 404. The same page carries the staff's forms: the overview text (moderators and
agency admins of the agency, site admins) and "Terbitkan ringkasan" (agency admins, site admins), each a plain
POST that redirects back (no JavaScript needed). Printable: the stylesheet's @media print drops navigation and
forms, so the agency's official minutes can be printed from it.

It lives in monitoring, not deliberation, because the stance chart is monitoring's pure SVG module
(consult.monitoring.charts) and deliberation may not import the layer above it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import TextAreaField

from consult.deliberation.services import get_round, revisions
from consult.deliberation.services import summary as service
from consult.errors import NotFound, ServiceError
from consult.forms import ActionForm
from consult.monitoring.charts import stance_bars, table_html
from consult.rounds.iap2 import level_of
from consult.rounds.models import Iap2Level
from consult.web import mark_no_store

bp = Blueprint("summary", __name__)


class OverviewForm(ActionForm):
    overview = TextAreaField()


def promise_kept(rnd, data) -> tuple[bool, list[str]]:
    """Whether the round kept its IAP2 promise, and the titles of the themes still unanswered. "inform": the
    summary is published; "consult" and above: also every theme answered."""
    unanswered = [t["title"] for t in data["themes"] if not t["disposition"]]
    published = data["state"] == "published"
    if (rnd.iap2_level or Iap2Level.CONSULT) == Iap2Level.INFORM:
        return published, []
    return published and not unanswered, unanswered


@bp.get("/rounds/<int:round_id>/ringkasan")
def summary_page(round_id: int):
    rnd = get_round(round_id)
    try:
        data = service.summary_for(rnd, current_user)
    except NotFound:
        abort(404)
    sections = {s.key: s.title for s in rnd.version.sections}
    chart = stance_bars(
        [(row["title"], row["support"], row["neutral"], row["oppose"]) for row in data["stances"]],
        title=_("Stances per section"),
        desc=_("Support, neutral and oppose per section of the document, as the table below says in numbers."),
        labels=(_("Support"), _("Neutral"), _("Oppose")),
        empty=_("No stances yet"),
        heading=_("Section"),
    )
    kept, unanswered = promise_kept(rnd, data)
    response = make_response(
        render_template(
            "deliberation/summary.html",
            round=rnd,
            data=data,
            draft=data["state"] != "published",
            sections=sections,
            chart=chart,
            chart_table=table_html(chart.table),
            level=level_of(rnd.iap2_level),
            published_at=getattr(service.summary_row(rnd.id), "published_at", None),
            kept=kept,
            unanswered=unanswered,
            can_edit=data["state"] != "published" and service.can_edit_summary(current_user, rnd),
            can_publish=data["state"] != "published" and service.can_publish_summary(current_user, rnd),
            form=OverviewForm(overview=data.get("overview", "")),
            labels=service.DISPOSITION_LABELS,
            channels=service.CHANNEL_LABELS,
            adopted=revisions.adopted_from_round(rnd.id) if data["state"] == "published" else None,
            can_revise=data["state"] == "published" and revisions.can_revise(current_user, rnd),
            number=format_number,
        )
    )
    return mark_no_store(response) if data["state"] != "published" else response


@bp.post("/rounds/<int:round_id>/ringkasan/ikhtisar")
def save_overview(round_id: int):
    rnd = get_round(round_id)
    if not service.can_edit_summary(current_user, rnd):
        abort(404)
    form = OverviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.update_overview(rnd, current_user, request.form.get("overview", ""))
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The overview is saved."), "success")
    return redirect(url_for(".summary_page", round_id=rnd.id), code=303)


@bp.post("/rounds/<int:round_id>/ringkasan/terbitkan")
def publish(round_id: int):
    rnd = get_round(round_id)
    if not service.can_publish_summary(current_user, rnd):
        abort(403 if service.can_edit_summary(current_user, rnd) else 404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.publish_summary(rnd, current_user)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The summary is published. Everyone who took part and every follower is e-mailed."), "success")
    return redirect(url_for(".summary_page", round_id=rnd.id), code=303)
