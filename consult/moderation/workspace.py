"""The moderation workspace (/kelola/<slug>/…): the queue, one comment's review with its decisions, appeals and
blocks (moderators and agency admins of the agency, and site admins), and the house rules editor (agency
admins). Every form is a plain POST answered with 303; errors come back next to their fields (422).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.agencies.workspace import managers_only, owned, workspace_blueprint
from consult.errors import Invalid, ServiceError
from consult.extensions import db
from consult.forms import ActionForm, apply_errors
from consult.moderation import queries, services
from consult.moderation.forms import (
    OUTCOME_LABELS,
    AppealDecisionForm,
    BlockForm,
    DecisionForm,
    RuleForm,
    ThresholdForm,
    UnblockForm,
)
from consult.moderation.models import HouseRule
from consult.moderation.views import page_of
from consult.params import id_arg
from consult.participation import services as participation
from consult.participation.forms import STANCE_LABELS
from consult.participation.models import Block, Comment, Report
from consult.rounds.services import get_round
from consult.timeutil import local, to_utc_naive
from consult.web import mark_no_store

admin = workspace_blueprint("moderation_admin", __name__)
# Every page of the moderation workspace shows hidden comments' text, report reasons or appeals: no copy may stay in
# a cache (a shared computer's browser included) once the moderator has left.
admin.after_request(mark_no_store)


def _comment(comment_id: int) -> Comment:
    comment = participation.get_comment(comment_id)
    return owned(comment, get_round(comment.round_id).agency_id)


@admin.get("/moderasi")
def queue():
    """The queue: comments with open reports (of every round, or of one: ?putaran=ID), or every new comment of
    one round, reported or not (?putaran=ID&tampil=semua), so moderators can read a round as it comes in."""
    try:
        round_id = id_arg("putaran")
    except Invalid:
        abort(400)
    rnd = owned(get_round(round_id)) if round_id is not None else None
    show_all = request.args.get("tampil") == "semua" and rnd is not None
    if show_all:
        page = page_of(queries.new_comments_page, rnd.id)
    else:
        page = page_of(queries.queue_page, g.agency.id, round_id=rnd.id if rnd else None)
    return render_template(
        "moderation/queue.html",
        agency=g.agency,
        page=page,
        round=rnd,
        show_all=show_all,
        asked_all=request.args.get("tampil") == "semua",
        rounds=queries.agency_rounds(g.agency.id),
        queued=queries.queue_size(g.agency.id),
        appeals=queries.pending_appeal_count(g.agency.id),
        stance_labels=STANCE_LABELS,
    )


def _decision_forms(rules, comment: Comment, **bound) -> dict:
    """The forms of the review page; `bound` replaces one of them by the form as sent (with its errors)."""
    tz = g.agency.timezone
    block = BlockForm(rules, optional_rule=True, prefix="block", formdata=None)
    block.until.data = local(services.default_block_end(), tz).replace(tzinfo=None, second=0, microsecond=0)
    forms = {
        "hide": DecisionForm(rules, prefix="hide", formdata=None),
        "restore": DecisionForm(rules, prefix="restore", formdata=None),
        "dismiss": DecisionForm(rules, optional_rule=True, prefix="dismiss", formdata=None),
        "block": block,
    }
    forms.update(bound)
    return forms


def render_review(comment: Comment, status: int = 200, **bound):
    rnd = get_round(comment.round_id)
    rules = services.house_rules(g.agency.id)
    reports = list(
        db.session.scalars(
            sa.select(Report)
            .where(Report.comment_id == comment.id, Report.handled_at.is_(None))
            .order_by(Report.id)
            .limit(50)
        )
    )
    section = next((s for s in rnd.version.sections if s.id == comment.section_id), None)
    return render_template(
        "moderation/review.html",
        agency=g.agency,
        comment=comment,
        round=rnd,
        section=section,
        reports=reports,
        open_reports=services.open_report_count(comment.id),
        actions=queries.comment_actions(comment.id),
        appeal=services.appeal_of(comment.id),
        block=Block.active_for(comment.author_id, g.agency.id),
        forms=_decision_forms(rules, comment, **bound),
        stance_labels=STANCE_LABELS,
    ), status


@admin.get("/moderasi/komentar/<int:comment_id>")
def review(comment_id: int):
    return render_review(_comment(comment_id))


def _decide(comment_id: int, name: str, call, done: str, optional_rule: bool = False):
    comment = _comment(comment_id)
    form = DecisionForm(services.house_rules(g.agency.id), optional_rule=optional_rule, prefix=name)
    if not form.validate_on_submit():
        abort(400)
    try:
        call(form, comment)
    except Invalid as exc:
        apply_errors(form, exc)
        return render_review(comment, 422, **{name: form})
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for(".review", comment_id=comment.id), code=303)
    flash(done, "success")
    return redirect(url_for(".queue"), code=303)


@admin.post("/moderasi/komentar/<int:comment_id>/sembunyikan")
def hide(comment_id: int):
    return _decide(
        comment_id,
        "hide",
        lambda f, c: services.hide_comment(current_user, c, f.rule.data, f.reason.data or ""),
        _("The comment is hidden. The decision is in the public moderation log."),
    )


@admin.post("/moderasi/komentar/<int:comment_id>/pulihkan")
def restore(comment_id: int):
    return _decide(
        comment_id,
        "restore",
        lambda f, c: services.restore_comment(current_user, c, f.rule.data, f.reason.data or ""),
        _("The comment is shown again. The decision is in the public moderation log."),
    )


@admin.post("/moderasi/komentar/<int:comment_id>/abaikan")
def dismiss(comment_id: int):
    return _decide(
        comment_id,
        "dismiss",
        lambda f, c: services.dismiss_reports(current_user, c, f.reason.data or "", f.rule.data),
        _("The reports are dismissed; the comment stays visible."),
        optional_rule=True,
    )


@admin.post("/moderasi/komentar/<int:comment_id>/blokir")
def block(comment_id: int):
    comment = _comment(comment_id)
    form = BlockForm(services.house_rules(g.agency.id), optional_rule=True, prefix="block")
    form.validate()
    until = to_utc_naive(form.until.data, g.agency.timezone) if form.until.data else None
    form.until.errors = []  # the service says what is wrong with the time, once
    try:
        services.block_author(current_user, comment, until, form.reason.data or "", form.rule.data)
    except Invalid as exc:
        apply_errors(form, exc)
        return render_review(comment, 422, block=form)
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for(".review", comment_id=comment.id), code=303)
    flash(_("The author is blocked from this agency's consultations. The block is in the public log."), "success")
    return redirect(url_for(".blocks"), code=303)


@admin.get("/moderasi/banding")
def appeals():
    return render_template(
        "moderation/appeals.html", agency=g.agency, page=page_of(queries.pending_appeals, g.agency.id)
    )


@admin.route("/moderasi/banding/<int:appeal_id>", methods=["GET", "POST"])
def decide_appeal(appeal_id: int):
    appeal = owned(services.get_appeal(appeal_id))
    comment = participation.get_comment(appeal.comment_id)
    rules = services.house_rules(g.agency.id)
    form = AppealDecisionForm(rules, optional_rule=True)
    status = 200
    if form.validate_on_submit():
        try:
            services.decide_appeal(
                current_user, appeal, form.outcome.data or "", form.reason.data or "", form.rule.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        except ServiceError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for(".appeals"), code=303)
        else:
            flash(_("The appeal is decided. The decision is in the public moderation log."), "success")
            return redirect(url_for(".appeals"), code=303)
    return render_template(
        "moderation/appeal_decide.html",
        agency=g.agency,
        appeal=appeal,
        comment=comment,
        round=get_round(comment.round_id),
        actions=queries.comment_actions(comment.id),
        form=form,
        may_decide=appeal.is_pending and services.can_decide_appeal(current_user, appeal),
        outcome_labels=OUTCOME_LABELS,
        stance_labels=STANCE_LABELS,
    ), status


@admin.get("/moderasi/blokir")
def blocks():
    return render_template(
        "moderation/blocks.html",
        agency=g.agency,
        page=page_of(queries.active_blocks, g.agency.id),
        form_for=lambda b: UnblockForm(prefix=f"unblock-{b.id}", formdata=None),
    )


@admin.post("/moderasi/blokir/<int:block_id>/cabut")
def unblock(block_id: int):
    found = owned(services.get_block(block_id))
    form = UnblockForm(prefix=f"unblock-{found.id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        services.unblock(current_user, found, form.reason.data or "")
    except Invalid as exc:
        apply_errors(form, exc)
        return render_template(
            "moderation/blocks.html",
            agency=g.agency,
            page=page_of(queries.active_blocks, g.agency.id),
            form_for=lambda b: form if b.id == found.id else UnblockForm(prefix=f"unblock-{b.id}", formdata=None),
            open_block=found.id,
        ), 422
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("The block is lifted."), "success")
    return redirect(url_for(".blocks"), code=303)


# --- house rules (agency admins) --------------------------------------------------------------------------------


def render_rules_editor(status: int = 200, **bound):
    rules = services.house_rules(g.agency.id, include_retired=True)
    forms = {
        r.id: RuleForm(prefix=f"rule-{r.id}", formdata=None, title=r.title, body=r.body)
        for r in rules
        if r.retired_at is None
    }
    forms.update(bound.pop("rule_forms", {}))
    threshold = bound.pop("threshold_form", None) or ThresholdForm(
        formdata=None, threshold=str(g.agency.auto_hide_threshold)
    )
    return render_template(
        "moderation/rules_edit.html",
        agency=g.agency,
        rules=rules,
        forms=forms,
        new_form=bound.pop("new_form", None) or RuleForm(prefix="new", formdata=None),
        threshold_form=threshold,
    ), status


@admin.get("/aturan")
@managers_only
def rules_editor():
    return render_rules_editor()


@admin.post("/aturan")
@managers_only
def add_rule():
    form = RuleForm(prefix="new")
    if not form.validate_on_submit():
        abort(400)
    try:
        rule = services.add_rule(current_user, g.agency, form.title.data or "", form.body.data or "")
    except Invalid as exc:
        apply_errors(form, exc)
        return render_rules_editor(422, new_form=form)
    flash(_("Rule %(n)s is added.", n=rule.number), "success")
    return redirect(url_for(".rules_editor"), code=303)


def _rule(rule_id: int) -> HouseRule:
    return owned(services.get_rule(rule_id))


@admin.post("/aturan/<int:rule_id>")
@managers_only
def update_rule(rule_id: int):
    rule = _rule(rule_id)
    form = RuleForm(prefix=f"rule-{rule.id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        services.update_rule(current_user, rule, form.title.data or "", form.body.data or "")
    except Invalid as exc:
        apply_errors(form, exc)
        return render_rules_editor(422, rule_forms={rule.id: form})
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Rule %(n)s is saved.", n=rule.number), "success")
    return redirect(url_for(".rules_editor"), code=303)


@admin.post("/aturan/<int:rule_id>/cabut")
@managers_only
def retire_rule(rule_id: int):
    rule = _rule(rule_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.retire_rule(current_user, rule)
    except ServiceError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("Rule %(n)s is retired; its number will not be used again.", n=rule.number), "info")
    return redirect(url_for(".rules_editor"), code=303)


@admin.post("/aturan/ambang")
@managers_only
def set_threshold():
    form = ThresholdForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_auto_hide_threshold(current_user, g.agency, form.threshold.data or "")
    except Invalid as exc:
        apply_errors(form, exc)
        return render_rules_editor(422, threshold_form=form)
    flash(_("The setting is saved."), "success")
    return redirect(url_for(".rules_editor"), code=303)
