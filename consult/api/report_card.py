"""JSON API v1: satisfaction surveys and an agency's report card (CONTRACT.md, "Accountability after adoption")."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import Field

from consult.accountability.services import report_card as cards
from consult.accountability.services import surveys
from consult.agencies.services import get_agency
from consult.api.auth import api_user
from consult.api.bodies import RequestModel, checked_by_service, collapsed_at_least, text
from consult.api.schemas import Agency, ResponseModel, Time
from consult.api.views import api
from consult.errors import Invalid
from consult.i18n import lazy_gettext as _l
from consult.timeutil import iso_utc


class NewSurvey(RequestModel):
    documented_required = ("service", "scores")
    service: text(
        maxLength=surveys.SERVICE_NAME_LIMIT,
        pattern=collapsed_at_least(1),
        description="the name (or slug) of the service received",
    ) = None
    scores: checked_by_service(
        {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 4},
            "minItems": 9,
            "maxItems": 9,
            "description": "the nine elements U1-U9 of Permenpan RB 14/2017 in order, each 1-4",
        }
    ) = None
    channel: text(nullable=True, enum=[*surveys.CHANNELS, ""], description="web (default) | paper (agency staff)") = (
        None
    )
    served_on: text(
        nullable=True,
        pattern=r"^(\d{4}-\d{2}-\d{2})?$",
        description="paper forms: the date the service was delivered (YYYY-MM-DD), today or within the last year",
    ) = None


class RecordedSurvey(ResponseModel):
    id: int
    service: str
    service_slug: str
    quarter: str = Field(description="the calendar quarter it counts in, e.g. 2026-Q4")
    channel: str
    created_at: Time


class IkmElement(ResponseModel):
    key: str
    code: str
    name: str
    mean: float


class Ikm(ResponseModel):
    responses: int
    index: float | None = Field(description="mean of the nine element means x 25, 2 decimals; null without responses")
    grade: str | None = Field(description="A (88.31-100) | B (76.61-88.30) | C (65.00-76.60) | D (25.00-64.99)")
    quality: str | None
    paper_responses: int
    people_served: int | None
    minimum_sample: int | None = Field(description="the regulation's table (Krejcie-Morgan) for people_served")
    below_minimum_sample: bool
    elements: list[IkmElement]


class TrendPoint(ResponseModel):
    quarter: str
    responses: int
    index: float | None
    grade: str | None


class ComplaintFigures(ResponseModel):
    received: int
    answered: int
    answered_on_time: int
    overdue: int
    disputed: int


class CharterVersionRef(ResponseModel):
    document_id: int
    version_id: int
    number: int
    adopted_at: Time
    round_id: int | None = Field(description="the consultation it was adopted from")


class ServiceRow(ResponseModel):
    service: str
    service_slug: str
    covered_by_standard: bool
    commitments: int
    ikm: Ikm
    trend: list[TrendPoint]
    complaints: ComplaintFigures
    versions: list[CharterVersionRef]


class Period(ResponseModel):
    from_: str = Field(alias="from", serialization_alias="from")
    to: str


class ReportCardOut(ResponseModel):
    agency: Agency
    period: Period = Field(description="the quarters the IKM covers: the last four, the current one included")
    services: list[ServiceRow]
    commitments: int = Field(description="commitments in force")
    general_complaints: ComplaintFigures = Field(description="complaints about the agency that name no service")


def _served_on(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        message = _l("Write the date as YYYY-MM-DD.")
        raise Invalid(message, fields={"served_on": message}) from None


@api.post(
    "/agencies/{slug}/surveys",
    summary="Answer the satisfaction survey (IKM) for a service of the agency",
    description="One response per person, service and calendar quarter (409 for a second). Agency staff enter "
    'paper forms with "channel": "paper" (no such limit). Scores out of 1-4 or not nine of them: 422. Audited '
    "as survey.recorded without the respondent.",
    auth=True,
    ok=(201, RecordedSurvey),
    body=NewSurvey,
    errors=[403, 404, 409],
    limit=("SURVEY_LIMIT", "survey"),
    assisted_limit=True,
)
def record_survey(slug: str, body: NewSurvey) -> RecordedSurvey:
    agency = get_agency(slug)
    response = surveys.record_survey(
        api_user(),
        agency,
        body.service,
        body.scores,
        channel=body.channel or "web",
        served_on=_served_on(body.served_on),
    )
    service = surveys.service_of(response)
    return RecordedSurvey(
        id=response.id,
        service=service.name,
        service_slug=service.slug,
        quarter=f"{response.year}-Q{response.quarter}",
        channel=response.channel,
        created_at=iso_utc(response.created_at),
    )


@api.get(
    "/agencies/{slug}/report-card",
    summary="An agency's public report card: commitments, complaints and the satisfaction index per service",
    description="Aggregates only, no personal data. The IKM covers the last four calendar quarters; trend gives "
    "each of the last eight.",
    ok=ReportCardOut,
    errors=[404],
)
def report_card(slug: str) -> ReportCardOut:
    data = cards.report_card(get_agency(slug)).as_dict()
    for row in data["services"]:
        for version in row["versions"]:
            version["adopted_at"] = iso_utc(version["adopted_at"])
    return ReportCardOut.model_validate(data)
