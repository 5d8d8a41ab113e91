"""The e-mail when the agency adopts the revised version made from a round: one per person who took part or
follows (the summary's recipients: consult.notifications.summary_mail.recipients), unless they turned e-mail off.

It says which sections changed and which themes each change answers, with a link to the word diff. Queued by the
scheduler (queue_adoption_mails) in batches, never inside the adoption's transaction; keyed
"adopted:<version>:<user>" so nobody gets two.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult.deliberation.models import Theme
from consult.deliberation.services import revisions
from consult.documents.models import DocumentVersion
from consult.extensions import db, write_transaction
from consult.notifications import mail
from consult.notifications.services import enqueue, recipient_of
from consult.notifications.summary_mail import BATCH, recipients
from consult.rounds.models import Round
from consult.timeutil import utcnow


def _changes(version: DocumentVersion) -> list[dict[str, Any]]:
    sections = [s for s in revisions.version_diff(version)["sections"] if s["change"] != "unchanged"]
    ids = {i for s in sections for i in s["theme_ids"]}
    titles = dict(db.session.execute(sa.select(Theme.id, Theme.title).where(Theme.id.in_(ids))).all()) if ids else {}
    return [
        {
            "title": s["title"],
            "change": s["change"],
            "themes": [titles[i] for i in s["theme_ids"] if i in titles],
            "reason": s["reason"],
        }
        for s in sections
    ]


def notify_adoption(version: DocumentVersion, rnd: Round, *, batch: int = BATCH) -> int:
    diff_url = mail.public_url("charter.version_changes", document_id=version.document_id, number=version.number)
    trace_url = mail.public_url("charter.traceability", round_id=rnd.id)
    changes = _changes(version)
    queued = 0
    people = recipients(rnd.id)
    for start in range(0, len(people), batch):
        with write_transaction():
            for user_id in people[start : start + batch]:
                recipient = recipient_of(user_id)
                if recipient is None:
                    continue
                user, locale = recipient
                queued += enqueue(
                    user,
                    locale,
                    "version_adopted",
                    f"adopted:{version.id}:{user_id}",
                    mail.round_scope(rnd.id),
                    round=rnd,
                    version=version,
                    document=version.document,
                    changes=changes,
                    diff_url=diff_url,
                    trace_url=trace_url,
                )
    return queued


def queue_adoption_mails(now: Any = None) -> dict[str, int]:
    """The scheduler's job: for every adopted revision whose e-mails are not queued yet, queue them, then record
    when (Revision.notified_at). Idempotent: the e-mails are keyed."""
    due = revisions.due_notifications()
    queued = 0
    for revision in due:
        version = db.session.get(DocumentVersion, revision.version_id)
        queued += notify_adoption(version, db.session.get(Round, revision.round_id))
        revisions.mark_notified(revision.version_id, utcnow())
    return {"adoptions": len(due), "queued": queued}
