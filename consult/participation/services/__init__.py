"""Participation rules: who may take part in a round, and the comment, vote, stance and report actions.

Every write runs in one write transaction. Counters are updated by the delta of the change while the row
that holds them is locked (BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL), so concurrent
votes can neither create duplicates (UNIQUE constraints) nor lose an update. One module per concern; this
package's names are what the pages, the API, moderation and the tests use:

    rules.py     who may take part now (participation_refusal), the participant row and its pseudonym
    counts.py    the cached tallies and counts, moved by deltas under row locks
    comments.py  post, edit, withdraw
    votes.py     votes on comments, stances on sections
    reports.py   reports to the moderators (consult.signals.report_filed)
    assisted.py  comments agency staff enter on a citizen's behalf (counter, paper, phone, forum)
"""

from consult.participation.services.assisted import can_enter_assisted, enter_assisted_comment
from consult.participation.services.comments import (
    EDIT_WINDOW,
    MAX_COMMENT_CHARS,
    can_edit,
    can_withdraw,
    edit_comment,
    get_comment,
    post_comment,
    withdraw_comment,
)
from consult.participation.services.counts import move_visible_count
from consult.participation.services.reports import (
    MAX_REASON_CHARS,
    address_key,
    house_rules_of,
    my_reports,
    report_comment,
)
from consult.participation.services.rules import (
    PSEUDONYM_ALPHABET,
    UNCONFIRMED_MESSAGE,
    block_refusal,
    participation_refusal,
    require_participation,
    shows_name,
    staff_role,
    stance_refusal,
)
from consult.participation.services.votes import set_stance, vote

__all__ = [
    "EDIT_WINDOW",
    "MAX_COMMENT_CHARS",
    "MAX_REASON_CHARS",
    "PSEUDONYM_ALPHABET",
    "UNCONFIRMED_MESSAGE",
    "address_key",
    "block_refusal",
    "can_enter_assisted",
    "can_edit",
    "can_withdraw",
    "edit_comment",
    "enter_assisted_comment",
    "get_comment",
    "house_rules_of",
    "move_visible_count",
    "my_reports",
    "participation_refusal",
    "post_comment",
    "report_comment",
    "require_participation",
    "set_stance",
    "shows_name",
    "staff_role",
    "stance_refusal",
    "vote",
    "withdraw_comment",
]
