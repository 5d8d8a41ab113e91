from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.i18n import lazy_gettext as _l
from consult.participation.services import MAX_COMMENT_CHARS, MAX_REASON_CHARS

STANCE_LABELS = {"support": _l("Support"), "oppose": _l("Oppose"), "neutral": _l("Neutral")}


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


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should the moderators look at this comment?"),
        description=_l("For example: insults, personal data, spam, off topic."),
    )
    max_chars = MAX_REASON_CHARS
