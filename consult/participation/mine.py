"""The person's own comments across rounds ("Komentar saya", /profil/komentar): newest first, keyset-paginated,
each with its round, section, state, votes and replies. Personal: logged in only, kept by no cache."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_login import current_user, login_required

from consult.participation import queries
from consult.participation.pages import bp
from consult.web import mark_no_store

PROFILE_PREVIEW = 3  # the profile shows the newest few and links to the whole list


@bp.app_template_global()
def my_latest_comments():
    """The viewer's newest comments for their profile page (one query)."""
    return queries.my_comments_page(current_user, limit=PROFILE_PREVIEW)


@bp.get("/profil/komentar")
@login_required
def my_comments():
    page = queries.my_comments_page(current_user, cursor=request.args.get("cursor") or None)
    return mark_no_store(make_response(render_template("participation/my_comments.html", page=page)))
