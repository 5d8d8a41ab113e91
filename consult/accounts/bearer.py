"""Bearer-token authentication (the JSON API): the token's user, resolved once per request into g.api_user."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from consult.accounts.services import user_for_token
from consult.errors import ServiceError


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"

    def default_message(self) -> object:
        return "Authorization: Bearer <token> is required for this request."


def api_user():
    """The user of the request's bearer token, or None."""
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        g.api_user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    return g.api_user


def resolve_bearer_user() -> None:
    """Before every request with an Authorization header: who holds the token, in g.api_user, so that shared
    code (the rate limits) can ask who is writing without importing accounts."""
    if request.headers.get("Authorization"):
        api_user()


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if api_user() is None:
            raise Unauthorized()
        return view(*args, **kwargs)

    return wrapper
