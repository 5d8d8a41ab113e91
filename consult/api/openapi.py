"""The OpenAPI 3.1 document of the JSON API, made from the operations' declarations (consult.api.spec) and the
JSON Schema of their pydantic models: request bodies as they are validated, answers as they are serialised."""

from __future__ import annotations

import functools
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from consult import idempotency
from consult.api.bodies import JSON_VALUE, REF
from consult.api.schemas import Error
from consult.api.spec import PATH_NAMES, TEXT_PATH_NAMES, Api, Operation
from consult.params import MAX_ID

ERROR = {"$ref": "#/components/responses/Error"}
BEARER = [{"bearer": []}]
DESCRIPTION = (
    "Public consultation records: rounds, documents by section, comments, votes, stances, the moderation log and "
    "the audit chain. Reads need no authentication; writes take `Authorization: Bearer <token>` and are "
    "rate-limited per user (429 when exceeded). An id in a path is 1 … 2147483647: any other path is 404."
)
ERROR_DESCRIPTION = (
    "Error. 422 `invalid` names each bad field in `fields`: also an id or cursor that is not ASCII digits within "
    f"1 (0 for cursors) … {MAX_ID}, and any string (query, form or JSON, at any depth, by its path such as "
    "`sections[0].title`) holding NUL or a lone UTF-16 surrogate."
)


IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN},
    "description": (
        "A key of your choice, new for each thing you create (a UUID, say): a repeat of the request with the same "
        "key and the same body, within 24 hours, gets the first answer again (status and body, with the header "
        "`Idempotent-Replayed: true`) and creates nothing; the same key with a different body is 422 naming "
        "`Idempotency-Key`. Only successful answers are remembered: after an error, the request may be sent "
        "again with the same key."
    ),
}
REPLAYED = {
    idempotency.REPLAYED_HEADER: {
        "description": "`true` when this answer repeats the first answer given to the same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


class _Schemas(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # the property's name says it


def _content(ref: dict[str, Any], status: int) -> dict[str, Any]:
    return {"description": HTTPStatus(status).phrase, "content": {"application/json": {"schema": ref}}}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    parameters = []
    if op.path_parameter in TEXT_PATH_NAMES:
        description, pattern = TEXT_PATH_NAMES[op.path_parameter]
        parameters.append(
            {
                "name": op.path_parameter,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": pattern},
                "description": description,
            }
        )
    elif op.path_parameter:
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        parameters.append(
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": schema,
                "description": PATH_NAMES[op.path_parameter],
            }
        )
    for q in op.query:
        parameters.append(
            {"name": q.name, "in": "query", "required": False, "schema": q.schema, "description": q.description}
        )
    if op.idempotent:
        parameters.append(IDEMPOTENCY_KEY)
    return parameters


def _operation(op: Operation, refs: dict[tuple[type[BaseModel], str], dict[str, Any]]) -> dict[str, Any]:
    item: dict[str, Any] = {"operationId": op.name, "summary": op.summary}
    if op.description:
        item["description"] = op.description
    if op.auth:
        item["security"] = BEARER
    if parameters := _parameters(op):
        item["parameters"] = parameters
    if op.body is not None:
        body = {"application/json": {"schema": refs[(op.body, "validation")]}}
        item["requestBody"] = {"required": True, "content": body}
    responses = {str(op.status): _content(refs[(op.response, "serialization")], op.status)}
    if op.idempotent:
        responses[str(op.status)]["headers"] = REPLAYED
    if op.links:
        responses[str(op.status)]["links"] = {
            name: {"operationId": name, "parameters": {"id": expression}} for name, expression in op.links.items()
        }
    item["responses"] = responses | {str(code): ERROR for code in op.errors}
    return item


@functools.cache
def openapi_document(api: Api) -> dict[str, Any]:
    """The document: built once per process (it changes only with the code)."""
    models = {(m, "validation") for m in (op.body for op in api.operations) if m is not None}
    models |= {(op.response, "serialization") for op in api.operations} | {(Error, "serialization")}
    ordered = sorted(models, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, definitions = models_json_schema(ordered, ref_template=REF, schema_generator=_Schemas)
    schemas = {**definitions["$defs"], "JsonValue": JSON_VALUE}
    names = {op.name for op in api.operations}
    assert all(set(op.links) <= names for op in api.operations), "a link to an operation that does not exist"
    paths: dict[str, dict[str, Any]] = {}
    for op in api.operations:
        paths.setdefault(op.path, {})[op.method] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "consult API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `flask users token` or the profile page.",
                }
            },
            "responses": {"Error": _content(refs[(Error, "serialization")], 400) | {"description": ERROR_DESCRIPTION}},
            "schemas": dict(sorted(schemas.items())),
        },
    }
