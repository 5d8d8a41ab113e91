"""The witness page and the observer's desk:

- /saksi        public: every witness, the heads they countersigned, each checked against the chain now
- /alat/witness.py  the tool witnesses countersign heads with (tools/witness.py)
- /pemantau/pencarian  save a search of the moderation log (the log's search form posts it here)
- /pemantau     the observer's desk: everything a monitor downloads and checks, in one place; observers also
                register their witness key and record countersigned heads here (plain forms, no JavaScript)
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import StringField, TextAreaField

from consult import audit
from consult.errors import ServiceError
from consult.forms import ActionForm
from consult.monitoring import keys, saved_searches, witnesses

bp = Blueprint("witnesses", __name__)
WITNESS_TOOL = Path(__file__).resolve().parents[2] / "tools" / "witness.py"


class KeyForm(ActionForm):
    name = StringField()
    public_key = StringField()


class HeadForm(ActionForm):
    head = TextAreaField()


@bp.get("/saksi")
def witness_page():
    return render_template("monitoring/witnesses.html", shown=witnesses.page(), head=keys.sign(audit.head()))


def _desk(key_form: KeyForm | None = None, head_form: HeadForm | None = None, status: int = 200):
    user = current_user if current_user.is_authenticated else None
    return (
        render_template(
            "monitoring/desk.html",
            observer=witnesses.can_witness(user),
            witness=witnesses.witness_of(user) if user is not None else None,
            key_form=key_form or KeyForm(prefix="k"),
            head_form=head_form or HeadForm(prefix="h"),
            searches=saved_searches.of(user) if user is not None else [],
            action_form=ActionForm(),
        ),
        status,
    )


@bp.get("/pemantau")
def desk():
    return _desk()


@bp.post("/pemantau/kunci")
@login_required
def register_key():
    form = KeyForm(prefix="k")
    if not form.validate_on_submit():
        return _desk(key_form=form, status=400)
    try:
        witnesses.register(current_user, form.name.data, form.public_key.data)
    except ServiceError as exc:
        flash(str(next(iter(exc.fields.values()), exc)), "error")
        return _desk(key_form=form, status=exc.status)
    flash(_("Your witness key is registered."), "success")
    return redirect(url_for(".desk"), code=303)


@bp.post("/pemantau/kepala")
@login_required
def record_head():
    form = HeadForm(prefix="h")
    if not form.validate_on_submit():
        return _desk(head_form=form, status=400)
    try:
        head = json.loads(form.head.data or "")
        if not isinstance(head, dict):
            raise ValueError
    except ValueError:
        flash(_("Paste the JSON that tools/witness.py printed."), "error")
        return _desk(head_form=form, status=422)
    try:
        witnesses.countersign(current_user, head)
    except ServiceError as exc:
        flash(str(next(iter(exc.fields.values()), exc)), "error")
        return _desk(head_form=form, status=exc.status)
    flash(_("The countersigned head is recorded on the witness page."), "success")
    return redirect(url_for(".witness_page"), code=303)


@bp.get("/alat/witness.py")
def witness_tool():
    response = make_response(WITNESS_TOOL.read_bytes())
    response.mimetype = "text/x-python"
    response.headers["Content-Disposition"] = "attachment; filename=witness.py"
    return response


@bp.post("/pemantau/pencarian")
@login_required
def save_search():
    if not ActionForm().validate_on_submit():
        return _desk(status=400)
    try:
        saved_searches.save(current_user, request.form.get("name"), request.form.get("query"))
    except ServiceError as exc:
        flash(str(next(iter(exc.fields.values()), exc)), "error")
        return _desk(status=exc.status)
    flash(_("The search is saved on your desk."), "success")
    return redirect(url_for(".desk") + "#pencarian", code=303)


@bp.post("/pemantau/pencarian/<int:search_id>/hapus")
@login_required
def remove_search(search_id: int):
    if not ActionForm().validate_on_submit():
        return _desk(status=400)
    try:
        saved_searches.remove(current_user, search_id)
    except ServiceError as exc:
        return _desk(status=exc.status)
    flash(_("The saved search is removed."), "success")
    return redirect(url_for(".desk") + "#pencarian", code=303)
