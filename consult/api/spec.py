"""Each API operation declared once: `@api.get(...)` (post, put, patch) registers the Flask route and records what
the OpenAPI document says about it (consult.api.openapi builds the document from these records and the models).

A declaration names the method and path, who may call it (a bearer token or not, and the rate limit of writes),
the query parameters (read by consult.params, the one parser of ids, cursors and counts), the request body (a
consult.api.bodies model), the success status and its response model (consult.api.schemas) and the error
statuses the operation answers with. The view receives the parsed values as keyword arguments and returns the
response model; this module turns it into JSON with the declared status.

Order of the checks, for every operation: the path (an id outside 1 … MAX_ID matches no route: 404), the rate
limit (429), the token (401), the query parameters (422 naming them), the body (400 when it is no JSON object, 422
naming each field of a wrong type), then the view and its one service call (403, 404, 409, 422 for the rules).

An operation declared `idempotent=True` (the POSTs that create) honours an `Idempotency-Key` header: the first
request with a key acts and its answer is remembered with the key (consult.idempotency, in the action's own
transaction); a repeat with the same key and body gets that answer again (status and body, with
`Idempotent-Replayed: true`) and acts no more; the same key with another body is 422 naming the header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, jsonify, request
from pydantic import BaseModel
from werkzeug.routing import BaseConverter

from consult import idempotency
from consult.api.auth import api_user, token_required
from consult.api.bodies import STORABLE, RequestModel, parse_body
from consult.params import MAX_ID, cursor_arg, id_arg, int_arg
from consult.ratelimits import participation_limit

PATH_NAMES = {
    "round_id": "Round id",
    "comment_id": "Comment id",
    "section_id": "Section id",
    "theme_id": "Theme id",
    "document_id": "Document id",
    "version_id": "Document version id",
}
# Path parameters that are text, not ids: their name stays in the document's path; (description, pattern)
TEXT_PATH_NAMES = {
    "slug": ("Agency slug", r"^[a-z0-9][a-z0-9-]{0,119}$"),
    "tracking_number": ("Complaint tracking number, e.g. ADU-7KQ2M9XRH", r"^[A-Za-z0-9-]{1,32}$"),
}
WRITE_ERRORS = (400, 413)  # every POST, PUT and PATCH: a body that is no JSON object, or too large
EMPTY = {"const": ""}  # `?limit=` (and any empty parameter) means "not given"


def range_regex(maximum: int) -> str:
    """A regular expression for the decimal numbers 1 … `maximum`, without leading zeros."""
    digits = str(maximum)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):  # as many digits as `maximum`: its prefix, a smaller digit, then any
        low, high, rest = (1 if i == 0 else 0), int(digit) - 1, len(digits) - i - 1
        if high >= low:
            choice = str(low) if high == low else f"[{low}-{high}]"
            parts.append(digits[:i] + choice + (f"[0-9]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*parts, digits]) + ")"


class PathId(BaseConverter):
    """An id in an API path: ASCII digits for 1 … MAX_ID (leading zeros allowed, as <int:> allowed them), decided
    by the pattern alone.

    Werkzeug compares a rule's methods before it converts the path, so a converter that refuses a value (as
    <int(min=1)> refuses 0) turned PATCH /comments/0 into a 405 naming GET, while GET /comments/0 was a 404.
    Here 0, MAX_ID + 1 or "٣" match no API route at all: 404 for every method.
    """

    regex = "0*" + range_regex(MAX_ID)
    part_isolating = True

    def to_python(self, value: str) -> int:
        return int(value.lstrip("0"))  # without the zeros: int() refuses strings of over 4,300 digits

    def to_url(self, value: Any) -> str:
        return str(int(value))


@dataclass(frozen=True)
class Query:
    """A query parameter: its name, its schema in the document, and how the view reads it (consult.params)."""

    name: str
    schema: dict[str, Any]
    description: str
    read: Callable[[], Any] = field(compare=False)

    @classmethod
    def id_arg(cls, name: str, description: str) -> Query:
        """An id (1 … MAX_ID), None when absent or empty."""
        schema = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID}, EMPTY]}
        return cls(name, schema, description, lambda: id_arg(name))

    @classmethod
    def cursor_arg(cls, name: str, description: str) -> Query:
        """A numeric list position (0 … MAX_ID), None when absent or empty."""
        schema = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_ID}, EMPTY]}
        return cls(name, schema, description, lambda: cursor_arg(name))

    @classmethod
    def int_arg(cls, name: str, default: int, maximum: int) -> Query:
        """A page size: 1 … maximum; 0, empty or absent is `default`."""
        schema = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": maximum}, EMPTY]}
        description = f"Page size, at most {maximum}; {default} when absent, empty or 0."
        return cls(name, schema, description, lambda: int_arg(name, default, maximum=maximum) or default)

    @classmethod
    def text(cls, name: str, description: str, schema: dict[str, Any] | None = None) -> Query:
        """A string handed to the service as it is (None when absent or empty); the service refuses a bad one."""
        return cls(
            name, schema or {"type": "string", "pattern": STORABLE}, description, lambda: request.args.get(name) or None
        )


def _once(act: Callable[[], BaseModel], status: int):
    """Answer an idempotent operation: act once per (user, Idempotency-Key), repeats get the first answer."""
    fingerprint = idempotency.fingerprint(request.method, request.path, request.get_json(silent=True))
    outcome = idempotency.once(
        request.headers.get(idempotency.HEADER),
        api_user().id,
        fingerprint,
        act,
        lambda result: {"status": status, "body": result.model_dump(mode="json", by_alias=True)},
        field=idempotency.HEADER,
        keep_loaded=True,  # the answer is made inside the transaction, before COMMIT
    )
    answer = jsonify(outcome.result["body"])
    answer.status_code = outcome.result["status"]
    if outcome.repeated:
        answer.headers[idempotency.REPLAYED_HEADER] = "true"
    return answer


@dataclass(frozen=True)
class Operation:
    """One API operation as the document describes it."""

    method: str
    path: str  # the document's path, e.g. /rounds/{id}/comments
    name: str  # the view's name: the Flask endpoint (api.<name>) and the operationId
    summary: str
    description: str | None
    status: int
    response: type[BaseModel]
    errors: tuple[int, ...]
    body: type[RequestModel] | None
    query: tuple[Query, ...]
    path_parameter: str | None  # the Flask rule's name for the path's id (round_id, comment_id, section_id)
    auth: bool
    idempotent: bool  # takes an Idempotency-Key header (see the module's docstring)
    links: dict[str, str]  # operation name → where its {id} is in this answer ("$response.body#/id")


_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


class Api:
    """The operations of one blueprint: `@api.get(path, ...)` (or post, put, patch) declares one."""

    def __init__(self, bp: Blueprint):
        self.bp = bp
        self.operations: list[Operation] = []
        bp.record_once(lambda state: state.app.url_map.converters.setdefault("api_id", PathId))

    def get(self, path: str, **declaration: Any) -> Callable:
        return self.operation("get", path, **declaration)

    def post(self, path: str, **declaration: Any) -> Callable:
        return self.operation("post", path, **declaration)

    def put(self, path: str, **declaration: Any) -> Callable:
        return self.operation("put", path, **declaration)

    def patch(self, path: str, **declaration: Any) -> Callable:
        return self.operation("patch", path, **declaration)

    def operation(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        ok: type[BaseModel] | tuple[int, type[BaseModel]],
        errors: Sequence[int] = (),
        body: type[RequestModel] | None = None,
        query: Sequence[Query] = (),
        auth: bool = False,
        limit: tuple[str, str] | None = None,
        description: str | None = None,
        links: dict[str, str] | None = None,
        idempotent: bool = False,
        assisted_limit: bool = False,
    ) -> Callable:
        """Register the decorated view as `method path` and record it for the document.

        `path` names its id as the Flask rule does ("/rounds/{round_id}/comments"); the document calls it {id},
        as it always has. `ok` is the response model (200) or (status, model). `limit` is (config key, scope) of
        consult.ratelimits.participation_limit. `links`: the operations whose id this answer gives (OpenAPI links,
        which let a client or a fuzzer follow them). `idempotent`: the operation takes an Idempotency-Key header
        (a POST that creates, with `auth`). `assisted_limit`: a body with a non-web "channel" (staff entering a
        citizen's comment) counts against the staff's budget (consult.ratelimits.is_assisted_entry). Added to
        `errors`: 400 and 413 for a write, 401 with `auth`, 429 with `limit`, and 422 everywhere (a query string
        holding text no database stores: consult.params)."""
        status, response = ok if isinstance(ok, tuple) else (200, ok)
        names = _PATH_PARAMETER.findall(path)
        assert len(names) <= 1 and all(n in PATH_NAMES or n in TEXT_PATH_NAMES for n in names), path
        assert not idempotent or (method == "post" and auth), "Idempotency-Key: for POSTs that need a token"
        codes = {*errors, 422, *(WRITE_ERRORS if method != "get" else ()), *([401] if auth else ())}
        codes |= {429} if limit else set()

        def decorate(view: Callable[..., BaseModel]) -> Callable:
            self.operations.append(
                Operation(
                    method=method,
                    path=_PATH_PARAMETER.sub(lambda m: f"{{{m[1]}}}" if m[1] in TEXT_PATH_NAMES else "{id}", path),
                    name=view.__name__,
                    summary=summary,
                    description=description,
                    status=status,
                    response=response,
                    errors=tuple(sorted(codes)),
                    body=body,
                    query=tuple(query),
                    path_parameter=names[0] if names else None,
                    auth=auth,
                    idempotent=idempotent,
                    links=dict(links or {}),
                )
            )

            @wraps(view)
            def handler(**path_values: int):
                values = {q.name: q.read() for q in query}
                if body is not None:
                    values["body"] = parse_body(body)

                def act() -> BaseModel:
                    result = view(**path_values, **values)
                    if type(result) is not response:
                        raise TypeError(f"{view.__name__} returned {type(result).__name__}, not {response.__name__}")
                    return result

                if not idempotent:
                    return jsonify(act().model_dump(mode="json", by_alias=True)), status
                return _once(act, status)

            wrapped = token_required(handler) if auth else handler
            if limit is not None:
                wrapped = participation_limit(*limit, assisted=assisted_limit)(wrapped)
            rule = _PATH_PARAMETER.sub(lambda m: f"<{m[1]}>" if m[1] in TEXT_PATH_NAMES else f"<api_id:{m[1]}>", path)
            self.bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapped, methods=[method.upper()])
            return view

        return decorate
