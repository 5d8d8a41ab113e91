"""The agency's services, for its staff: /kelola/<slug>/layanan.

Each service its standards cover (and each one a survey named): the standard in force, the number of people it
serves (the population of the satisfaction survey's minimum sample, Permenpan RB 14/2017), and the way to its
charter, its row of the report card, the paper survey forms and, for admins, its commitments. Moderators and
admins of the agency (and site admins) get in; consult.accountability.services.surveys checks again.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accountability.forms import PeopleServedForm
from consult.accountability.models import Service
from consult.accountability.services import surveys
from consult.accountability.services.services import agency_services
from consult.agencies.services import can_manage_agency
from consult.agencies.workspace import owned, workspace_blueprint
from consult.errors import Invalid
from consult.extensions import db
from consult.forms import apply_errors

bp = workspace_blueprint("services_admin", __name__)


def _forms(services, failed: PeopleServedForm | None = None, failed_id: int | None = None) -> dict:
    forms = {}
    for service in services:
        if service.id == failed_id and failed is not None:
            forms[service.id] = failed
            continue
        form = PeopleServedForm(prefix=f"s{service.id}", formdata=None)
        form.people_served.data = "" if service.people_served is None else str(service.people_served)
        form.period.data = service.people_served_period or ""
        forms[service.id] = form
    return forms


def _page(forms: dict, status: int = 200):
    services = agency_services(g.agency.id)
    return (
        render_template(
            "accountability/services.html",
            agency=g.agency,
            services=services,
            forms=forms or _forms(services),
            manager=can_manage_agency(current_user, g.agency),
        ),
        status,
    )


@bp.get("/layanan")
def services():
    return _page({})


@bp.post("/layanan/<int:service_id>")
def people_served(service_id: int):
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    owned(service)
    form = PeopleServedForm(prefix=f"s{service.id}")
    if not form.validate_on_submit():
        abort(400)
    raw = (form.people_served.data or "").strip().replace(".", "")
    try:
        if raw and not raw.isdigit():
            message = _("Enter the number of people served, from 0.")
            raise Invalid(message, fields={"people_served": message})
        surveys.set_people_served(current_user, service, int(raw) if raw else None, form.period.data)
    except Invalid as exc:
        apply_errors(form, exc)
        return _page(_forms(agency_services(g.agency.id), form, service.id), 422)
    flash(_("The number of people served by %(service)s is saved.", service=service.name), "success")
    return redirect(url_for(".services") + f"#layanan-{service.slug}", code=303)
