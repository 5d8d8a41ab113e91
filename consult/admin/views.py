"""Site admin pages: create agencies, grant and revoke roles."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.accounts import services as accounts
from consult.accounts.models import Role, User
from consult.agencies import roles
from consult.agencies import services as agencies
from consult.agencies.models import Agency
from consult.errors import Invalid, NotFound
from consult.extensions import db
from consult.forms import ActionForm, apply_errors
from consult.i18n import lazy_gettext as _l
from consult.params import id_field

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {
    Role.MODERATOR: _l("Moderator"),
    Role.AGENCY_ADMIN: _l("Agency admin"),
    Role.OBSERVER: _l("Observer (civil society)"),
    Role.ADMIN: _l("Site admin"),
}


class AgencyForm(FlaskForm):
    name = StringField(_l("Name"))
    slug = StringField(_l("Short name (in addresses)"))
    # SelectChoice, not (value, label) tuples: tuples are deprecated in WTForms 3.3 and removed in 3.4.
    timezone = SelectField(
        _l("Time zone"),
        choices=[
            SelectChoice("Asia/Jakarta", "WIB (Asia/Jakarta)"),
            SelectChoice("Asia/Makassar", "WITA (Asia/Makassar)"),
            SelectChoice("Asia/Jayapura", "WIT (Asia/Jayapura)"),
        ],
    )
    description = TextAreaField(_l("Description"))


class GrantForm(FlaskForm):
    email = EmailField(_l("User's e-mail"))
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()])
    agency = SelectField(_l("Agency (for moderator and agency admin)"), choices=[])


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


def _grant_form() -> GrantForm:
    form = GrantForm()
    form.agency.choices = [SelectChoice("", "—")] + [
        SelectChoice(a.slug, a.name) for a in db.session.scalars(sa.select(Agency).order_by(Agency.name))
    ]
    return form


def _render(agency_form=None, grant_form=None, status=200):
    agency_list = db.session.scalars(sa.select(Agency).order_by(Agency.name)).all()
    staff = db.session.scalars(
        sa.select(User)
        .options(selectinload(User.memberships))
        .where(sa.or_(User.is_admin, User.is_observer, User.memberships.any()))
        .order_by(User.name)
        .limit(500)
    ).all()
    return render_template(
        "admin/index.html",
        agencies=agency_list,
        staff=staff,
        agency_form=agency_form or AgencyForm(formdata=None),
        grant_form=grant_form or _grant_form(),
        role_labels=ROLE_LABELS,
        action_form=ActionForm(),
    ), status


@bp.get("/")
def index():
    return _render()


@bp.post("/instansi")
def create_agency():
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = agencies.create_agency(
                current_user, form.slug.data, form.name.data, form.description.data, form.timezone.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
            return _render(agency_form=form, status=422)
        flash(_("Agency %(name)s created.", name=agency.name), "success")
        return redirect(url_for("admin.index"), code=303)
    return _render(agency_form=form, status=422)  # e.g. a time zone that is not one of the choices


@bp.post("/peran")
def grant_role():
    form = _grant_form()
    if form.validate_on_submit():
        try:
            user = accounts.user_by_email(form.email.data or "")
        except (NotFound, Invalid):
            form.email.errors = [_("No account with this e-mail address.")]
            return _render(grant_form=form, status=422)
        agency = None
        if form.agency.data:
            agency = agencies.get_agency(form.agency.data)
        try:
            roles.grant_role(current_user, user, Role(form.role.data), agency)
        except Invalid as exc:
            apply_errors(form, exc)
            return _render(grant_form=form, status=422)
        flash(_("Role granted to %(name)s.", name=user.name), "success")
        return redirect(url_for("admin.index"), code=303)
    return _render(grant_form=form, status=422)  # a role or agency that is not one of the choices


@bp.post("/peran/cabut")
def revoke_role():
    if not ActionForm().validate_on_submit():
        abort(400)
    user_id, agency_id = id_field("user_id", required=True), id_field("agency_id")
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    role = request.form.get("role", "")
    if role not in {r.value for r in ROLE_LABELS}:
        abort(400)
    agency = None
    if agency_id is not None:
        agency = db.session.get(Agency, agency_id)
        if agency is None:
            abort(404)
    try:
        roles.revoke_role(current_user, user, Role(role), agency)
    except Invalid as exc:
        flash(" ".join(str(m) for m in exc.fields.values()) or str(exc.message), "error")
        return redirect(url_for("admin.index"), code=303)
    flash(_("Role revoked."), "info")
    return redirect(url_for("admin.index"), code=303)
