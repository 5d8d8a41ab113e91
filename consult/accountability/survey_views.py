"""The satisfaction survey (IKM) page: /instansi/<slug>/survei, for a logged-in person who received a service;
the agency's staff use the same page to type in paper forms ("Formulir kertas"), one after another.

Nine questions, each answered 1-4 with the regulation's words; a refused answer keeps what was chosen and says
which question is missing. Rules are in consult.accountability.services.surveys.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accountability import ikm
from consult.accountability.services import surveys
from consult.accountability.services.services import agency_services
from consult.agencies.services import get_agency
from consult.errors import ServiceError
from consult.forms import ActionForm
from consult.ratelimits import participation_limit

bp = Blueprint("surveys", __name__)

ANSWERS = ("Tidak baik", "Kurang baik", "Baik", "Sangat baik")  # the regulation's four answers, from 1 to 4
QUESTIONS = {
    "U1": "Bagaimana kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
    "U2": "Bagaimana kemudahan prosedur pelayanan di unit ini?",
    "U3": "Bagaimana kecepatan waktu dalam memberikan pelayanan?",
    "U4": "Bagaimana kewajaran biaya/tarif dalam pelayanan?",
    "U5": "Bagaimana kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang "
    "diberikan?",
    "U6": "Bagaimana kompetensi/kemampuan petugas dalam pelayanan?",
    "U7": "Bagaimana perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
    "U8": "Bagaimana kualitas penanganan pengaduan, saran, dan masukan?",
    "U9": "Bagaimana kualitas sarana dan prasarana?",
}


def _page(agency, chosen: dict, *, message: str | None = None, status: int = 200):
    services = list(agency_services(agency.id))
    return (
        render_template(
            "accountability/survey.html",
            agency=agency,
            services=services,
            elements=ikm.ELEMENTS,
            questions=QUESTIONS,
            answers=ANSWERS,
            chosen=chosen,
            message=message,
            staff=surveys.can_enter_paper(current_user, agency),
            form=ActionForm(),
        ),
        status,
    )


@bp.get("/instansi/<slug>/survei")
@login_required
def survey_form(slug: str):
    agency = get_agency(slug)
    return _page(agency, {"service": request.args.get("layanan", "")})


@bp.post("/instansi/<slug>/survei")
@login_required
@participation_limit("SURVEY_LIMIT", "survey")
def submit_survey(slug: str):
    agency = get_agency(slug)
    if not ActionForm().validate():
        flash(_("The form expired. Please send it again."), "error")
        return _page(agency, dict(request.form), status=400)
    chosen = dict(request.form)
    scores = []
    for element in ikm.ELEMENTS:
        raw = request.form.get(element.code, "")
        scores.append(int(raw) if raw.isdigit() else raw or None)
    paper = request.form.get("channel") == "paper"
    served_on = None
    if paper and request.form.get("served_on"):
        try:
            served_on = dt.date.fromisoformat(request.form["served_on"])
        except ValueError:
            return _page(agency, chosen, message=_("Write the date as YYYY-MM-DD."), status=422)
    try:
        surveys.record_survey(
            current_user,
            agency,
            request.form.get("service", ""),
            scores,
            channel="paper" if paper else "web",
            served_on=served_on,
        )
    except ServiceError as exc:
        return _page(agency, chosen, message=str(exc.message), status=exc.status)
    if paper:
        flash(_("The paper form is saved. Enter the next one."), "success")
        return redirect(url_for(".survey_form", slug=agency.slug, layanan=request.form.get("service", "")), 303)
    flash(_("Thank you: your answers count in the agency's satisfaction index."), "success")
    return redirect(url_for("report_card.report_card_page", slug=agency.slug), 303)
