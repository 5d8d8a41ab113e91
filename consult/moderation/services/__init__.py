"""Moderation rules: house rules, hiding and restoring comments, dismissing reports, the auto-hide, appeals,
blocks. One module per concern; this package's names are the moderation API the views, the API and the
tests use.

Who may act: moderators and agency admins of the agency whose round holds the comment, and site admins
(`consult.agencies.services.can_moderate`); house rules and the auto-hide threshold are the agency admins'
(`can_manage_agency`). Every decision runs in one write transaction that changes the comment, handles its open
reports, appends a row to the public moderation log (moderation_actions) and an entry to the audit chain.
Neither ever holds the comment's text (the audit entry holds its SHA-256), an e-mail address or a name: the
moderator appears as a stable pseudonym per agency (Moderator-XXXXX), automatic actions as "sistem".

    common.py     who may moderate; the reason and the cited rule every decision takes
    log.py        the public log row and audit entry of a decision; the signal that tells the author
    decisions.py  hide, restore, dismiss (and the API's one call)
    queue.py      every report queues its comment; weighty reports hide it automatically
    appeals.py    the author's one appeal, decided by someone who did not hide the comment
    blocks.py     keeping a person out of an agency's rounds until a time
    rules.py      numbered house rules and the auto-hide threshold
"""

from consult import signals
from consult.moderation.services.appeals import (
    appeal_of,
    can_decide_appeal,
    decide_appeal,
    file_appeal,
    get_appeal,
    hid_it,
)
from consult.moderation.services.blocks import block_author, default_block_end, get_block, unblock
from consult.moderation.services.common import (
    MAX_APPEAL_CHARS,
    MAX_BLOCK_DAYS,
    MAX_REASON_CHARS,
    MAX_RULE_BODY_CHARS,
    MAX_RULE_TITLE_CHARS,
    MAX_THRESHOLD,
    MIN_APPEAL_CHARS,
    MIN_REASON_CHARS,
    can_moderate_comment,
    comment_agency,
    parse_rule_number,
)
from consult.moderation.services.decisions import API_ACTIONS, dismiss_reports, hide_comment, moderate, restore_comment
from consult.moderation.services.log import moderator_pseudonym
from consult.moderation.services.queue import (
    WEIGHT_MIN_ACCOUNT_AGE,
    WEIGHT_MIN_PARTICIPATION_AGE,
    on_report,
    open_report_count,
    reporter_carries_weight,
    weighty_report_count,
)
from consult.moderation.services.rules import (
    add_rule,
    get_rule,
    house_rules,
    retire_rule,
    rules_in_force,
    set_auto_hide_threshold,
    update_rule,
)


def connect_signals() -> None:
    """Hear participation's reports (create_app calls this): queue the comment, maybe hide it; and answer its
    question about an agency's house rules in force (a report names the rule a comment breaks)."""
    signals.report_filed.connect(on_report)
    signals.house_rules_in_force.connect(rules_in_force)


__all__ = [
    "API_ACTIONS",
    "MAX_APPEAL_CHARS",
    "MAX_BLOCK_DAYS",
    "MAX_REASON_CHARS",
    "MAX_RULE_BODY_CHARS",
    "MAX_RULE_TITLE_CHARS",
    "MAX_THRESHOLD",
    "MIN_APPEAL_CHARS",
    "MIN_REASON_CHARS",
    "WEIGHT_MIN_ACCOUNT_AGE",
    "WEIGHT_MIN_PARTICIPATION_AGE",
    "add_rule",
    "appeal_of",
    "block_author",
    "can_decide_appeal",
    "can_moderate_comment",
    "comment_agency",
    "connect_signals",
    "decide_appeal",
    "default_block_end",
    "dismiss_reports",
    "file_appeal",
    "get_appeal",
    "get_block",
    "get_rule",
    "hid_it",
    "hide_comment",
    "house_rules",
    "moderate",
    "moderator_pseudonym",
    "on_report",
    "open_report_count",
    "parse_rule_number",
    "reporter_carries_weight",
    "restore_comment",
    "retire_rule",
    "rules_in_force",
    "set_auto_hide_threshold",
    "unblock",
    "update_rule",
    "weighty_report_count",
]
