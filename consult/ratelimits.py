"""Rate limits on participation writes, shared by the web forms and the JSON API.

Two budgets per kind of write (comment, vote, stance, report), whichever way they write (the scope is shared
between the web view and the API route):
- per person: the user (session or bearer token), or the client's address for anonymous requests
  (COMMENT_LIMIT, VOTE_LIMIT, STANCE_LIMIT, REPORT_LIMIT);
- per address, whoever is logged in: a larger budget that stops one machine cycling through many accounts
  (COMMENT_ADDRESS_LIMIT, …), large because many phones share one address behind a mobile operator's NAT.

Both count accepted writes only: a request is charged when it committed a write (consult.extensions.
committed_writes) and was answered below 400 (and an anonymous attempt, which is never accepted, is charged to
its per-person budget: see charged_to_person). Refused attempts cost nothing: not those over a limit (else one
account flooding from a shared address — carrier-grade NAT, a kiosk, a campus, an internet café — would use up
the address's budget with its refusals and lock its neighbours out), nor those refused for another reason (a
comment too long, a closed round: a person correcting a mistake keeps their budget). A refused attempt writes
nothing. Before a request, each budget is tested without being charged; the charge comes after the answer, so
requests of one person that run at the same moment may pass a budget by the number running together.
Limits are read from the config on every request, so operators can change them without code. Registration is
limited per address (REGISTER_LIMIT) and failed logins per address and per e-mail (LOGIN_FAILURE_LIMIT), in
consult.accounts.views. Over a limit: 429 with Retry-After, an Indonesian message (a page, the #pesan alert
for htmx, or {"error": {"code": "rate_limited"}} on the API: consult.web).
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from consult.extensions import client_address, committed_writes, limiter


def actor_key() -> str:
    """Who is writing: the bearer token's user (g.api_user, resolved by consult.accounts before every request
    that carries one: this shared module imports no feature), else the session's user, else the address."""
    user = g.get("api_user")
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    return f"user:{user.id}" if user is not None else f"addr:{client_address()}"


def address_key() -> str:
    return f"addr:{client_address()}"


WRITE_METHODS = ["POST", "PUT", "PATCH"]


def accepted(response) -> bool:
    """Whether the request wrote: it committed a write transaction and was not answered with an error. (A web
    form refused by a service may answer 303 with a flashed message: that one committed nothing.)"""
    return response.status_code < 400 and committed_writes() > 0


def charged_to_person(response) -> bool:
    """The per-person budget: accepted writes, and every attempt without an account (keyed by address, it can
    never be accepted): that bounds a script's anonymous junk without touching any account's budget, since a
    logged-in neighbour is counted under their own user and the address budget counts accepted writes only."""
    if accepted(response):
        return True
    return response.status_code != 429 and actor_key().startswith("addr:")


ASSISTED = ("ASSISTED_LIMIT", "assisted")  # comments entered by agency staff on a citizen's behalf


def is_assisted_entry() -> bool:
    """Whether this request enters a comment on a citizen's behalf: a JSON body whose "channel" is not "web"
    (POST /api/v1/rounds/{id}/comments). The service still checks that the sender is the agency's staff (403
    otherwise); a citizen who sends such a channel only gets that refusal, which costs no budget."""
    if not request.is_json:
        return False
    body = request.get_json(silent=True)
    return isinstance(body, dict) and body.get("channel") not in (None, "", "web")


def participation_limit(config_key: str, scope: str, *, assisted: bool = False):
    """Decorator: the limit `config_key` per person and `<KIND>_ADDRESS_LIMIT` per address, each shared by every
    route of `scope` (web and API), on POST/PUT/PATCH only, charged for accepted writes only (see above).
    `assisted`: a request that enters a comment on a citizen's behalf (is_assisted_entry) counts against the
    staff's own budget instead (ASSISTED_LIMIT, scope "assisted")."""
    address_config = config_key.replace("_LIMIT", "_ADDRESS_LIMIT")

    def pick(config: str, own_scope: str, assisted_config: str, assisted_scope: str):
        if not assisted:
            return (lambda: current_app.config[config]), own_scope
        return (
            lambda: current_app.config[assisted_config if is_assisted_entry() else config],
            lambda _endpoint: assisted_scope if is_assisted_entry() else own_scope,
        )

    person_limit, person_scope = pick(config_key, scope, ASSISTED[0], ASSISTED[1])
    address_limit, address_scope = pick(
        address_config, f"{scope}-address", "ASSISTED_ADDRESS_LIMIT", f"{ASSISTED[1]}-address"
    )
    per_person = limiter.shared_limit(
        person_limit,
        person_scope,
        key_func=actor_key,
        methods=WRITE_METHODS,
        deduct_when=charged_to_person,
    )
    per_address = limiter.shared_limit(
        address_limit,
        address_scope,
        key_func=address_key,
        methods=WRITE_METHODS,
        deduct_when=accepted,
    )

    def decorate(view):
        return per_person(per_address(view))

    return decorate
