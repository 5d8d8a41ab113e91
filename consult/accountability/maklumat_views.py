"""The service charter page (maklumat pelayanan): /instansi/<slug>/layanan/<service>/maklumat, for everyone.

The promises of the service standard in force in plain words, the date it took effect, the version and the
consultation it came from (consult.accountability.services.maklumat). Printable: the print style sheet keeps the
charter and drops the site's navigation, so that the agency can put it up at its counter.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from consult.accountability.services import maklumat
from consult.agencies.services import get_agency

bp = Blueprint("maklumat", __name__)


@bp.get("/instansi/<slug>/layanan/<service_slug>/maklumat")
def charter(slug: str, service_slug: str):
    agency = get_agency(slug)
    found = maklumat.charter(agency, service_slug)
    return render_template("accountability/maklumat.html", charter=found, answer_days=maklumat.answer_days())
