"""Rate limits on participation writes, shared by the web forms and the JSON API.

One budget per person and kind of write (comment, vote, stance, report), whichever way they write: the
scope is shared between the web view and the API route, and the key is the user (session or bearer token),
or the client's address for anonymous requests. Limits are read from the config on every request
(COMMENT_LIMIT, VOTE_LIMIT, STANCE_LIMIT, REPORT_LIMIT), so operators can change them without code.
"""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from consult.accounts.bearer import api_user
from consult.extensions import client_address, limiter


def actor_key() -> str:
    user = api_user()
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    return f"user:{user.id}" if user is not None else f"addr:{client_address()}"


def participation_limit(config_key: str, scope: str):
    """Decorator: the limit `config_key`, shared by every route of `scope` (web and API), POST/PUT/PATCH only."""
    return limiter.shared_limit(
        lambda: current_app.config[config_key], scope, key_func=actor_key, methods=["POST", "PUT", "PATCH"]
    )
