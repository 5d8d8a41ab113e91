"""Complaint pages for the public and complainants (Indonesian addresses, no JavaScript needed):

- /instansi/<slug>/pengaduan/baru   file a complaint (logged in): a commitment or service, what/where/when
- /pengaduan/<nomor>/tanda-terima   the receipt after filing: the secret code is shown ONCE (kept in the session
                                   only until this page shows it), printable
- /pengaduan/<nomor>               follow: status, overdue, due date, history (roles only), answer; confirm or
                                   dispute with the secret code (or as the logged-in owner)
- /pengaduan                       look a tracking number up
- /profil/pengaduan                the person's own complaints
Permissions and rules are in consult.accountability.services.complaints.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.accountability import deadlines, limits
from consult.accountability.forms import ComplaintForm, DisputeForm, LookupForm, SecretForm
from consult.accountability.services import commitments as commitment_service
from consult.accountability.services import complaint_reads as reads
from consult.accountability.services import complaints as svc
from consult.accountability.services.services import agency_services
from consult.agencies.services import get_agency
from consult.errors import NotFound, ServiceError
from consult.forms import submit
from consult.ratelimits import participation_limit
from consult.timeutil import utcnow
from consult.web import mark_no_store

bp = Blueprint("complaints", __name__)
RECEIPT_KEY = "complaint_receipts"  # tracking number → secret code, until the receipt has shown it once


def about_choices(agency) -> list[SelectChoice]:
    """ "c<id>" for a commitment in force, "s<id>" for a service, "" for the agency in general."""
    choices = [SelectChoice("", _("The agency in general"))]
    published = commitment_service.published_commitments(agency.id)
    services_with = set()
    for c in published:
        services_with.add(c.service_id)
        choices.append(SelectChoice(f"c{c.id}", f"{c.service.name}: {c.text[:120]}"))
    for s in agency_services(agency.id):
        choices.append(SelectChoice(f"s{s.id}", _("%(service)s (the service in general)", service=s.name)))
    return choices


def read_about(agency, value: str) -> tuple[int | None, str | None]:
    if value.startswith("c") and value[1:].isdigit():
        return int(value[1:]), None
    if value.startswith("s") and value[1:].isdigit():
        for s in agency_services(agency.id):
            if s.id == int(value[1:]):
                return None, s.name
    return None, None


def remember_secret(tracking_number: str, secret: str) -> None:
    receipts = dict(session.get(RECEIPT_KEY) or {})
    receipts[tracking_number] = secret
    session[RECEIPT_KEY] = dict(list(receipts.items())[-5:])


@bp.route("/instansi/<slug>/pengaduan/baru", methods=["GET", "POST"])
@login_required
@participation_limit("COMPLAINT_LIMIT", "complaint")
def new_complaint(slug: str):
    agency = get_agency(slug)
    form = ComplaintForm()
    form.about.choices = about_choices(agency)
    if request.method == "GET" and request.args.get("tentang"):
        form.about.data = request.args["tentang"]

    def act():
        commitment_id, service = read_about(agency, form.about.data or "")
        return svc.file_complaint(
            current_user,
            agency,
            what=form.what.data or "",
            commitment_id=commitment_id,
            service=service,
            where=form.where.data,
            when=form.when.data,
            confidential=form.confidential.data,
            publish_text=form.publish_text.data,
        )

    def done(filed):
        remember_secret(filed.complaint.tracking_number, filed.secret)
        return redirect(url_for(".receipt", tracking_number=filed.complaint.tracking_number), code=303)

    outcome = submit(form, act, done)
    if not isinstance(outcome, int):
        return outcome
    return render_template("accountability/new_complaint.html", agency=agency, form=form), outcome


@bp.get("/pengaduan/<tracking_number>/tanda-terima")
def receipt(tracking_number: str):
    complaint = svc.get_complaint(tracking_number)
    receipts = dict(session.get(RECEIPT_KEY) or {})
    secret = receipts.pop(complaint.tracking_number, None)
    if secret is not None:
        session[RECEIPT_KEY] = receipts
    if secret is None and not (
        svc.is_owner(current_user, complaint) or svc.can_handle(current_user, svc.complaint_agency(complaint))
    ):
        return redirect(url_for(".follow", tracking_number=complaint.tracking_number))
    response = make_response(
        render_template(
            "accountability/receipt.html",
            complaint=complaint,
            agency=svc.complaint_agency(complaint),
            secret=secret,
            view=reads.public_view(complaint),
        )
    )
    return mark_no_store(response)


@bp.get("/pengaduan")
def lookup():
    form = LookupForm(request.args)
    number = request.args.get("nomor")
    if number is not None:
        normal = deadlines.normalize_tracking_number(number)
        if normal is not None:
            return redirect(url_for(".follow", tracking_number=normal), code=303)
        form.nomor.errors = [_("This is not a valid tracking number. Check each character on your receipt.")]
        return render_template("accountability/lookup.html", form=form), 422
    return render_template("accountability/lookup.html", form=form)


def _follow_page(complaint, *, secret_form=None, dispute_form=None, status: int = 200):
    view = reads.public_view(complaint)
    return (
        render_template(
            "accountability/follow.html",
            complaint=complaint,
            view=view,
            agency=svc.complaint_agency(complaint),
            owner=svc.is_owner(current_user, complaint),
            secret_form=secret_form or SecretForm(),
            dispute_form=dispute_form or DisputeForm(),
        ),
        status,
    )


@bp.get("/pengaduan/<tracking_number>")
def follow(tracking_number: str):
    try:
        complaint = svc.get_complaint(tracking_number)
    except NotFound:
        abort(404)
    if complaint.tracking_number != tracking_number:
        return redirect(url_for(".follow", tracking_number=complaint.tracking_number), code=301)
    return _follow_page(complaint)


def _complainant_step(tracking_number: str, form, step):
    complaint = svc.get_complaint(tracking_number)
    if not form.validate_on_submit():
        abort(400)
    secret = (form.secret.data or "").strip() or None
    try:
        limits.guarded(complaint.tracking_number, secret, lambda: step(complaint, secret))
    except ServiceError as exc:
        if exc.fields:
            for name, message in exc.fields.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [str(message)]
        else:
            flash(str(exc.message), "error")
        kwargs = {"dispute_form": form} if isinstance(form, DisputeForm) else {"secret_form": form}
        return _follow_page(complaint, status=exc.status, **kwargs)
    return redirect(url_for(".follow", tracking_number=complaint.tracking_number), code=303)


@bp.post("/pengaduan/<tracking_number>/konfirmasi")
def confirm(tracking_number: str):
    def step(complaint, secret):
        svc.confirm_complaint(current_user, complaint, secret=secret)
        flash(_("Thank you: you accepted the answer and the complaint is closed."), "success")

    return _complainant_step(tracking_number, SecretForm(), step)


@bp.post("/pengaduan/<tracking_number>/sanggah")
def dispute(tracking_number: str):
    form = DisputeForm()

    def step(complaint, secret):
        svc.dispute_complaint(current_user, complaint, form.reason.data or "", secret=secret)
        flash(_("Your dispute is recorded. The agency must answer again within 14 days."), "success")

    return _complainant_step(tracking_number, form, step)


@bp.get("/profil/pengaduan")
@login_required
def my_complaints():
    rows = reads.own_complaints(current_user)
    return mark_no_store(
        make_response(render_template("accountability/my_complaints.html", complaints=rows, now=utcnow()))
    )
