"""The agency's staff pages for accountability (/kelola/<slug>/…):

- /kelola/<slug>/pengaduan        complaints, newest first (keyset), filters open / overdue / disputed; an answer
                                  form under each one waiting for an answer; the queue of texts asking to be
                                  published; a link to enter a complaint received at a counter, on paper or by phone
- /kelola/<slug>/pengaduan/catat  that entry form, with the real date received
- /kelola/<slug>/komitmen         the draft commitments per service with their sections (agency admins): correct,
                                  delete, add, publish
Moderators and agency admins of the agency and site admins get in; the services check every permission again.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accountability.complaint_views import about_choices, read_about, remember_secret
from consult.accountability.forms import AnswerForm, CommitmentForm, CounterComplaintForm, TextDecisionForm
from consult.accountability.models import Service
from consult.accountability.services import commitments as commitment_service
from consult.accountability.services import complaint_reads as reads
from consult.accountability.services import complaints as svc
from consult.accountability.services.services import agency_services
from consult.accounts.models import User
from consult.agencies.workspace import managers_only, owned, workspace_blueprint
from consult.errors import Invalid, ServiceError
from consult.extensions import db
from consult.forms import ActionForm, submit
from consult.params import BadParameter
from consult.ratelimits import ASSISTED, participation_limit
from consult.timeutil import parse_iso, utcnow
from consult.web import mark_no_store

bp = workspace_blueprint("complaints_admin", __name__)
bp.after_request(mark_no_store)  # complaint texts and complainants' names: no shared cache may keep them

FILTER_LABELS = {"all": "All", "open": "Open", "overdue": "Overdue", "disputed": "Disputed"}


@bp.get("/pengaduan")
def complaints():
    status = request.args.get("status") or "all"
    if status not in reads.FILTERS:
        abort(400)
    now = utcnow()
    try:
        page = reads.staff_list(current_user, g.agency, status=status, cursor=request.args.get("setelah"), now=now)
    except (BadParameter, Invalid):
        abort(400)
    ids = {c.complainant_id for c in page.items if c.complainant_id}
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return render_template(
        "accountability/staff_complaints.html",
        agency=g.agency,
        page=page,
        status=status,
        now=now,
        names=names,
        queue=reads.text_queue(current_user, g.agency),
        answer_form=AnswerForm(),
        decision_form=TextDecisionForm(),
    )


@bp.post("/pengaduan/<tracking_number>/jawab")
def answer(tracking_number: str):
    complaint = owned(svc.get_complaint(tracking_number))
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.answer_complaint(current_user, complaint, form.answer.data or "")
    except ServiceError as exc:
        flash(" ".join(str(m) for m in exc.fields.values()) or str(exc.message), "error")
    else:
        flash(_("The answer is sent and public on the complaint's page."), "success")
    return redirect(url_for(".complaints") + f"#aduan-{complaint.tracking_number}", code=303)


@bp.post("/pengaduan/<tracking_number>/teks")
def decide_text(tracking_number: str):
    complaint = owned(svc.get_complaint(tracking_number))
    form = TextDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.decide_text(current_user, complaint, form.decision.data or "", form.reason.data)
    except ServiceError as exc:
        flash(" ".join(str(m) for m in exc.fields.values()) or str(exc.message), "error")
    else:
        flash(_("The decision on the text is recorded."), "success")
    return redirect(url_for(".complaints"), code=303)


@bp.route("/pengaduan/catat", methods=["GET", "POST"])
@participation_limit(*ASSISTED)
def enter_complaint():
    form = CounterComplaintForm()
    form.about.choices = about_choices(g.agency)

    def act():
        commitment_id, service = read_about(g.agency, form.about.data or "")
        received_at = None
        if form.received_at.data:
            try:
                received_at = parse_iso(form.received_at.data, g.agency.timezone)
            except ValueError:
                raise Invalid(fields={"received_at": _("A date and time, for example 2026-03-02 09:30.")}) from None
        return svc.file_complaint(
            current_user,
            g.agency,
            what=form.what.data or "",
            commitment_id=commitment_id,
            service=service,
            where=form.where.data,
            when=form.when.data,
            confidential=form.confidential.data,
            publish_text=form.publish_text.data,
            received_at=received_at,
            channel=form.channel.data or "counter",
            received_place=form.received_place.data,
            complainant_name=form.complainant_name.data,
            complainant_contact=form.complainant_contact.data,
        )

    def done(filed):
        remember_secret(filed.complaint.tracking_number, filed.secret)
        return redirect(url_for("complaints.receipt", tracking_number=filed.complaint.tracking_number), code=303)

    outcome = submit(form, act, done)
    if not isinstance(outcome, int):
        return outcome
    return render_template("accountability/enter_complaint.html", agency=g.agency, form=form), outcome


# --- commitments -------------------------------------------------------------------------------------------------


@bp.get("/komitmen")
@managers_only
def commitments():
    drafts = commitment_service.draft_commitments(g.agency.id)
    published = commitment_service.published_commitments(g.agency.id)
    services = agency_services(g.agency.id)
    return render_template(
        "accountability/commitments.html",
        agency=g.agency,
        services=services,
        drafts={s.id: [c for c in drafts if c.service_id == s.id] for s in services},
        published={s.id: [c for c in published if c.service_id == s.id] for s in services},
        form=CommitmentForm(),
        action_form=ActionForm(),
    )


def _service(service_id: int) -> Service:
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    return owned(service)


def _refused(exc: ServiceError) -> None:
    flash(" ".join(str(m) for m in exc.fields.values()) or str(exc.message), "error")


@bp.post("/komitmen/<int:commitment_id>")
@managers_only
def edit_commitment(commitment_id: int):
    row = owned(commitment_service.get_commitment(commitment_id, g.agency))
    form = CommitmentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if request.form.get("hapus"):
            commitment_service.delete_commitment(current_user, row)
            flash(_("The draft commitment is deleted."), "success")
        else:
            commitment_service.update_commitment(
                current_user, row, text=form.text.data, kind=form.kind.data, value=form.value.data
            )
            flash(_("The draft commitment is saved."), "success")
    except ServiceError as exc:
        _refused(exc)
    return redirect(url_for(".commitments") + f"#komitmen-{row.id}", code=303)


@bp.post("/komitmen/layanan/<int:service_id>/tambah")
@managers_only
def add_commitment(service_id: int):
    service = _service(service_id)
    form = CommitmentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        commitment_service.add_commitment(
            current_user,
            g.agency,
            service,
            section_key=form.section_key.data,
            text=form.text.data,
            kind=form.kind.data,
            value=form.value.data,
        )
        flash(_("The commitment is added to the drafts."), "success")
    except ServiceError as exc:
        _refused(exc)
    return redirect(url_for(".commitments"), code=303)


@bp.post("/komitmen/layanan/<int:service_id>/terbitkan")
@managers_only
def publish_commitments(service_id: int):
    service = _service(service_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        n = commitment_service.publish_commitments(current_user, g.agency, service)
        flash(_("%(n)s commitments are published and in force.", n=n), "success")
    except ServiceError as exc:
        _refused(exc)
    return redirect(url_for(".commitments"), code=303)


__all__ = ["bp", "submit"]
