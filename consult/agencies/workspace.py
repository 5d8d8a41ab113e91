"""The agency workspace (/kelola/<slug>/…): one way to build its pages, whatever feature they belong to.

A feature's workspace pages live in its own `workspace.py` on a blueprint made here: the agency is loaded from
the URL into `g.agency` (404 for an unknown one), the person must be logged in, and only the people the
blueprint admits get in (403); `managers_only` narrows a page to the agency's admins. An object named in the
URL is used only after `owned()` has checked it belongs to that agency: another agency's id is a 404, so the
workspace never confirms what exists elsewhere. The permission checks in the services still apply.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Blueprint, abort, g
from flask_login import current_user, login_required

from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import can_manage_agency, can_moderate, get_agency

T = TypeVar("T")


def workspace_blueprint(
    name: str,
    import_name: str,
    *,
    url_prefix: str = "",
    admits: Callable[[User, Agency], bool] = can_moderate,
) -> Blueprint:
    """A blueprint of pages under /kelola/<slug><url_prefix> for the people `admits` lets in (default: the
    agency's moderators and admins, and site admins)."""
    bp = Blueprint(name, import_name, url_prefix=f"/kelola/<slug>{url_prefix}")

    @bp.url_value_preprocessor
    def load_agency(_endpoint, values):
        g.agency = get_agency(values.pop("slug"))

    @bp.url_defaults
    def add_slug(_endpoint, values):
        if "slug" not in values and getattr(g, "agency", None) is not None:
            values["slug"] = g.agency.slug

    @bp.before_request
    @login_required
    def admit():
        if not admits(current_user, g.agency):
            abort(403)

    return bp


def managers_only(view):
    """A workspace page for the agency's admins (and site admins) only, on a blueprint that admits more."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not can_manage_agency(current_user, g.agency):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def owned(obj: T, agency_id: int | None = None) -> T:
    """`obj` when it belongs to the workspace's agency (its `agency_id`, or the one given), else 404."""
    if (obj.agency_id if agency_id is None else agency_id) != g.agency.id:
        abort(404)
    return obj
