"""JSON API v1: commitments and complaints (CONTRACT.md, "Accountability after adoption")."""

from __future__ import annotations

from typing import Any

from pydantic import Field, RootModel

from consult.accountability import limits
from consult.accountability.services import commitments as commitment_service
from consult.accountability.services import complaint_reads as reads
from consult.accountability.services import complaints as svc
from consult.agencies.services import get_agency
from consult.api.auth import api_user
from consult.api.bodies import NONBLANK, RequestModel, flag, identifier, text
from consult.api.schemas import ResponseModel, Time
from consult.api.views import api
from consult.errors import Invalid
from consult.i18n import lazy_gettext as _l
from consult.timeutil import iso_utc, parse_iso


class Measure(ResponseModel):
    kind: str = Field(description="days | rupiah | text")
    value: Any = Field(description="an integer for days and rupiah; a string or a list of strings for text")
    unit: str | None = Field(description="working_days | calendar_days | days | rupiah, or null")
    measure: str = Field(description="completion_time, cost, requirements, opening_hours, complaint_channel, …")


class CommitmentOut(ResponseModel):
    id: int
    service: str = Field(description="the name of the service the standard covers")
    service_slug: str
    document_id: int
    version_id: int
    section_key: str
    text: str
    measure: Measure
    published_at: Time | None


class CommitmentList(RootModel[list[CommitmentOut]]):
    """A JSON array (CONTRACT.md)."""


@api.get(
    "/agencies/{slug}/commitments",
    summary="The commitments in force of an agency's adopted service standards",
    description="Published commitments only (drafts are corrected by the agency's admins first).",
    ok=CommitmentList,
    errors=[404],
)
def agency_commitments(slug: str) -> CommitmentList:
    agency = get_agency(slug)
    rows = commitment_service.published_commitments(agency.id)
    return CommitmentList(
        [
            CommitmentOut(
                id=c.id,
                service=c.service.name,
                service_slug=c.service.slug,
                document_id=c.document_id,
                version_id=c.version_id,
                section_key=c.section_key,
                text=c.text,
                measure=Measure(kind=c.kind, value=c.value, unit=c.unit, measure=c.measure),
                published_at=iso_utc(c.published_at),
            )
            for c in rows
        ]
    )


class NewComplaint(RequestModel):
    documented_required = ("agency", "what")
    agency: text(minLength=1, pattern=NONBLANK, description="the agency's slug") = None
    commitment_id: identifier(nullable=True, description="a published commitment of the agency") = None
    service: text(nullable=True, description="the name of a service of the agency") = None
    what: text(
        minLength=1,
        maxLength=svc.WHAT_LIMIT,
        pattern=NONBLANK,
        description="what went wrong (private unless publish_text)",
    ) = None
    where: text(nullable=True, maxLength=300) = None
    when: text(nullable=True, maxLength=100, description="when it happened, as the complainant says it") = None
    confidential: flag(description="the text is never published; the agency's staff still see the complainant") = None
    publish_text: flag(description="ask a moderator to publish the text (pending until decided)") = None
    received_at: text(
        nullable=True,
        format="date-time",
        description="agency staff only: when a counter/paper/phone complaint was received (ISO 8601, up to 30 days "
        "back, not in the future); a citizen who sends it gets 422",
    ) = None
    channel: text(nullable=True, enum=[*svc.CHANNELS, ""], description="web | counter | paper | phone") = None
    received_place: text(nullable=True, maxLength=200, description="staff: where it was received") = None
    complainant_name: text(nullable=True, maxLength=120, description="staff: never public") = None
    complainant_contact: text(nullable=True, maxLength=200, description="staff: never public") = None


class FiledComplaint(ResponseModel):
    tracking_number: str
    secret: str = Field(description="shown once; lets a complainant without an account confirm or dispute")
    received_at: Time
    due_at: Time
    status: str


class ComplaintHistoryStep(ResponseModel):
    kind: str
    at: Time
    actor_role: str | None = Field(description="agency_admin | moderator | site_admin | complainant | null")


class ComplaintOut(ResponseModel):
    tracking_number: str
    status: str = Field(description="received | answered | confirmed | disputed")
    overdue: bool = Field(description="derived: due_at passed and no answer yet")
    received_at: Time
    due_at: Time
    answered_at: Time | None
    answer: str | None
    answered_on_time: bool | None = Field(description="whether the first answer met the first due date")
    commitment_id: int | None
    service: str | None
    channel: str
    received_by_role: str | None
    text: str | None = Field(description="the complaint's text, only once a moderator published it")
    history: list[ComplaintHistoryStep]


class Answer(RequestModel):
    documented_required = ("answer",)
    answer: text(minLength=1, maxLength=svc.ANSWER_LIMIT, pattern=NONBLANK) = None


class Confirm(RequestModel):
    secret: text(nullable=True, description="the secret code from the receipt (or send a token of the owner)") = None


class Dispute(RequestModel):
    documented_required = ("reason",)
    reason: text(minLength=1, maxLength=svc.REASON_LIMIT, pattern=NONBLANK) = None
    secret: text(nullable=True, description="the secret code from the receipt (or send a token of the owner)") = None


def _out(complaint) -> ComplaintOut:
    view = reads.public_view(complaint)
    return ComplaintOut(
        tracking_number=view["tracking_number"],
        status=view["status"],
        overdue=view["overdue"],
        received_at=iso_utc(view["received_at"]),
        due_at=iso_utc(view["due_at"]),
        answered_at=iso_utc(view["answered_at"]),
        answer=view["answer"],
        answered_on_time=view["answered_on_time"],
        commitment_id=view["commitment_id"],
        service=view["service"],
        channel=view["channel"],
        received_by_role=view["received_by_role"],
        text=view["what"],
        history=[ComplaintHistoryStep(kind=h["kind"], at=h["at"], actor_role=h["actor_role"]) for h in view["history"]],
    )


@api.post(
    "/complaints",
    summary="File a complaint (a logged-in citizen), or enter one received at a counter (agency staff)",
    description="201 with the tracking number and the secret code (shown once). Staff (agency admins and "
    "moderators of the agency) may send received_at and channel counter|paper|phone; a citizen who sends "
    "received_at gets 422, a non-web channel 403. Audited as complaint.received, without text or identity.",
    auth=True,
    ok=(201, FiledComplaint),
    body=NewComplaint,
    errors=[403, 404],
    limit=("COMPLAINT_LIMIT", "complaint"),
    assisted_limit=True,
)
def file_complaint(body: NewComplaint) -> FiledComplaint:
    if not body.agency:
        raise Invalid(fields={"agency": _l("This field is required.")})
    agency = get_agency(body.agency)
    received_at = None
    if body.received_at:
        try:
            received_at = parse_iso(body.received_at, agency.timezone)
        except ValueError:
            raise Invalid(fields={"received_at": _l("A date and time in ISO 8601.")}) from None
    filed = svc.file_complaint(
        api_user(),
        agency,
        what=body.what or "",
        commitment_id=body.commitment_id,
        service=body.service,
        where=body.where,
        when=body.when,
        confidential=bool(body.confidential),
        publish_text=bool(body.publish_text),
        received_at=received_at,
        channel=body.channel or None,
        received_place=body.received_place,
        complainant_name=body.complainant_name,
        complainant_contact=body.complainant_contact,
    )
    c = filed.complaint
    return FiledComplaint(
        tracking_number=c.tracking_number,
        secret=filed.secret,
        received_at=iso_utc(c.received_at),
        due_at=iso_utc(c.due_at),
        status=c.status,
    )


@api.get(
    "/complaints/{tracking_number}",
    summary="A complaint's public status: no personal data",
    ok=ComplaintOut,
    errors=[404],
)
def get_complaint(tracking_number: str) -> ComplaintOut:
    return _out(svc.get_complaint(tracking_number))


@api.post(
    "/complaints/{tracking_number}/answer",
    summary="The agency answers a complaint (again after a dispute, with a new 14-day due date)",
    auth=True,
    ok=ComplaintOut,
    body=Answer,
    errors=[403, 404, 409],
)
def answer_complaint(tracking_number: str, body: Answer) -> ComplaintOut:
    complaint = svc.get_complaint(tracking_number)
    return _out(svc.answer_complaint(api_user(), complaint, body.answer or ""))


@api.post(
    "/complaints/{tracking_number}/confirm",
    summary="The complainant accepts the answer (the owner's token, or the secret code)",
    description="Wrong secret codes are limited per complaint and per address (429).",
    ok=ComplaintOut,
    body=Confirm,
    errors=[403, 404, 409, 429],
)
def confirm_complaint(tracking_number: str, body: Confirm) -> ComplaintOut:
    complaint = svc.get_complaint(tracking_number)
    row = limits.guarded(
        complaint.tracking_number,
        body.secret,
        lambda: svc.confirm_complaint(api_user(), complaint, secret=body.secret),
    )
    return _out(row)


@api.post(
    "/complaints/{tracking_number}/dispute",
    summary="The complainant disputes the answer with a reason (the owner's token, or the secret code)",
    description="The agency then answers again within 14 days of the dispute. Wrong secret codes are limited (429).",
    ok=ComplaintOut,
    body=Dispute,
    errors=[403, 404, 409, 429],
)
def dispute_complaint(tracking_number: str, body: Dispute) -> ComplaintOut:
    complaint = svc.get_complaint(tracking_number)
    row = limits.guarded(
        complaint.tracking_number,
        body.secret,
        lambda: svc.dispute_complaint(api_user(), complaint, body.reason or "", secret=body.secret),
    )
    return _out(row)
