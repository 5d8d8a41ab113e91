"""What deliberation answers for the features below it (consult/signals.py), connected when the app is built."""

from __future__ import annotations

from typing import Any

from consult import signals
from consult.deliberation.services.summary import DISPOSITION_LABELS, answers_for_comments, summary_row


def _on_comment_answers(round_id: int, *, comment_ids: list[int], **_extra: Any) -> dict[int, list[dict[str, Any]]]:
    """The published answers of the agency to these comments (one query), each with its label translated."""
    answers = answers_for_comments(round_id, comment_ids, published_only=True)
    for items in answers.values():
        for item in items:
            item["label"] = str(DISPOSITION_LABELS[item["value"]]) if item["value"] in DISPOSITION_LABELS else ""
    return answers


def _on_summary_state(round_id: int, **_extra: Any) -> str | None:
    row = summary_row(round_id)
    return row.state if row is not None else None


def _on_adopted_version(round_id: int, **_extra: Any) -> tuple[int, int, Any] | None:
    from consult.deliberation.services.revisions import adopted_from_round

    version = adopted_from_round(round_id)
    return (version.document_id, version.number, version.adopted_at) if version is not None else None


def connect_signals() -> None:
    signals.adopted_version.connect(_on_adopted_version)
    signals.comment_answers.connect(_on_comment_answers)
    signals.summary_state.connect(_on_summary_state)
