"""What notifications hears from the features below it (consult/signals.py), connected when the app is built."""

from __future__ import annotations

from typing import Any

from consult import signals
from consult.notifications import services
from consult.participation.models import Comment


def _on_comment_hidden(comment: Comment, *, rule: str, reason: str, occurrence: Any = None, **_extra: Any) -> None:
    services.notify_comment_hidden(comment, rule, reason, occurrence=occurrence)


def _on_comment_restored(comment: Comment, *, occurrence: Any = None, **_extra: Any) -> None:
    services.notify_comment_restored(comment, occurrence=occurrence)


def connect_signals() -> None:
    """Follow-on-comment and reply notices, and the author's notices of moderation decisions (create_app)."""
    signals.comment_posted.connect(services.on_comment_posted)
    signals.comment_hidden.connect(_on_comment_hidden)
    signals.comment_restored.connect(_on_comment_restored)
