"""Models of the database as the API's answers (consult.api.schemas): what each field holds, written once."""

from __future__ import annotations

from typing import Any

from consult.accounts.models import User
from consult.api import schemas
from consult.audit import AuditEntry
from consult.moderation.models import ModerationAction
from consult.participation.models import Comment, CommentStatus, SectionStats
from consult.participation.queries import CommentPage
from consult.rounds.models import Round
from consult.timeutil import iso_utc


def agency(value: Any) -> schemas.Agency:
    return schemas.Agency(slug=value.slug, name=value.name)


def round_summary(rnd: Round) -> schemas.RoundSummary:
    return schemas.RoundSummary(**_summary_fields(rnd))


def _summary_fields(rnd: Round) -> dict[str, Any]:
    document = rnd.document
    return {
        "id": rnd.id,
        "title": rnd.title,
        "state": str(rnd.state),
        "opens_at": iso_utc(rnd.opens_at),
        "closes_at": iso_utc(rnd.effective_closes_at),
        "verified_only": rnd.verified_only,
        "closed_early_at": iso_utc(rnd.closed_at) if rnd.closed_at and rnd.closed_at < rnd.closes_at else None,
        "opened_at": iso_utc(rnd.opened_at),
        "origin": rnd.origin,
        "agency": agency(rnd.agency),
        "iap2_level": rnd.iap2_level,
        "document_id": rnd.document_id,
        "document": schemas.DocumentSummary(
            id=rnd.document_id, kind=document.kind, title=document.title, summary=document.summary
        ),
    }


def round_detail(rnd: Round) -> schemas.Round:
    version = rnd.version
    return schemas.Round(
        **_summary_fields(rnd),
        version=schemas.Version(id=version.id, number=version.number, published_at=iso_utc(version.published_at)),
        sections=[
            schemas.Section(
                id=s.id,
                key=s.key,
                position=s.position,
                level=s.level,
                title=s.title,
                body=s.body,
                body_html=s.body_html,
            )
            for s in version.sections
        ],
        changes=[
            schemas.RoundChange(
                kind=str(c.kind),
                at=iso_utc(c.for_time),
                reason=c.reason,
                closes_before=iso_utc(c.closes_before),
                closes_at=iso_utc(c.closes_after),
            )
            for c in rnd.public_changes
        ],
    )


def audit_entry(entry: AuditEntry) -> schemas.AuditEntry:
    return schemas.AuditEntry(**entry.as_dict())


def me(user: User) -> schemas.Me:
    return schemas.Me(
        id=user.id,
        name=user.name,
        verified=user.is_verified,
        admin=user.is_admin,
        observer=user.is_observer,
        agencies=[schemas.Membership(slug=m.agency.slug, role=m.role) for m in user.memberships],
    )


def comment_data(comment: Comment, model: type[schemas.Comment] = schemas.Comment, **extra: Any) -> Any:
    """One comment as the API shows it. The author is the public name (pseudonym or chosen name; the agency for
    its own voice), never the e-mail; a withdrawn or hidden comment keeps its place and its counts but not its
    text."""
    visible = comment.status == CommentStatus.VISIBLE
    return model(
        id=comment.id,
        round_id=comment.round_id,
        section_id=comment.section_id,
        parent_id=comment.parent_id,
        stance=comment.stance,
        status=str(comment.status),
        created_at=iso_utc(comment.created_at),
        edited_at=iso_utc(comment.edited_at),
        author=comment.author_name,
        author_kind="agency" if comment.is_official else "name" if comment.participant.show_name else "pseudonym",
        official=comment.is_official,
        official_role=comment.official_role,
        body=comment.body if visible else None,
        body_html=comment.body_html if visible else None,
        counts=schemas.Counts.model_validate(comment.counts),
        reply_count=comment.reply_count,
        moderation=_moderation(comment) if comment.status == CommentStatus.HIDDEN else None,
        channel=comment.channel,
        assisted_place=comment.assisted_place,
        assisted_on=comment.assisted_on.isoformat() if comment.assisted_on else None,
        **extra,
    )


def posted_comment(comment: Comment) -> schemas.PostedComment:
    return comment_data(comment, schemas.PostedComment, url=f"/comments/{comment.id}")


def _moderation(comment: Comment) -> schemas.Moderation:
    """Why a hidden comment is hidden: the house rule (its number, as a string, and title) and the reason; a
    comment hidden automatically after reports, pending review, has no rule yet."""
    rule = comment.moderation_rule
    return schemas.Moderation(
        rule=str(rule) if rule is not None else None,
        rule_title=comment.moderation_rule_title,
        reason=comment.moderation_reason,
        hidden_at=iso_utc(comment.hidden_at),
        automatic=rule is None and not comment.hidden_at_source,  # moderated out at its source (Polis): not ours
    )


def comment_page(page: CommentPage) -> schemas.CommentPage:
    return schemas.CommentPage(items=[comment_data(c) for c in page.items], next_cursor=page.next_cursor)


def vote_result(comment: Comment, value: int) -> schemas.VoteResult:
    return schemas.VoteResult(comment_id=comment.id, value=value, counts=schemas.Counts.model_validate(comment.counts))


def stance_result(rnd: Round, section_id: int, value: str, stats: SectionStats) -> schemas.StanceResult:
    tally = schemas.Tally(support=stats.support, oppose=stats.oppose, neutral=stats.neutral, comments=stats.comments)
    return schemas.StanceResult(round_id=rnd.id, section_id=section_id, value=value, tally=tally)


def moderation_entry(action: ModerationAction) -> schemas.ModerationEntry:
    """One row of the public moderation log: never a comment's text, an e-mail address or a name."""
    return schemas.ModerationEntry(
        id=action.id,
        action=action.action,
        comment_id=action.comment_id,
        round_id=action.round_id,
        agency=agency(action.agency),
        rule=str(action.rule_number) if action.rule_number is not None else None,
        rule_title=action.rule_title,
        reason=action.reason,
        moderator=action.moderator,
        participant=action.participant,
        until=iso_utc(action.until),
        created_at=iso_utc(action.created_at),
    )
