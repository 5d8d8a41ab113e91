"""Moderation forms. Several may share a page (hide, dismiss and block under one comment; one form per house
rule), so each is built with its own prefix and the fields' ids stay unique on the page. The services check
every value; the forms only carry them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.i18n import lazy_gettext as _l
from consult.moderation.models import HouseRule
from consult.moderation.services import MAX_APPEAL_CHARS, MAX_REASON_CHARS, MAX_RULE_BODY_CHARS, MAX_RULE_TITLE_CHARS

OUTCOME_LABELS = {"upheld": _l("Uphold: show the comment again"), "rejected": _l("Reject: keep it hidden")}


def rule_choices(rules: list[HouseRule], *, optional: bool) -> list[SelectChoice]:
    first = SelectChoice("", _l("No particular rule") if optional else _l("Choose a rule"))
    return [first] + [SelectChoice(str(r.number), r.label) for r in rules]


class DecisionForm(FlaskForm):
    """Hide, restore or dismiss: the house rule cited and the public reason."""

    rule = SelectField(_l("House rule"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("Reason (public)"),
        description=_l("Shown in the comment's place and in the public moderation log. Do not quote the comment."),
    )
    max_chars = MAX_REASON_CHARS

    def __init__(self, rules: list[HouseRule], *, optional_rule: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.rule.choices = rule_choices(rules, optional=optional_rule)


class BlockForm(DecisionForm):
    until = DateTimeLocalField(_l("Blocked until"), format="%Y-%m-%dT%H:%M")


class AppealDecisionForm(DecisionForm):
    outcome = RadioField(
        _l("Decision"), choices=[SelectChoice(k, v) for k, v in OUTCOME_LABELS.items()], validate_choice=False
    )


class UnblockForm(FlaskForm):
    reason = TextAreaField(_l("Reason for ending the block early (public)"))
    max_chars = MAX_REASON_CHARS


class AppealForm(FlaskForm):
    body = TextAreaField(
        _l("Why should the comment be shown again?"),
        description=_l("Only the agency's moderators read your appeal. You can appeal once."),
    )
    max_chars = MAX_APPEAL_CHARS


class RuleForm(FlaskForm):
    title = StringField(_l("Rule"))
    body = TextAreaField(_l("Explanation (optional)"), description=_l("Plain text; *emphasis*, lists and links work."))
    max_title = MAX_RULE_TITLE_CHARS
    max_chars = MAX_RULE_BODY_CHARS


class ThresholdForm(FlaskForm):
    threshold = StringField(
        _l("Open reports that hide a comment automatically"),
        description=_l("The comment stays hidden, pending review, until a moderator decides on it."),
    )
