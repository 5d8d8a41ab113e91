"""The staff themes pages in the agency workspace (moderators, agency admins, site admins), no JavaScript needed:

    /kelola/<slug>/putaran/<id>/tema              suggestions (accept, with a new title, or reject), the themes
                                                  with their counts, a new theme, "Sarankan ulang"
    /kelola/<slug>/putaran/<id>/tema/<theme>      rename, synthesis, its comments (keyset), untag, merge, and the
                                                  agency's answer (agency admins; moderators read it)
    /kelola/<slug>/putaran/<id>/tandai            the round's comments (keyset, ?bagian=<section key>) with
                                                  checkboxes to tag a selection into a theme, a whole section or a
                                                  whole campaign, and each comment's own answer (agency admins)

Every form posts and redirects (303) with a flash message; a refused input shows the page again with the
message beside the field and what was typed kept (422). The rules are the services' (403/409 are flashed).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user

from consult.deliberation import theme_listing
from consult.deliberation.models import DISPOSITIONS, ThemeStatus
from consult.deliberation.services import dispositions, suggestions
from consult.deliberation.services import themes as services
from consult.deliberation.services.campaigns import campaign_page
from consult.deliberation.theme_queries import theme_counts
from consult.deliberation.workspace import _round, bp
from consult.errors import Invalid, ServiceError
from consult.extensions import db
from consult.forms import ActionForm
from consult.i18n import lazy_gettext as _l
from consult.participation.services import get_comment

VALUE_LABELS = {
    "adopted": _l("Adopted"),
    "partly_adopted": _l("Partly adopted"),
    "not_adopted": _l("Not adopted"),
    "out_of_scope": _l("Out of scope"),
}


def _checked_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _theme(rnd, theme_id: int):
    theme = services.get_theme(theme_id)
    if theme.round_id != rnd.id:
        abort(404)
    return theme


def _ids(name: str = "comment_ids") -> list[int]:
    out = []
    for raw in request.form.getlist(name):
        if raw.isdigit() and 0 < int(raw) < 2**31:
            out.append(int(raw))
    return out


def _refused(exc: ServiceError, back: str):
    flash(str(exc.message), "error")
    return redirect(back, code=303)


def _common(rnd) -> dict:
    return {
        "agency": g.agency,
        "round": rnd,
        "form": ActionForm(),
        "number": format_number,
        "open_for_work": services.is_deliberation_open(rnd),
        "published": services.is_published(rnd.id),
        "can_answer": services.can_answer(current_user, rnd),
        "values": DISPOSITIONS,
        "value_labels": {k: str(v) for k, v in VALUE_LABELS.items()},
    }


# --- the round's themes --------------------------------------------------------------------------------------


def _themes_page(rnd, *, errors=None, typed=None, status: int = 200):
    themes = theme_listing.round_themes(rnd.id)
    context = _common(rnd) | {
        "accepted": [t for t in themes if t.status == ThemeStatus.ACCEPTED],
        "suggested": [t for t in themes if t.status == ThemeStatus.SUGGESTED],
        "rejected": [t for t in themes if t.status == ThemeStatus.REJECTED],
        "counts": theme_counts(rnd.id),
        "errors": errors or {},
        "typed": typed or {},
    }
    return render_template("deliberation/themes.html", **context), status


@bp.get("/putaran/<int:round_id>/tema")
def themes(round_id: int):
    rnd = _round(round_id)
    if services.is_deliberation_open(rnd) and not suggestions.was_suggested(rnd.id):
        suggestions.suggest_once(rnd.id, actor=current_user)  # the first staff visit after the close
    return _themes_page(rnd)


@bp.post("/putaran/<int:round_id>/tema")
def create_theme(round_id: int):
    rnd = _round(round_id)
    _checked_form()
    title, synthesis = request.form.get("title", ""), request.form.get("synthesis", "")
    try:
        theme = services.create_theme(current_user, rnd, title, synthesis)
    except Invalid as exc:
        return _themes_page(rnd, errors=exc.fields, typed={"title": title, "synthesis": synthesis}, status=422)
    except ServiceError as exc:
        return _refused(exc, url_for(".themes", round_id=rnd.id))
    flash(_("Theme “%(title)s” created.", title=theme.title), "success")
    return redirect(url_for(".theme", round_id=rnd.id, theme_id=theme.id), code=303)


@bp.post("/putaran/<int:round_id>/tema/sarankan")
def resuggest(round_id: int):
    rnd = _round(round_id)
    _checked_form()
    try:
        found = suggestions.suggest(rnd, user=current_user)
    except ServiceError as exc:
        return _refused(exc, url_for(".themes", round_id=rnd.id))
    flash(_("%(n)s new suggested themes.", n=len(found)) if found else _("No new suggestions."), "success")
    return redirect(url_for(".themes", round_id=rnd.id), code=303)


@bp.post("/putaran/<int:round_id>/tema/<int:theme_id>/terima")
def accept(round_id: int, theme_id: int):
    rnd = _round(round_id)
    _checked_form()
    theme = _theme(rnd, theme_id)
    title = request.form.get("title", "")
    try:
        services.accept(current_user, theme, title)
    except Invalid as exc:
        return _themes_page(rnd, errors={f"accept-{theme.id}": exc.fields.get("title")}, status=422)
    except ServiceError as exc:
        return _refused(exc, url_for(".themes", round_id=rnd.id))
    flash(_("Theme “%(title)s” accepted.", title=theme.title), "success")
    return redirect(url_for(".themes", round_id=rnd.id), code=303)


@bp.post("/putaran/<int:round_id>/tema/<int:theme_id>/tolak")
def reject(round_id: int, theme_id: int):
    rnd = _round(round_id)
    _checked_form()
    theme = _theme(rnd, theme_id)
    try:
        services.reject(current_user, theme)
    except ServiceError as exc:
        return _refused(exc, url_for(".themes", round_id=rnd.id))
    flash(_("Suggestion “%(title)s” rejected: it will not be suggested again.", title=theme.title), "success")
    return redirect(url_for(".themes", round_id=rnd.id), code=303)


# --- one theme -----------------------------------------------------------------------------------------------


def _theme_page(rnd, theme, *, errors=None, typed=None, status: int = 200):
    try:
        page = theme_listing.theme_comments(theme.id, cursor=request.args.get("setelah") or None)
    except Invalid:
        abort(400)
    others = [t for t in theme_listing.round_themes(rnd.id) if t.id != theme.id]
    context = _common(rnd) | {
        "theme": theme,
        "page": page,
        "others": others,
        "counts": theme_counts(rnd.id, [theme.id]).get(theme.id, (0, 0)),
        "errors": errors or {},
        "typed": typed or {},
    }
    return render_template("deliberation/theme.html", **context), status


@bp.get("/putaran/<int:round_id>/tema/<int:theme_id>")
def theme(round_id: int, theme_id: int):
    rnd = _round(round_id)
    return _theme_page(rnd, _theme(rnd, theme_id))


@bp.post("/putaran/<int:round_id>/tema/<int:theme_id>")
def update_theme(round_id: int, theme_id: int):
    rnd = _round(round_id)
    _checked_form()
    theme = _theme(rnd, theme_id)
    title, synthesis = request.form.get("title", ""), request.form.get("synthesis", "")
    here = url_for(".theme", round_id=rnd.id, theme_id=theme.id)
    try:
        services.update_theme(current_user, theme, title=title, synthesis=synthesis)
    except Invalid as exc:
        db.session.rollback()
        return _theme_page(rnd, theme, errors=exc.fields, typed={"title": title, "synthesis": synthesis}, status=422)
    except ServiceError as exc:
        return _refused(exc, here)
    flash(_("Theme saved."), "success")
    return redirect(here, code=303)


@bp.post("/putaran/<int:round_id>/tema/<int:theme_id>/lepas")
def untag(round_id: int, theme_id: int):
    rnd = _round(round_id)
    _checked_form()
    theme = _theme(rnd, theme_id)
    here = url_for(".theme", round_id=rnd.id, theme_id=theme.id)
    try:
        removed = services.untag(current_user, theme, _ids())
    except ServiceError as exc:
        return _refused(exc, here)
    flash(_("%(n)s comments taken out of this theme.", n=format_number(removed)), "success")
    return redirect(here, code=303)


@bp.post("/putaran/<int:round_id>/tema/<int:theme_id>/gabung")
def merge(round_id: int, theme_id: int):
    rnd = _round(round_id)
    _checked_form()
    target = _theme(rnd, theme_id)
    here = url_for(".theme", round_id=rnd.id, theme_id=target.id)
    sources = [_theme(rnd, i) for i in _ids("source_id")]
    try:
        services.merge(current_user, target, sources)
    except ServiceError as exc:
        return _refused(exc, here)
    flash(_("Themes merged into “%(title)s”.", title=target.title), "success")
    return redirect(here, code=303)


@bp.post("/putaran/<int:round_id>/tema/<int:theme_id>/jawaban")
def theme_answer(round_id: int, theme_id: int):
    rnd = _round(round_id)
    _checked_form()
    theme = _theme(rnd, theme_id)
    here = url_for(".theme", round_id=rnd.id, theme_id=theme.id)
    value, response = request.form.get("value", ""), request.form.get("response", "")
    try:
        dispositions.set_theme_disposition(current_user, theme, value, response)
    except Invalid as exc:
        typed = {"value": value, "response": response}
        return _theme_page(rnd, theme, errors=exc.fields, typed=typed, status=422)
    except ServiceError as exc:
        return _refused(exc, here)
    flash(_("The agency's answer is saved as a draft; it is published with the summary."), "success")
    return redirect(here, code=303)


# --- tagging -------------------------------------------------------------------------------------------------


def _tagging_page(rnd, *, errors=None, typed=None, status: int = 200):
    key = request.values.get("bagian") or None
    if key and not any(s.key == key for s in rnd.version.sections):
        abort(404)
    try:
        page = theme_listing.round_comments(rnd.id, section_key=key, cursor=request.args.get("setelah") or None)
    except Invalid:
        abort(400)
    context = _common(rnd) | {
        "page": page,
        "section_key": key,
        "sections": rnd.version.sections,
        "themes": theme_listing.round_themes(rnd.id, (ThemeStatus.ACCEPTED,)),
        "campaigns": campaign_page(rnd, limit=20),
        "errors": errors or {},
        "typed": typed or {},
    }
    return render_template("deliberation/tagging.html", **context), status


@bp.get("/putaran/<int:round_id>/tandai")
def tagging(round_id: int):
    return _tagging_page(_round(round_id))


@bp.post("/putaran/<int:round_id>/tandai")
def tag(round_id: int):
    rnd = _round(round_id)
    _checked_form()
    back = url_for(".tagging", round_id=rnd.id, bagian=request.form.get("bagian") or None)
    theme_id = request.form.get("theme_id", "")
    if not theme_id.isdigit():
        return _tagging_page(rnd, errors={"theme_id": _("Choose a theme.")}, typed=request.form, status=422)
    theme = _theme(rnd, int(theme_id))
    what = request.form.get("what", "selection")
    kwargs = {"comment_ids": _ids()}
    if what == "campaign":
        raw = request.form.get("campaign_id", "")
        kwargs = {"campaign_id": int(raw) if raw.isdigit() else -1}
    elif what == "section":
        kwargs = {"section_key": request.form.get("section_key") or ""}
    try:
        added = services.tag(current_user, theme, **kwargs)
    except Invalid as exc:
        return _tagging_page(rnd, errors=exc.fields, typed=request.form, status=422)
    except ServiceError as exc:
        return _refused(exc, back)
    flash(_("%(n)s comments tagged into “%(title)s”.", n=format_number(added), title=theme.title), "success")
    return redirect(back, code=303)


@bp.post("/putaran/<int:round_id>/komentar/<int:comment_id>/jawaban")
def comment_answer(round_id: int, comment_id: int):
    rnd = _round(round_id)
    _checked_form()
    comment = get_comment(comment_id)
    if comment.round_id != rnd.id:
        abort(404)
    back = request.form.get("next") or url_for(".tagging", round_id=rnd.id)
    if not back.startswith("/kelola/") or "\\" in back:
        back = url_for(".tagging", round_id=rnd.id)
    try:
        if request.form.get("clear"):
            dispositions.clear_comment_disposition(current_user, comment)
            flash(_("This comment carries the answers of its themes again."), "success")
        else:
            dispositions.set_comment_disposition(
                current_user, comment, request.form.get("value", ""), request.form.get("response", "")
            )
            flash(_("The answer to comment #%(id)s is saved as a draft.", id=comment.id), "success")
    except Invalid as exc:
        flash(" ".join(str(m) for m in exc.fields.values()), "error")
    except ServiceError as exc:
        flash(str(exc.message), "error")
    return redirect(back, code=303)
