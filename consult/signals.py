"""What happened, announced by the feature it happened in; heard by the features built on top of it.

Shared module: it imports no feature. Imports run one way along the life of a consultation (accounts ←
agencies ← documents ← rounds ← participation ← moderation ← deliberation ← accountability ← monitoring ←
notifications); a lower feature never calls a higher one. It sends one of these signals instead, and the
higher feature connects a receiver when the app is built (create_app calls each feature's
`connect_signals()`). Receivers run synchronously, inside the sender's write transaction, so what they write
(an outbox row, a queue entry) commits or rolls back with the change itself. Receivers must not commit.

Each signal lists its sender (the object the signal is about) and keyword arguments.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# --- accounts -------------------------------------------------------------------------------------------------
account_mail = _signals.signal("account-mail")
"""sender: the mail's kind ("account_confirm", "password_reset", …); kwargs: to_addr, user (or None), links
{name: (endpoint, values)}, context. Asks for an e-mail about the account itself; notifications queues it.
consult.accounts.signals.send_account_mail sends it and fails loudly when nobody listens."""

site_words = _signals.signal("site-words")
"""sender: None; each receiver returns a list of words of this site (agency names and slugs) that passwords
and display names must not be: accounts asks, agencies answers."""

# --- documents -------------------------------------------------------------------------------------------------
version_published = _signals.signal("version-published")
"""sender: DocumentVersion, just published (version.published). Rounds bumps the revision of the document's
rounds: their pages say that a newer version exists."""

# --- agencies -------------------------------------------------------------------------------------------------
verification_decided = _signals.signal("verification-decided")
"""sender: VerificationRequest, just approved, refused or revoked; kwargs: decision ("approved" | "refused" |
"revoked"). Notifications e-mails the person."""

# --- rounds ----------------------------------------------------------------------------------------------------
round_opened = _signals.signal("round-opened")
"""sender: Round, recorded as opened by the scheduler (round.opened)."""
round_closing_soon = _signals.signal("round-closing-soon")
"""sender: Round, 48 hours before it closes (recorded once per closing time)."""
round_closed = _signals.signal("round-closed")
"""sender: Round, recorded as closed at its time by the scheduler, or closed early; kwargs: early (bool), reason
(the public reason of an early closing, else None)."""
round_reopened = _signals.signal("round-reopened")
"""sender: Round, a closed round reopened by extending it; kwargs: closes_at, reason (public)."""
round_extended = _signals.signal("round-extended")
"""sender: Round, an open round whose closing time moved later; kwargs: closes_before, closes_at, reason (public)."""

# --- participation --------------------------------------------------------------------------------------------
comment_posted = _signals.signal("comment-posted")
"""sender: Comment, just flushed; kwargs: user, round. Sent before the comment's audit entry."""
report_filed = _signals.signal("report-filed")
"""sender: Comment (locked); kwargs: report (flushed). Moderation queues it and may hide the comment."""
house_rules_in_force = _signals.signal("house-rules-in-force")
"""sender: an agency's id; each receiver returns a list of (number, title) of the agency's house rules in force,
in order: participation asks (a report names the rule the comment breaks), moderation answers."""

# --- moderation -----------------------------------------------------------------------------------------------
comment_hidden = _signals.signal("comment-hidden")
"""sender: Comment; kwargs: rule (text, "<number>. <title>" or the automatic wording), reason, occurrence
(the moderation log row's id: two decisions on one comment are two occurrences)."""
comment_restored = _signals.signal("comment-restored")
"""sender: Comment; kwargs: occurrence."""
report_escalated = _signals.signal("report-escalated")
"""sender: Report unhandled for 48 hours (recorded once); kwargs: comment, round, agency."""

# --- deliberation ---------------------------------------------------------------------------------------------
summary_published = _signals.signal("summary-published")
"""sender: Round whose deliberation summary was just published (summary.published); kwargs: summary (the Summary
row). Sent once per round, inside the publishing transaction. Notifications e-mails everyone who took part and
every follower, once each."""

version_adopted = _signals.signal("version-adopted")
"""sender: DocumentVersion just adopted as the charter in force (version.adopted); kwargs: revision (the Revision
row), round (the Round it answers), actor (the User). Sent once, inside the adoption transaction. Accountability
extracts the draft commitments of an adopted service standard; the adoption e-mails are queued by a scheduled
job (Revision.notified_at), not here."""

# --- accountability -------------------------------------------------------------------------------------------
complaint_changed = _signals.signal("complaint-changed")
"""sender: Complaint; kwargs: step ("received" | "answered" | "disputed" | "confirmed" | "overdue" |
"reminder"), event (the ComplaintEvent or None). Sent inside the transaction of the step. Notifications e-mails
the complainant on every step (and the agency's staff for "reminder" and "overdue")."""

comment_answers = _signals.signal("comment-answers")
"""sender: a round id; kwargs: comment_ids. Each receiver returns {comment_id: [answer, …]} with the agency's
published answers to those comments (participation asks for the comments a page shows, in one query;
deliberation answers, and only once the round's summary is published). An answer is a dict with theme_id,
theme_title, value, response, response_html and own (the comment's own answer, first)."""

summary_state = _signals.signal("summary-state")
"""sender: a round id; each receiver returns the state of the round's deliberation summary ("draft",
"published") or None when there is none: participation asks whether its round page links to the summary."""

adopted_version = _signals.signal("adopted-version")
"""sender: a round id; each receiver returns (document_id, version number, adopted_at) of the version adopted from
the round's consultation, or None: the round page links to it."""
