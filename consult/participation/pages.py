"""What the participation pages share: the blueprint, the context every comment template needs, and the two
pages that forms come back to when refused (the round page and a comment's page)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, current_app, g, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import signals
from consult.agencies.services import can_manage_agency, can_moderate
from consult.documents.published import published_version
from consult.errors import Invalid
from consult.forms import ActionForm
from consult.params import id_arg, id_field
from consult.participation import queries, services
from consult.participation.forms import STANCE_LABELS, CommentForm, ReplyForm
from consult.participation.models import Comment
from consult.rounds.models import Round, RoundState
from consult.rounds.services import get_round

bp = Blueprint("participation", __name__)


def fragment(template: str, status: int = 200, retarget: str | None = None, **context):
    response = current_app.make_response((render_template(template, **context), status))
    if retarget:
        response.headers["HX-Retarget"] = retarget
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def form_place() -> int | None:
    """The section under which a posted comment form was opened in place (its fields carry "s<id>-"), or None."""
    return id_field("place") if request.method == "POST" else None


def comment_form(rnd: Round, *, fresh: bool = False, place: int | None = None, section: int | None = None):
    """The new-comment form: bound to what was posted, or `fresh` (empty) after a successful post, about
    `section` (after a post: the section it was about; on a page: ?tulis= or the list's ?bagian=). A form opened
    in place under a section (`place`) has its own field ids."""
    prefix = f"s{place}-" if place else ""
    form = CommentForm(formdata=None, prefix=prefix) if fresh else CommentForm(prefix=prefix)
    form.section_id.choices = [("", _("The whole document"))] + [(str(s.id), s.title) for s in sections_of(rnd)]
    if request.method == "GET" or fresh:
        if request.method == "GET" and section is None:
            section = id_arg("tulis") or id_arg("bagian")
        form.section_id.data = str(section) if section else ""
        form.show_name.data = services.shows_name(current_user, rnd.id)
    return form


def list_args() -> tuple[int | None, str, str | None]:
    order = "agreed" if request.args.get("urut") == "setuju" else "new"
    return id_arg("bagian"), order, request.args.get("cursor") or None


@bp.app_context_processor
def _comment_root() -> dict:
    """'/comments/': comment links are this plus the id (and a suffix), built once per page, not per link."""
    return {"comment_root": url_for("participation.comment_page", comment_id=1)[:-1]}


def version_of(rnd: Round):
    """The round's document version: a round's version is published, so from memory after a first read."""
    return published_version(rnd.version_id) or rnd.version


def sections_of(rnd: Round):
    return version_of(rnd).sections


def comment_context(items: list[Comment], rnd: Round) -> dict:
    """What every comment template needs: the viewer's votes on these comments, which of them they reported,
    whether they speak for the round's agency (its staff: no stance, no votes, their comments are official)
    and whether they moderate it (a "hide" control on each comment), and shared helpers.

    The viewer and the page's own address are resolved once here: templates that read `current_user` or
    `request` go through a context-local proxy on every access, which cost a tenth of the round page. For an
    anonymous reader none of this runs a query (their page is cached and shared).
    """
    viewer = current_user._get_current_object()
    ids = [c.id for c in items]
    return {
        "my_votes": queries.votes_of(viewer, ids),
        "my_reports": services.my_reports(viewer, ids),
        "speaking_as": services.staff_role(viewer, rnd.agency_id),
        "moderates": can_moderate(viewer, rnd.agency),
        "stance_labels": {key: str(label) for key, label in STANCE_LABELS.items()},  # translated once, not per use
        "vote_labels": {1: _("Agree"), -1: _("Disagree"), 0: _("Pass")},
        "action_form": ActionForm(),
        "can_edit": services.can_edit,
        "viewer": viewer,
        "back_path": request.full_path.rstrip("?") if request.method == "GET" else None,
        "fragment_load": request.args.get("fragment") == "komentar",
        "flash_target": flash_target(items),
        "answers": agency_answers(rnd, ids),
    }


def agency_answers(rnd: Round, ids: list[int]) -> dict[int, list[dict]]:
    """The agency's published answers to these comments ("you said, we did"), asked of deliberation through
    signals.comment_answers: one query, and none while the round is not closed (no summary can be published)."""
    if not ids or rnd.state != RoundState.CLOSED:
        return {}
    answers: dict[int, list[dict]] = {}
    for _receiver, result in signals.comment_answers.send(rnd.id, comment_ids=ids):
        answers.update(result or {})
    return answers


# Where a confirmation is shown after a post without JavaScript: ?baru=<comment id> on that comment (#c<id>),
# ?sikap=<section id> on that section's stance tally (#sikap-<id>), where the redirect's #fragment lands.
CONFIRM_PARAMS = ("baru", "sikap")


def flash_target(items: list[Comment], sections=()) -> str | None:
    """The id of the element that shows this page's messages itself (see CONFIRM_PARAMS), instead of the top of
    the page: only when it is on this page and there is a message to show (a shared link shows nothing)."""
    if request.method != "GET" or not session.get("_flashes"):
        return None
    comment, section = id_arg("baru"), id_arg("sikap")
    if comment is not None and any(c.id == comment for c in items):
        return f"c{comment}"
    if section is not None and any(s.id == section for s in sections):
        return f"sikap-{section}"
    return None


def confirm_at(path: str, **target: int) -> str:
    """A local address (with its query and #fragment) with the confirmation parameter `target` (one of
    CONFIRM_PARAMS) instead of any it had: the page it names shows the next message there."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in CONFIRM_PARAMS]
    query += [(k, str(v)) for k, v in target.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def render_round(rnd: Round, form: CommentForm | None = None, status: int = 200, form_error: str | None = None):
    section_id, order, cursor = list_args()
    try:
        page = queries.comments_page(rnd.id, section_id=section_id, order=order, cursor=cursor)
    except Invalid:
        abort(400)
    context = comment_context(page.items, rnd)
    version = version_of(rnd)
    if g.htmx and request.method == "GET" and request.args.get("fragment") == "komentar":
        return render_template(
            "participation/_comment_page.html",
            round=rnd,
            page=page,
            order=order,
            section_id=section_id,
            section_titles={s.id: s.title for s in version.sections},
            refusal=services.participation_refusal(current_user, rnd),
            **context,
        )
    sections = version.sections
    context["flash_target"] = flash_target(page.items, sections)
    return render_template(
        "participation/round.html",
        round=rnd,
        round_url=url_for("participation.round_page", round_id=rnd.id),
        version=version,
        document=rnd.document,
        sections=sections,
        section_titles={s.id: s.title for s in sections},
        stats=queries.section_stats(rnd.id),
        my_stances=queries.stances_of(current_user, rnd.id),
        page=page,
        order=order,
        section_id=section_id,
        form=form or comment_form(rnd),
        form_error=form_error,
        refusal=services.participation_refusal(current_user, rnd),
        can_manage=can_manage_agency(current_user, rnd.agency),
        summary_link=summary_link(rnd, context["moderates"]),
        adopted=adopted_version(rnd),
        **context,
    ), status


def summary_link(rnd: Round, staff: bool) -> bool:
    """Whether the round page links to its deliberation summary: once published, and for the agency's staff
    (who see the draft) as soon as the round is closed. Deliberation answers through signals.summary_state."""
    if rnd.state != RoundState.CLOSED:
        return False
    if staff:
        return True
    return any(state == "published" for _receiver, state in signals.summary_state.send(rnd.id))


def adopted_version(rnd: Round) -> tuple[int, int, Any] | None:
    """(document_id, number, adopted_at) of the version adopted from this closed round, or None (deliberation
    answers through signals.adopted_version)."""
    if rnd.state != RoundState.CLOSED:
        return None
    return next((found for _receiver, found in signals.adopted_version.send(rnd.id) if found), None)


def reply_form_for(parent_id: int) -> ReplyForm:
    form = ReplyForm(formdata=None)
    form.parent_id.data = str(parent_id)
    return form


def render_comment_page(comment: Comment, reply_form=None, form_error=None, status: int = 200):
    rnd = db_round(comment)
    top = comment if comment.parent_id is None else services.get_comment(comment.parent_id)
    try:
        replies = queries.replies_page(top.id, cursor=request.args.get("cursor") or None, limit=50)
    except Invalid:
        abort(400)
    context = comment_context([top, *replies.items], rnd)
    return render_template(
        "participation/comment.html",
        comment=top,
        focus=comment,
        round=rnd,
        replies=replies,
        reply_form=reply_form or reply_form_for(top.id),
        form_error=form_error,
        refusal=services.participation_refusal(current_user, rnd),
        section_titles={s.id: s.title for s in sections_of(rnd)},
        **context,
    ), status


def db_round(comment: Comment) -> Round:
    return get_round(comment.round_id)
