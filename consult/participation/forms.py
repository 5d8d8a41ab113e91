from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.i18n import lazy_gettext as _l
from consult.participation.services import MAX_COMMENT_CHARS, MAX_REASON_CHARS

STANCE_LABELS = {"support": _l("Support"), "oppose": _l("Oppose"), "neutral": _l("Neutral")}
# Where a comment entered by staff was given: the choice on the entry form, and the start of its mark on pages
CHANNEL_LABELS = {
    "counter": _l("At a service counter"),
    "paper": _l("On paper"),
    "phone": _l("By phone"),
    "forum": _l("At a public forum"),
}
CHANNEL_MARKS = {
    "counter": _l("Given at a service counter"),
    "paper": _l("Given on paper"),
    "phone": _l("Given by phone"),
    "forum": _l("Given at a public forum"),
}


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"), description=_l("Plain text. *emphasis*, lists, > quotes and links work; no images or HTML.")
    )
    section_id = SelectField(_l("About"), choices=[], validate_choice=False)
    stance = RadioField(
        _l("Your stance (optional)"),
        validate_choice=False,
        choices=[SelectChoice("", _l("No stance"))] + [SelectChoice(k, v) for k, v in STANCE_LABELS.items()],
        default="",
    )
    show_name = BooleanField(_l("Show my name instead of a pseudonym in this consultation"))
    parent_id = HiddenField()
    max_chars = MAX_COMMENT_CHARS


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"))
    parent_id = HiddenField()
    max_chars = MAX_COMMENT_CHARS


class EditForm(FlaskForm):
    body = TextAreaField(_l("Your comment"))
    max_chars = MAX_COMMENT_CHARS


OTHER_RULE = "lain"  # the report form's "Other": no house rule named, the reason says what is wrong


class ReportForm(FlaskForm):
    """A report names the agency's house rule the comment breaks, or "Other" with a reason (rules: the agency's in
    force, as (number, title), from consult.participation.services.house_rules_of)."""

    rule = RadioField(_l("Which house rule does this comment break?"), choices=[], validate_choice=False)
    reason = TextAreaField(
        _l("What is wrong with it?"),
        description=_l("Required for “Other”; optional when you chose a rule. Your report is not shown publicly."),
    )
    max_chars = MAX_REASON_CHARS

    def __init__(self, rules: list[tuple[int, str]], **kwargs):
        super().__init__(**kwargs)
        self.rule.choices = [SelectChoice(str(number), f"{number}. {title}") for number, title in rules] + [
            SelectChoice(OTHER_RULE, _l("Other"))
        ]

    def chosen_rule(self) -> int | None:
        value = (self.rule.data or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 4 else None

    def given_reason(self) -> str | None:
        return (self.reason.data or "").strip() or None


class AssistedForm(FlaskForm):
    """A comment a citizen gave outside the web, entered by agency staff (participation.services.assisted): the
    service checks every value; the form only carries them."""

    channel = RadioField(
        _l("Where was it given?"),
        choices=[SelectChoice(k, v) for k, v in CHANNEL_LABELS.items()],
        validate_choice=False,
    )
    assisted_place = StringField(_l("Place"), description=_l("The office of the counter, or where the forum was held."))
    assisted_on = DateField(
        _l("Date"), description=_l("The forum's date, or the day the counter, the letter or the call received it.")
    )
    assisted_name = StringField(
        _l("The citizen's name (optional)"),
        description=_l("Only if they want it shown. Leave it empty and the comment is anonymous, under a pseudonym."),
    )
    section_id = SelectField(_l("About"), choices=[], validate_choice=False)
    stance = RadioField(
        _l("Their stance (optional)"),
        validate_choice=False,
        choices=[SelectChoice("", _l("No stance"))] + [SelectChoice(k, v) for k, v in STANCE_LABELS.items()],
        default="",
    )
    body = TextAreaField(_l("Their comment"), description=_l("As the citizen gave it. Plain text, as on the web."))
    max_chars = MAX_COMMENT_CHARS
