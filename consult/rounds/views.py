"""Public pages (home, round list, round page) and the agency workspace for rounds."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.agencies.services import can_manage_agency, can_moderate, get_agency, managed_agencies
from consult.documents.services import agency_documents, get_document
from consult.errors import Conflict, Invalid, ServiceError
from consult.forms import apply_errors
from consult.params import cursor_arg
from consult.rounds import services
from consult.rounds.forms import CloseForm, ExtendForm, RescheduleForm, ScheduleForm
from consult.timeutil import local, to_utc_naive

bp = Blueprint("rounds", __name__)
bp.add_app_template_global(services.can_close, "can_close")


@bp.get("/")
def home():
    return render_template("rounds/home.html", groups=services.home_rounds())


@bp.get("/putaran")
def index():
    after = cursor_arg("sebelum")
    rounds = services.rounds_page(after, limit=21)
    more = len(rounds) > 20
    return render_template("rounds/index.html", rounds=rounds[:20], next_after=rounds[19].id if more else None)


# --- agency workspace -----------------------------------------------------------------------------------


def _managed(slug: str):
    agency = get_agency(slug)
    if not can_manage_agency(current_user, agency):
        abort(403)
    return agency


@bp.get("/kelola")
@login_required
def workspace():
    agencies = managed_agencies(current_user)
    if not agencies:
        abort(403)
    if len(agencies) == 1:
        return redirect(url_for("rounds.agency_workspace", slug=agencies[0].slug))
    return render_template("rounds/workspace.html", agencies=agencies)


@bp.get("/kelola/<slug>")
@login_required
def agency_workspace(slug: str):
    agency = _managed(slug)
    return render_template(
        "rounds/agency.html",
        agency=agency,
        documents=agency_documents(agency),
        rounds=services.agency_rounds(agency.id),
    )


def _parse(form) -> None:
    """Parse the submitted fields; the service reports what is missing or wrong, once per field."""
    form.validate()
    for field in (form.opens_at, form.closes_at):
        field.errors = []


def _local_input(value, tz):
    return local(value, tz).replace(tzinfo=None)


def _changed_time(submitted, current, tz):
    """The submitted local time as naive UTC, or None when it is the current time as the form shows it."""
    if submitted is None:
        return None
    if submitted == _local_input(current, tz).replace(second=0, microsecond=0):
        return None
    return to_utc_naive(submitted, tz)


@bp.route("/kelola/<slug>/dokumen/<int:document_id>/putaran-baru", methods=["GET", "POST"])
@login_required
def schedule(slug: str, document_id: int):
    agency = _managed(slug)
    document = get_document(document_id)
    if document.agency_id != agency.id:
        abort(404)
    version = document.latest_published
    if version is None:
        flash(_("Publish the version before scheduling a round on it."), "error")
        return redirect(url_for("documents.show", slug=slug, document_id=document.id), code=303)
    form = ScheduleForm()
    if request.method == "GET":
        form.title.data = document.title
    status = 200
    if request.method == "POST":
        _parse(form)
        opens = to_utc_naive(form.opens_at.data, agency.timezone) if form.opens_at.data else None
        closes = to_utc_naive(form.closes_at.data, agency.timezone) if form.closes_at.data else None
        try:
            rnd = services.schedule_round(
                current_user,
                version,
                title=form.title.data or "",
                opens_at=opens,
                closes_at=closes,
                verified_only=form.verified_only.data,
            )
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(str(exc.message), "error")
            status = 409
        else:
            flash(_("The round is scheduled."), "success")
            return redirect(url_for("participation.round_page", round_id=rnd.id), code=303)
    return render_template(
        "rounds/schedule.html", form=form, agency=agency, document=document, version=version, round=None
    ), status


@bp.route("/kelola/<slug>/putaran/<int:round_id>/jadwal", methods=["GET", "POST"])
@login_required
def reschedule(slug: str, round_id: int):
    agency = _managed(slug)
    rnd = services.get_round(round_id)
    if rnd.agency_id != agency.id:
        abort(404)
    form = RescheduleForm()
    if request.method == "GET":
        form.opens_at.data = _local_input(rnd.opens_at, agency.timezone)
        form.closes_at.data = _local_input(rnd.closes_at, agency.timezone)
    status = 200
    if request.method == "POST":
        _parse(form)
        # The form shows times to the minute: a time sent back as shown is left as it is (an opened round
        # keeps its exact opening time, which usually has seconds), not moved to the whole minute.
        opens = _changed_time(form.opens_at.data, rnd.opens_at, agency.timezone)
        closes = _changed_time(form.closes_at.data, rnd.closes_at, agency.timezone)
        try:
            services.reschedule_round(current_user, rnd, opens_at=opens, closes_at=closes)
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        else:
            flash(_("The round's times are changed."), "success")
            return redirect(url_for("participation.round_page", round_id=rnd.id), code=303)
    return render_template(
        "rounds/schedule.html", form=form, agency=agency, document=rnd.document, version=rnd.version, round=rnd
    ), status


# --- closing early and extending (moderators and agency admins of the agency) --------------------------------


EXTEND_PREFIX = "perpanjang"  # the page has two forms: their fields need distinct names and ids


def _moderated_round(slug: str, round_id: int):
    agency = get_agency(slug)
    if not can_moderate(current_user, agency):
        abort(403)
    rnd = services.get_round(round_id)
    if rnd.agency_id != agency.id:
        abort(404)
    return agency, rnd


def _manage_page(agency, rnd, close_form=None, extend_form=None, status: int = 200):
    if extend_form is None:
        extend_form = ExtendForm(formdata=None, prefix=EXTEND_PREFIX)
        extend_form.closes_at.data = _local_input(rnd.effective_closes_at, agency.timezone)
    return render_template(
        "rounds/manage.html",
        agency=agency,
        round=rnd,
        close_form=close_form or CloseForm(formdata=None),
        extend_form=extend_form,
        can_reopen=services.can_reopen(current_user, rnd),
    ), status


@bp.get("/kelola/<slug>/putaran/<int:round_id>")
@login_required
def manage_round(slug: str, round_id: int):
    agency, rnd = _moderated_round(slug, round_id)
    return _manage_page(agency, rnd)


@bp.post("/kelola/<slug>/putaran/<int:round_id>/tutup")
@login_required
def close_round(slug: str, round_id: int):
    agency, rnd = _moderated_round(slug, round_id)
    form = CloseForm()
    form.validate()
    try:
        services.close_round(current_user, rnd, form.reason.data)
    except Invalid as exc:
        apply_errors(form, exc)
        return _manage_page(agency, rnd, close_form=form, status=422)
    except ServiceError as exc:
        form.reason.errors = [str(exc.message)]
        return _manage_page(agency, rnd, close_form=form, status=exc.status)
    flash(_("The round is closed. The public sees your reason on its page."), "success")
    return redirect(url_for("participation.round_page", round_id=rnd.id), code=303)


@bp.post("/kelola/<slug>/putaran/<int:round_id>/perpanjang")
@login_required
def extend_round(slug: str, round_id: int):
    agency, rnd = _moderated_round(slug, round_id)
    form = ExtendForm(prefix=EXTEND_PREFIX)
    form.validate()
    form.closes_at.errors = []  # the service names a missing or wrong time, once
    closes = to_utc_naive(form.closes_at.data, agency.timezone) if form.closes_at.data else None
    try:
        services.extend_round(current_user, rnd, closes, form.reason.data)
    except Invalid as exc:
        apply_errors(form, exc)
        return _manage_page(agency, rnd, extend_form=form, status=422)
    except ServiceError as exc:
        form.reason.errors = [str(exc.message)]
        return _manage_page(agency, rnd, extend_form=form, status=exc.status)
    flash(_("The closing time is changed. The public sees your reason on the round's page."), "success")
    return redirect(url_for("participation.round_page", round_id=rnd.id), code=303)
