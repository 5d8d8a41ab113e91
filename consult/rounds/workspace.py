"""The agency workspace for rounds (/kelola/<slug>/…): the agency's home, scheduling and rescheduling with the
round's IAP2 level (agency admins), closing early and extending (moderators and agency admins)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.agencies.workspace import managers_only, owned, workspace_blueprint
from consult.documents.services import agency_documents, get_document
from consult.forms import submit
from consult.rounds import services
from consult.rounds.forms import CloseForm, ExtendForm, RescheduleForm, ScheduleForm
from consult.timeutil import local, to_utc_naive

bp = workspace_blueprint("rounds_admin", __name__)
EXTEND_PREFIX = "perpanjang"  # the manage page has two forms: their fields need distinct names and ids


def _to_round_page(message: str):
    def done(rnd):
        flash(message, "success")
        return redirect(url_for("participation.round_page", round_id=rnd.id), code=303)

    return done


def _local_input(value, tz):
    return local(value, tz).replace(tzinfo=None)


def _times(form) -> None:
    """Parse the submitted fields; the service reports a missing or wrong time, once per field."""
    form.validate()
    for field in (form.opens_at, form.closes_at):
        field.errors = []


def _changed_time(submitted, current, tz):
    """The submitted local time as naive UTC, or None when it is the current time as the form shows it."""
    if submitted is None:
        return None
    if submitted == _local_input(current, tz).replace(second=0, microsecond=0):
        return None
    return to_utc_naive(submitted, tz)


@bp.get("")
@managers_only
def agency_home():
    return render_template(
        "rounds/agency.html",
        agency=g.agency,
        documents=agency_documents(g.agency),
        rounds=services.agency_rounds(g.agency.id),
    )


@bp.route("/dokumen/<int:document_id>/putaran-baru", methods=["GET", "POST"])
@managers_only
def schedule(document_id: int):
    agency = g.agency
    document = owned(get_document(document_id))
    version = document.latest_published
    if version is None:
        flash(_("Publish the version before scheduling a round on it."), "error")
        return redirect(url_for("documents.show", document_id=document.id), code=303)
    form = ScheduleForm()
    if request.method == "GET":
        form.title.data = document.title
    else:
        _times(form)

    def schedule_it():
        return services.schedule_round(
            current_user,
            version,
            title=form.title.data or "",
            opens_at=to_utc_naive(form.opens_at.data, agency.timezone) if form.opens_at.data else None,
            closes_at=to_utc_naive(form.closes_at.data, agency.timezone) if form.closes_at.data else None,
            verified_only=form.verified_only.data,
            iap2_level=form.iap2_level.data,
        )

    outcome = submit(form, schedule_it, _to_round_page(_("The round is scheduled.")), validate=False)
    if not isinstance(outcome, int):
        return outcome
    return render_template(
        "rounds/schedule.html", form=form, agency=agency, document=document, version=version, round=None
    ), outcome


@bp.route("/putaran/<int:round_id>/jadwal", methods=["GET", "POST"])
@managers_only
def reschedule(round_id: int):
    agency = g.agency
    rnd = owned(services.get_round(round_id))
    form = RescheduleForm()
    if request.method == "GET":
        form.opens_at.data = _local_input(rnd.opens_at, agency.timezone)
        form.closes_at.data = _local_input(rnd.closes_at, agency.timezone)
        form.iap2_level.data = rnd.iap2_level
    else:
        _times(form)

    def reschedule_it():
        # The form shows times to the minute: a time sent back as shown is left as it is (an opened round keeps
        # its exact opening time, which usually has seconds), not moved to the whole minute.
        return services.reschedule_round(
            current_user,
            rnd,
            opens_at=_changed_time(form.opens_at.data, rnd.opens_at, agency.timezone),
            closes_at=_changed_time(form.closes_at.data, rnd.closes_at, agency.timezone),
            iap2_level=form.iap2_level.data,
        )

    outcome = submit(form, reschedule_it, _to_round_page(_("The round's times and level are saved.")), validate=False)
    if not isinstance(outcome, int):
        return outcome
    return render_template(
        "rounds/schedule.html", form=form, agency=agency, document=rnd.document, version=rnd.version, round=rnd
    ), outcome


# --- closing early and extending (moderators and agency admins of the agency) --------------------------------


def _manage_page(rnd, close_form=None, extend_form=None, status: int = 200):
    if extend_form is None:
        extend_form = ExtendForm(formdata=None, prefix=EXTEND_PREFIX)
        extend_form.closes_at.data = _local_input(rnd.effective_closes_at, g.agency.timezone)
    return render_template(
        "rounds/manage.html",
        agency=g.agency,
        round=rnd,
        close_form=close_form or CloseForm(formdata=None),
        extend_form=extend_form,
        can_reopen=services.can_reopen(current_user, rnd),
    ), status


@bp.get("/putaran/<int:round_id>")
def manage_round(round_id: int):
    return _manage_page(owned(services.get_round(round_id)))


@bp.post("/putaran/<int:round_id>/tutup")
def close_round(round_id: int):
    rnd = owned(services.get_round(round_id))
    form = CloseForm()
    form.validate()
    message = _("The round is closed. The public sees your reason on its page.")
    outcome = submit(
        form,
        lambda: services.close_round(current_user, rnd, form.reason.data),
        _to_round_page(message),
        validate=False,
        refusals_on=form.reason,
    )
    if not isinstance(outcome, int):
        return outcome
    return _manage_page(rnd, close_form=form, status=outcome)


@bp.post("/putaran/<int:round_id>/perpanjang")
def extend_round(round_id: int):
    rnd = owned(services.get_round(round_id))
    form = ExtendForm(prefix=EXTEND_PREFIX)
    form.validate()
    form.closes_at.errors = []  # the service names a missing or wrong time, once
    closes = to_utc_naive(form.closes_at.data, g.agency.timezone) if form.closes_at.data else None
    message = _("The closing time is changed. The public sees your reason on the round's page.")
    outcome = submit(
        form,
        lambda: services.extend_round(current_user, rnd, closes, form.reason.data),
        _to_round_page(message),
        validate=False,
        refusals_on=form.reason,
    )
    if not isinstance(outcome, int):
        return outcome
    return _manage_page(rnd, extend_form=form, status=outcome)
