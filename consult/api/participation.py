"""JSON API v1, participation: comments, replies, votes, section stances and reports.

The rules live in consult.participation.services (the web forms call the same functions); these views take the
parsed request (consult.api.spec), call one service and shape the answer. Writes take a bearer token and are
rate-limited per user (per address without a valid token), with the limits the operator configures.
"""

from __future__ import annotations

import datetime as dt

from consult.api import schemas, serializers
from consult.api.auth import api_user
from consult.api.bodies import NONBLANK, RequestModel, collapsed_at_least, flag, identifier, text, vote_value
from consult.api.spec import Query
from consult.api.views import COMMENT_OPERATIONS, api, links_to
from consult.errors import Invalid
from consult.extensions import client_address
from consult.i18n import lazy_gettext as _l
from consult.participation import models, queries, services
from consult.participation.services import MAX_COMMENT_CHARS, MAX_REASON_CHARS, assisted
from consult.participation.services.assisted import LATE_ENTRY_DAYS, MAX_PLACE_CHARS
from consult.rounds.services import get_round

MAX_PAGE = 100
REPORT_MIN_CHARS = 3  # consult.participation.services.report_comment refuses a shorter reason
STANCES = [str(s) for s in models.Stance]
COMMENT = ("COMMENT_LIMIT", "comment")  # posting, editing and withdrawing share one budget
WRITE = "Writes take the same services, permissions and rules as the web forms."

CommentText = text(
    minLength=1,
    maxLength=MAX_COMMENT_CHARS,
    pattern=NONBLANK,
    description="Markdown subset; not only whitespace",
)


class NewComment(RequestModel):
    documented_required = ("body",)
    body: CommentText = None
    section_id: identifier(nullable=True, description="a section of the round's document; omit for the whole") = None
    parent_id: identifier(nullable=True, description="reply to this comment (section and stance follow it)") = None
    stance: text(nullable=True, enum=[*STANCES, ""], description="empty or null: none") = None
    show_name: flag(description="show your name instead of your pseudonym") = None
    channel: text(
        nullable=True,
        enum=[str(c) for c in models.Channel] + [""],
        description="agency staff only: where a citizen gave this comment, entered on their behalf: counter, paper, "
        "phone or forum (a citizen gets 403); web, empty or absent: an ordinary comment",
    ) = None
    assisted_place: text(
        nullable=True,
        maxLength=MAX_PLACE_CHARS,
        description="with a non-web channel (required): where it was given (the office, the forum's place)",
    ) = None
    assisted_on: text(
        nullable=True,
        format="date",
        description="with a non-web channel (required): the day it was given, YYYY-MM-DD (the agency's local "
        "date; not in the future; within the round's period)",
    ) = None
    assisted_name: text(
        nullable=True,
        maxLength=120,
        description="with a non-web channel: the citizen's name, shown instead of a pseudonym; absent: anonymous",
    ) = None


class CommentEdit(RequestModel):
    documented_required = ("body",)
    body: CommentText = None


class Vote(RequestModel):
    value: vote_value(description="1 agree, -1 disagree, 0 pass")


class Stance(RequestModel):
    round_id: identifier(required=True, description="the round in which the stance is taken")
    value: text(required=True, enum=STANCES)


class NewReport(RequestModel):
    reason: text(
        nullable=True,
        minLength=REPORT_MIN_CHARS,
        maxLength=MAX_REASON_CHARS,
        pattern=collapsed_at_least(REPORT_MIN_CHARS),
        description=f"at least {REPORT_MIN_CHARS} characters once runs of spaces count as one; required unless "
        "`rule` names a house rule",
    ) = None
    rule: identifier(
        nullable=True,
        description="the number of the agency's house rule (in force) the comment breaks; null or absent: other "
        "(then `reason` says what)",
    ) = None


def _date(value: str | None) -> object:
    """An ISO date (YYYY-MM-DD), or the text itself when it is none (the service names the field)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else value
    except ValueError:
        return value


# --- reads --------------------------------------------------------------------------------------------------

CURSOR = Query.text("cursor", "Opaque cursor from the previous page's next_cursor.")
LIMIT = Query.int_arg("limit", queries.PAGE_SIZE, maximum=MAX_PAGE)


@api.get(
    "/rounds/{round_id}/comments",
    summary="Top-level comments of a round, newest or most agreed first",
    description="Withdrawn and hidden comments keep their place, with their status and no text.",
    query=[
        CURSOR,
        Query.id_arg("section_id", "Only the comments on this section."),
        Query.text("order", "new (the default) or agreed", {"enum": ["new", "agreed", ""]}),
        LIMIT,
    ],
    ok=schemas.CommentPage,
    errors=[404],
    links=links_to(COMMENT_OPERATIONS, "/items/0/id"),
)
def list_comments(
    round_id: int, cursor: str | None, section_id: int | None, order: str | None, limit: int
) -> schemas.CommentPage:
    rnd = get_round(round_id)
    page = queries.comments_page(rnd.id, section_id=section_id, order=order or "new", cursor=cursor, limit=limit)
    return serializers.comment_page(page)


@api.get("/comments/{comment_id}", summary="One comment", ok=schemas.Comment, errors=[404])
def get_comment(comment_id: int) -> schemas.Comment:
    return serializers.comment_data(services.get_comment(comment_id))


@api.get(
    "/comments/{comment_id}/replies",
    summary="Replies to a comment, oldest first",
    query=[CURSOR, LIMIT],
    ok=schemas.CommentPage,
    errors=[404],
)
def list_replies(comment_id: int, cursor: str | None, limit: int) -> schemas.CommentPage:
    comment = services.get_comment(comment_id)
    return serializers.comment_page(queries.replies_page(comment.id, cursor=cursor, limit=limit))


# --- writes -------------------------------------------------------------------------------------------------


@api.post(
    "/rounds/{round_id}/comments",
    summary="Post a comment, or a reply with parent_id; staff: enter a citizen's comment with channel",
    description="409 when the round is not open; 403 when it is for verified citizens only. With a `channel` "
    "other than web, the agency's staff enter a comment a citizen gave at a counter, on paper, by phone or at a "
    "forum (403 for anyone else), with `assisted_place` and `assisted_on`; accepted while the round is open, and "
    f"for {LATE_ENTRY_DAYS} days after it closed when `assisted_on` lies within it; such entries have the "
    "staff's own rate limit. " + WRITE,
    auth=True,
    limit=COMMENT,
    body=NewComment,
    ok=(201, schemas.PostedComment),
    errors=[403, 404, 409],
    links=links_to(COMMENT_OPERATIONS, "/id"),
    idempotent=True,
    assisted_limit=True,
)
def post_comment(round_id: int, body: NewComment) -> schemas.PostedComment:
    rnd = get_round(round_id)
    if body.channel not in (None, "", "web"):
        if body.parent_id is not None:
            raise Invalid(fields={"parent_id": _l("A comment entered on a citizen's behalf is not a reply.")})
        comment = assisted.enter_assisted_comment(
            api_user(),
            rnd,
            body.body or "",
            channel=body.channel,
            assisted_on=_date(body.assisted_on),
            assisted_place=body.assisted_place,
            citizen_name=body.assisted_name,
            section_id=body.section_id,
            stance=body.stance,
        )
        return serializers.posted_comment(comment)
    # without a channel the assisted_* fields mean nothing and are ignored, as every unknown property is
    comment = services.post_comment(
        api_user(),
        rnd,
        body.body or "",
        section_id=body.section_id,
        parent_id=body.parent_id,
        stance=body.stance,
        show_name=body.show_name,
    )
    return serializers.posted_comment(comment)


@api.patch(
    "/comments/{comment_id}",
    summary="Edit one's own comment within 15 minutes of posting it",
    auth=True,
    limit=COMMENT,
    body=CommentEdit,
    ok=schemas.Comment,
    errors=[403, 404, 409],
)
def edit_comment(comment_id: int, body: CommentEdit) -> schemas.Comment:
    comment = services.edit_comment(api_user(), services.get_comment(comment_id), body.body or "")
    return serializers.comment_data(comment)


@api.post(
    "/comments/{comment_id}/withdraw",
    summary="Withdraw one's own comment (its place stays, its text goes)",
    auth=True,
    limit=COMMENT,
    ok=schemas.Comment,
    errors=[403, 404, 409],
)
def withdraw_comment(comment_id: int) -> schemas.Comment:
    return serializers.comment_data(services.withdraw_comment(api_user(), services.get_comment(comment_id)))


@api.put(
    "/comments/{comment_id}/vote",
    summary="Agree (1), disagree (-1) or pass (0) on someone else's comment; repeating it changes nothing",
    auth=True,
    limit=("VOTE_LIMIT", "vote"),
    body=Vote,
    ok=schemas.VoteResult,
    errors=[403, 404, 409],
)
def vote(comment_id: int, body: Vote) -> schemas.VoteResult:
    comment = services.vote(api_user(), services.get_comment(comment_id), body.value)
    return serializers.vote_result(comment, body.value)


@api.put(
    "/sections/{section_id}/stance",
    summary="Take or change one's stance on a section in a round",
    auth=True,
    limit=("STANCE_LIMIT", "stance"),
    body=Stance,
    ok=schemas.StanceResult,
    errors=[403, 404, 409],
)
def set_stance(section_id: int, body: Stance) -> schemas.StanceResult:
    rnd = get_round(body.round_id)
    stats = services.set_stance(api_user(), rnd, section_id, body.value)
    return serializers.stance_result(rnd, section_id, body.value, stats)


@api.post(
    "/comments/{comment_id}/reports",
    summary="Report someone else's comment to the moderators (once per person and comment)",
    description='Name the house rule it breaks (`rule`), or give a `reason` ("other"), or both. 409 for a second '
    "report of the same comment. Allowed after the round closed.",
    auth=True,
    limit=("REPORT_LIMIT", "report"),
    body=NewReport,
    ok=(201, schemas.ReportResult),
    errors=[403, 404, 409],
    idempotent=True,
)
def report_comment(comment_id: int, body: NewReport) -> schemas.ReportResult:
    comment = services.get_comment(comment_id)
    report = services.report_comment(api_user(), comment, body.reason, rule=body.rule, address=client_address())
    return schemas.ReportResult(id=report.id, comment_id=comment.id)
