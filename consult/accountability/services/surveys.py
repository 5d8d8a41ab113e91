"""The satisfaction survey (Indeks Kepuasan Masyarakat, Permenpan RB 14/2017): responses and their tallies.

A response scores the nine elements 1-4 (consult.accountability.ikm). From the web: a logged-in person, once per
service and calendar quarter (in the agency's time zone; the database's UNIQUE constraint holds it, a second
answer is a Conflict). From paper forms: the agency's staff (moderators and agency admins) enter them, marked
"paper", without a respondent and so without that limit.

Every response updates its service's SurveyTally row (responses and the nine sums per quarter) in the same
transaction, so the report card reads a few rows whatever the number of responses; tests check the tallies
against the rows.

Services (decided here; CONTRACT.md says the survey names "a service of the agency's commitments"): a name that
matches one of the agency's services (by name, case and spacing ignored, or by slug) is that service; any other
name is recorded as a new service of the agency that no adopted standard covers yet, so that a citizen who
received a service can rate it even before its standard is adopted. The report card shows such services apart.

Audit: one "survey.recorded" entry per response with the service, the quarter and the channel and nothing about
the respondent (the survey is anonymous in public; the account is kept only to hold the once-per-quarter rule);
a paper entry names the staff member who entered it, as actor.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult import audit
from consult.accountability import ikm
from consult.accountability.models import ELEMENT_COLUMNS, Service, SurveyResponse, SurveyTally
from consult.accountability.services.services import ensure_service
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import can_manage_agency, can_moderate
from consult.db import insert_or_nothing
from consult.documents.splitting import slugify
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.timeutil import utcnow

CHANNELS = ("web", "paper")
PAPER_BACKDATE_DAYS = 366  # a paper form may be entered for a service delivered up to a year ago
SERVICE_NAME_LIMIT = 200

ONCE_PER_QUARTER = _l(
    "You have already filled in the satisfaction survey for this service this quarter. "
    "You can fill it in again next quarter."
)


def can_enter_paper(user: User | None, agency: Agency) -> bool:
    return can_moderate(user, agency)


def find_service(agency: Agency, name: str) -> Service | None:
    """The agency's service by its name (case and spacing ignored) or its slug; None when it has none such."""
    clean = " ".join((name or "").split())
    if not clean:
        return None
    slug = slugify(clean)
    return db.session.scalar(
        sa.select(Service)
        .where(
            Service.agency_id == agency.id,
            sa.or_(sa.func.lower(Service.name) == clean.lower(), Service.slug == slug, Service.slug == clean.lower()),
        )
        .order_by(Service.document_id.is_(None), Service.id)
        .limit(1)
    )


def _checked_scores(scores: object) -> tuple[int, ...]:
    try:
        return ikm.validate_response(scores)
    except ikm.InvalidResponse as error:
        if error.element is None:
            message = _l("Answer all nine questions, each with a score from 1 to 4.")
            raise Invalid(message, fields={"scores": message}) from None
        message = _l("%(code)s %(name)s: choose a score from 1 to 4.", code=error.element.code, name=error.element.name)
        raise Invalid(message, fields={f"scores.{error.element.code}": message}) from None


def _checked_service_name(name: object) -> str:
    if not isinstance(name, str) or not " ".join(name.split()):
        raise Invalid(
            _l("Choose the service you received."), fields={"service": _l("Choose the service you received.")}
        )
    clean = " ".join(name.split())
    if len(clean) > SERVICE_NAME_LIMIT:
        message = _l("The name of the service is at most %(n)s characters.", n=SERVICE_NAME_LIMIT)
        raise Invalid(message, fields={"service": message})
    return clean


def record_survey(
    actor: User | None,
    agency: Agency,
    service_name: object,
    scores: object,
    *,
    channel: str = "web",
    served_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SurveyResponse:
    """Record one response (see the module's docstring). Raises NotAllowed (not logged in; paper by someone who is
    not the agency's staff), Invalid (bad scores, service, channel or date) or Conflict (second web response of
    this person for this service in this quarter)."""
    now = now or utcnow()
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_l("Log in to fill in the satisfaction survey."))
    if channel not in CHANNELS:
        message = _l("The channel is web or paper.")
        raise Invalid(message, fields={"channel": message})
    if channel == "paper" and not can_enter_paper(actor, agency):
        raise NotAllowed(_l("Only the agency's staff enter paper survey forms."))
    values = _checked_scores(scores)
    name = _checked_service_name(service_name)
    tz = agency.timezone or "Asia/Jakarta"
    if served_on is not None:
        local_today = now.replace(tzinfo=dt.UTC).astimezone(ikm.ZoneInfo(tz)).date()
        if served_on > local_today or (local_today - served_on).days > PAPER_BACKDATE_DAYS:
            message = _l("The date of the service is today or within the last year.")
            raise Invalid(message, fields={"served_on": message})
    quarter = ikm.quarter_of(served_on if (channel == "paper" and served_on) else now, tz)
    with write_transaction():
        service = find_service(agency, name) or ensure_service(agency, name)
        respondent_id = actor.id if channel == "web" else None
        if respondent_id is not None and db.session.scalar(
            sa.select(SurveyResponse.id).where(
                SurveyResponse.service_id == service.id,
                SurveyResponse.respondent_id == respondent_id,
                SurveyResponse.year == quarter.year,
                SurveyResponse.quarter == quarter.quarter,
            )
        ):
            raise Conflict(ONCE_PER_QUARTER)
        response = SurveyResponse(
            agency_id=agency.id,
            service_id=service.id,
            respondent_id=respondent_id,
            channel=channel,
            entered_by_id=actor.id if channel == "paper" else None,
            year=quarter.year,
            quarter=quarter.quarter,
            served_on=served_on,
            created_at=now,
            **dict(zip(ELEMENT_COLUMNS, values, strict=True)),
        )
        db.session.add(response)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except sa.exc.IntegrityError:  # the same person's second answer, sent at the same moment
            raise Conflict(ONCE_PER_QUARTER) from None
        _count(service.id, quarter, values, paper=channel == "paper")
        audit.record(
            "survey.recorded",
            service,
            {"service": service.slug, "agency": agency.slug, "quarter": str(quarter), "channel": channel},
            actor=actor if channel == "paper" else None,
        )
    return response


def _count(service_id: int, quarter: ikm.Quarter, values: tuple[int, ...], *, paper: bool) -> None:
    key = {"service_id": service_id, "year": quarter.year, "quarter": quarter.quarter}
    insert_or_nothing(SurveyTally, index_elements=["service_id", "year", "quarter"], **key)
    t = SurveyTally.__table__.c
    db.session.execute(
        sa.update(SurveyTally)
        .where(
            SurveyTally.service_id == service_id,
            SurveyTally.year == quarter.year,
            SurveyTally.quarter == quarter.quarter,
        )
        .values(
            responses=t.responses + 1,
            paper_responses=t.paper_responses + (1 if paper else 0),
            **{f"sum_{c}": t[f"sum_{c}"] + v for c, v in zip(ELEMENT_COLUMNS, values, strict=True)},
        )
    )


def set_people_served(actor: User | None, service: Service, people: int | None, period: str | None) -> Service:
    """The number of people the service serves (per the period the agency states): the population of the IKM's
    minimum sample. Agency admins (and moderators) of the service's agency; audited."""
    agency = db.session.get(Agency, service.agency_id)
    if not can_moderate(actor, agency):
        raise NotAllowed()
    if people is not None and not 0 <= people <= 100_000_000:
        message = _l("Enter the number of people served, from 0.")
        raise Invalid(message, fields={"people_served": message})
    period = " ".join((period or "").split())[:60] or None
    with write_transaction():
        service.people_served = people
        service.people_served_period = period
        audit.record(
            "service.people_served",
            service,
            {"service": service.slug, "people_served": people, "period": period},
            actor=actor,
        )
    return service


def recent_responses(service_id: int, limit: int = 20) -> list[SurveyResponse]:
    """The last responses entered for a service (for the staff's paper-entry page)."""
    return list(
        db.session.scalars(
            sa.select(SurveyResponse)
            .where(SurveyResponse.service_id == service_id)
            .order_by(SurveyResponse.id.desc())
            .limit(limit)
        )
    )


__all__ = [
    "CHANNELS",
    "can_enter_paper",
    "can_manage_agency",
    "find_service",
    "record_survey",
    "recent_responses",
    "set_people_served",
]


def service_of(response: SurveyResponse) -> Service:
    return db.session.get(Service, response.service_id)
