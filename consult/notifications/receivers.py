"""What notifications hears from the features below it (consult/signals.py), connected when the app is built."""

from __future__ import annotations

from typing import Any

from consult import signals
from consult.agencies.models import Agency, VerificationRequest
from consult.notifications import notices, services
from consult.participation.models import Comment, Report
from consult.rounds.models import Round


def _on_comment_posted(comment: Comment, **_extra: Any) -> None:
    """Follow the round for its author; tell the author of the comment answered."""
    services.follow_on_comment(comment)
    if comment.parent_id is not None:
        notices.notify_reply(comment)


def _on_comment_hidden(comment: Comment, *, rule: str, reason: str, occurrence: Any = None, **_extra: Any) -> None:
    notices.notify_comment_hidden(comment, rule, reason, occurrence=occurrence)


def _on_comment_restored(comment: Comment, *, occurrence: Any = None, **_extra: Any) -> None:
    notices.notify_comment_restored(comment, occurrence=occurrence)


def _on_round_opened(rnd: Round, **_extra: Any) -> int:
    return notices.notify_round_opened(rnd)


def _on_round_closing_soon(rnd: Round, **_extra: Any) -> int:
    return notices.notify_round_closing(rnd)


def _on_round_closed(rnd: Round, *, early: bool = False, reason: str | None = None, **_extra: Any) -> int:
    """Followers hear of an early closing (with its reason); a round closing at its time was announced 48 hours
    before."""
    return notices.notify_round_closed_early(rnd, reason or "") if early else 0


def _on_round_reopened(rnd: Round, *, reason: str = "", **_extra: Any) -> int:
    return notices.notify_round_extended(rnd, reason, reopened=True)


def _on_round_extended(rnd: Round, *, reason: str = "", **_extra: Any) -> int:
    return notices.notify_round_extended(rnd, reason, reopened=False)


def _on_report_escalated(report: Report, *, agency: Agency, **_extra: Any) -> int:
    """E-mail the agency's admins (site admins when it has none); how many were told."""
    return notices.notify_report_escalated(report, notices.agency_admins(agency.id))


def _on_verification_decided(row: VerificationRequest, *, decision: str, **_extra: Any) -> bool:
    return notices.notify_verification(row, decision)


def connect_signals() -> None:
    """Every notice notifications sends on what happened below it (create_app calls this)."""
    signals.account_mail.connect(services.on_account_mail)
    signals.comment_posted.connect(_on_comment_posted)
    signals.comment_hidden.connect(_on_comment_hidden)
    signals.comment_restored.connect(_on_comment_restored)
    signals.round_opened.connect(_on_round_opened)
    signals.round_closing_soon.connect(_on_round_closing_soon)
    signals.round_closed.connect(_on_round_closed)
    signals.round_reopened.connect(_on_round_reopened)
    signals.round_extended.connect(_on_round_extended)
    signals.report_escalated.connect(_on_report_escalated)
    signals.verification_decided.connect(_on_verification_decided)
    from consult.notifications import complaint_mail

    signals.complaint_changed.connect(complaint_mail.on_complaint_changed)
