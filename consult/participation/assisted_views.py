"""The staff page for voices from outside the web: /kelola/<slug>/putaran/<id>/masukan.

Moderators and agency admins of the round's agency, and site admins (the workspace blueprint's default), enter a
comment a citizen gave at a counter, on paper, by phone or at a forum (participation.services.assisted), and see
the entries made so far, newest first, each with who entered it (keyset by id, ?lanjut=<cursor>). A plain form:
POST, then 303 back to the page (the entry listed at the top); errors come back next to their fields (422) with
what was typed kept. The form's one-time key makes a double submit enter the comment once.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from consult import idempotency
from consult.agencies.workspace import owned, workspace_blueprint
from consult.errors import Invalid, ServiceError
from consult.forms import apply_errors
from consult.params import parse_id
from consult.participation import queries, services
from consult.participation.forms import CHANNEL_LABELS, CHANNEL_MARKS, STANCE_LABELS, AssistedForm
from consult.participation.pages import sections_of
from consult.participation.services.assisted import (
    LATE_ENTRY_DAYS,
    assisted_refusal,
    can_enter_now,
    local_today,
    round_dates,
)
from consult.ratelimits import ASSISTED, participation_limit
from consult.rounds.services import get_round
from consult.web import mark_no_store

bp = workspace_blueprint("participation_admin", __name__)
bp.after_request(mark_no_store)  # a staff page with a form: never kept in a shared cache
# The mark of a comment entered on a citizen's behalf, wherever comments are shown (participation/_channel_mark.html)
bp.add_app_template_global(CHANNEL_MARKS, "channel_marks")
bp.add_app_template_global(can_enter_now, "can_enter_assisted_now")
bp.add_app_template_filter(lambda day: format_date(day, "medium"), "tanggal")


def _form(rnd, *, fresh: bool = False) -> AssistedForm:
    form = AssistedForm(formdata=None) if fresh else AssistedForm()
    form.section_id.choices = [("", _("The whole document"))] + [(str(s.id), s.title) for s in sections_of(rnd)]
    if fresh or request.method == "GET":
        form.assisted_on.data = min(local_today(rnd), round_dates(rnd)[1])
        form.section_id.data = ""
        form.stance.data = ""
    return form


def _page(rnd, form: AssistedForm, status: int = 200):
    try:
        page = queries.assisted_page(rnd.id, cursor=request.args.get("lanjut") or None)
    except Invalid:
        abort(400)
    first, last = round_dates(rnd)
    return render_template(
        "participation/assisted.html",
        agency=g.agency,
        round=rnd,
        form=form,
        page=page,
        refusal=assisted_refusal(rnd),
        first_day=first,
        last_day=min(last, local_today(rnd)),
        late_days=LATE_ENTRY_DAYS,
        channel_labels=CHANNEL_LABELS,
        stance_labels=STANCE_LABELS,
        section_titles={s.id: s.title for s in sections_of(rnd)},
    ), status


@bp.get("/putaran/<int:round_id>/masukan")
def assisted_entries(round_id: int):
    rnd = owned(get_round(round_id))
    return _page(rnd, _form(rnd))


@bp.post("/putaran/<int:round_id>/masukan")
@participation_limit(*ASSISTED)
def enter_assisted(round_id: int):
    rnd = owned(get_round(round_id))
    form = _form(rnd)
    form.validate()
    # the service names each wrong value once (a date the browser sent badly is "no date" there)
    for field in form:
        field.errors = []
    try:
        section_id = parse_id(form.section_id.data, "section_id")
        outcome = idempotency.form_once(
            current_user.id,
            lambda: services.enter_assisted_comment(
                current_user,
                rnd,
                form.body.data or "",
                channel=form.channel.data,
                assisted_on=form.assisted_on.data,
                assisted_place=form.assisted_place.data,
                citizen_name=form.assisted_name.data,
                section_id=section_id,
                stance=form.stance.data or None,
            ),
            lambda comment: {"comment_id": comment.id},
        )
    except Invalid as exc:
        loose = apply_errors(form, exc)
        if loose:
            flash(" ".join(loose), "error")
        return _page(rnd, form, 422)
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return _page(rnd, form, exc.status)
    comment_id = outcome.result["comment_id"]
    flash(_("The comment is entered and published (#%(id)s).", id=comment_id), "success")
    return redirect(url_for(".assisted_entries", round_id=rnd.id, _anchor=f"m{comment_id}"), code=303)
