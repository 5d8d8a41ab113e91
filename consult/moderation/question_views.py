"""One moderation decision on its own page, with the observers' public questions about it and the agency's
answers: /moderasi/keputusan/<id>. Observers ask there; the agency's moderators and admins answer there. Plain
forms (no JavaScript needed), each POST redirecting back (consult.moderation.services.questions)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import TextAreaField

from consult.agencies.services import can_moderate
from consult.errors import ServiceError
from consult.extensions import db
from consult.forms import ActionForm
from consult.moderation import queries
from consult.moderation.models import ModerationQuestion
from consult.moderation.services import questions as service

bp = Blueprint("moderation_questions", __name__)


class QuestionForm(ActionForm):
    question = TextAreaField()


class AnswerForm(ActionForm):
    answer = TextAreaField()


def _page(action, ask_form=None, status: int = 200):
    user = current_user if current_user.is_authenticated else None
    return (
        render_template(
            "moderation/decision.html",
            a=action,
            questions=queries.questions_for([action.id]).get(action.id, []),
            can_ask=service.can_ask(user),
            can_answer=user is not None and can_moderate(user, action.agency),
            ask_form=ask_form or QuestionForm(),
            answer_form=AnswerForm(),
            limit=service.LIMIT,
        ),
        status,
    )


def _action(action_id: int):
    try:
        return service.get_action(action_id)
    except ServiceError:
        abort(404)


@bp.get("/moderasi/keputusan/<int:action_id>")
def decision(action_id: int):
    return _page(_action(action_id))


@bp.post("/moderasi/keputusan/<int:action_id>/tanya")
@login_required
def ask(action_id: int):
    action = _action(action_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.ask(current_user, action, form.question.data)
    except ServiceError as exc:
        flash(str(next(iter(exc.fields.values()), exc)), "error")
        return _page(action, form, exc.status)
    flash(_("Your question is public under the decision; the agency answers it here."), "success")
    return redirect(url_for(".decision", action_id=action.id), code=303)


@bp.post("/moderasi/pertanyaan/<int:question_id>/jawab")
@login_required
def answer(question_id: int):
    question = db.session.get(ModerationQuestion, question_id)
    if question is None:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.answer(current_user, question, form.answer.data)
    except ServiceError as exc:
        flash(str(next(iter(exc.fields.values()), exc)), "error")
        return _page(_action(question.action_id), status=exc.status)
    flash(_("Your answer is public in the moderation log."), "success")
    return redirect(url_for(".decision", action_id=question.action_id) + f"#tanya-{question.id}", code=303)
