"""JSON request bodies: pydantic models whose types the API checks, and whose rules the document states.

The API checks the types, strictly ("1" is no id, true and 1.0 are no vote), and collects every wrong field into
one 422 {"error": {"code": "invalid", "fields": {name: message}}} before any service runs, so that a client never
reaches a service with a list where a string belongs. Each field type carries its message (Refusal); a field
that is absent or null where the API needs it is "This field is required.". The rules beyond the type (lengths,
values, a section of this round) are the services': they refuse with their own messages, and the document
states them from the services' own constants (the `doc` of each field type below).

A body is also checked, before any view, for text no database can store (consult.params.check_request_text):
the document says so in every body's propertyNames and patterns, and allows any other property as JsonValue
(unknown properties are ignored, as they always were).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar

from flask import request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from consult.errors import Invalid, ServiceError
from consult.i18n import lazy_gettext as _l
from consult.params import MAX_ID

REF = "#/components/schemas/{model}"
# Patterns are written with escapes, not the characters, and with the whitespace of Python's str.split() and
# strip() (what the services measure) spelled out, since \s means less in some engines and more in others.
SPACE = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CHAR = r"[^\u0000]"  # text a database can store: no NUL (consult.params.text_problem)
_GAP = rf"[{SPACE}]"
_SOLID = rf"[^{SPACE}\u0000]"
STORABLE = rf"^{_CHAR}*$"
NONBLANK = rf"^{_CHAR}*{_SOLID}{_CHAR}*$"  # something left after strip()
# A lone UTF-16 surrogate ("\ud800" in JSON) is refused like NUL. No pattern says it: it is not Unicode text, so
# the regular expression engines of most validators (and most JSON libraries) cannot even hold one.
TEXT_RULE = "Strings (keys too) may not hold NUL or a lone UTF-16 surrogate."

JSON_VALUE = {
    "description": "Any JSON value whose strings a database can store. " + TEXT_RULE,
    "anyOf": [
        {"type": ["null", "boolean", "number"]},
        {"type": "string", "pattern": STORABLE},
        {"type": "array", "items": {"$ref": REF.format(model="JsonValue")}},
        {
            "type": "object",
            "propertyNames": {"pattern": STORABLE},
            "additionalProperties": {"$ref": REF.format(model="JsonValue")},
        },
    ],
}


def collapsed_at_least(n: int) -> str:
    """A pattern for text at least `n` characters long once every run of whitespace is one space and the ends are
    trimmed (" ".join(text.split()), as the services measure a reason)."""

    def more(m: int) -> str:  # m more characters after a non-space one: a character, or a gap and a character
        if m <= 0:
            return ""
        return rf"(?:{_GAP}*{_SOLID}{more(m - 1)}|{_GAP}+{_SOLID}{more(m - 2)})"

    return rf"^{_CHAR}*{_SOLID}{more(n - 1)}{_CHAR}*$"


class Refusal:
    """The message of a field whose value has the wrong type (pydantic's own messages are not shown)."""

    def __init__(self, message: object):
        self.message = message


REQUIRED = _l("This field is required.")
TEXT = Refusal(_l("Must be a string."))
ID = Refusal(_l("Must be the id of an existing item (a positive whole number)."))
VOTE = Refusal(_l("A vote is 1 (agree), -1 (disagree) or 0 (pass)."))
FLAG = Refusal(_l("Must be true or false."))


def _nullable(schema: dict[str, Any], nullable: bool) -> dict[str, Any]:
    if nullable:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def text(*, required: bool = False, nullable: bool = False, **doc: Any) -> Any:
    """A string field. `required`: the API refuses a body without it; otherwise it may be absent or null (and the
    service decides). `nullable`: the document allows null. `doc`: the service's rules (minLength, maxLength,
    enum, pattern, format, description)."""
    schema = _nullable({"type": "string", "pattern": STORABLE, **doc}, nullable)
    return Annotated[str if required else str | None, TEXT, WithJsonSchema(schema)]


def identifier(*, required: bool = False, nullable: bool = False, description: str) -> Any:
    """The id of a row: a JSON number from 1 to MAX_ID."""
    number = Annotated[int, Field(ge=1, le=MAX_ID)]
    schema = _nullable({"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": description}, nullable)
    return Annotated[number if required else number | None, ID, WithJsonSchema(schema)]


def flag(*, description: str) -> Any:
    """true or false (or absent or null: not given)."""
    return Annotated[bool | None, FLAG, WithJsonSchema({"type": ["boolean", "null"], "description": description})]


def _vote(value: int) -> int:
    if value not in (1, -1, 0):
        raise ValueError(value)
    return value


def vote_value(*, description: str) -> Any:
    """1, -1 or 0, as a JSON number (a bool or 1.0 is refused)."""
    schema = {"type": "integer", "enum": [1, -1, 0], "description": description}
    return Annotated[int, AfterValidator(_vote), VOTE, WithJsonSchema(schema)]


def checked_by_service(schema: dict[str, Any]) -> Any:
    """A field the API passes on as it came: its service checks it, after a check that must come first (the
    moderation decision: whoever may not moderate is refused before anything they sent is looked at)."""
    return Annotated[object, WithJsonSchema(schema)]


def _document(schema: dict[str, Any], model: type[RequestModel]) -> None:
    """What every body's schema adds to pydantic's: the fields the services require, and the text rule."""
    for prop in schema["properties"].values():
        prop.pop("default", None)  # absent is what the service decides about, not a value the client may rely on
    schema["required"] = sorted({*schema.get("required", ()), *model.documented_required})
    schema["propertyNames"] = {"pattern": STORABLE}
    schema["description"] = " ".join(filter(None, [schema.get("description"), TEXT_RULE]))
    schema["additionalProperties"] = {"$ref": REF.format(model="JsonValue")}


class RequestModel(BaseModel):
    """A JSON object sent as a request body. Unknown properties are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra=_document)
    documented_required: ClassVar[tuple[str, ...]] = ()  # required by the service (with its own message)


class BadRequest(ServiceError):
    status = 400
    code = "bad_request"


def parse_body(model: type[RequestModel]) -> RequestModel:
    """The request's JSON object as `model`: 400 when the body is no JSON object, 422 naming each wrong field."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadRequest(_l("Send a JSON object as the request body."))
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        raise BadRequest(_l("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadRequest(_l("The request body must be a JSON object."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(fields=refusals(model, exc)) from None


def refusals(model: type[RequestModel], exc: ValidationError) -> dict[str, object]:
    """One message per refused field: required when absent or null, else the message of the field's type."""
    fields: dict[str, object] = {}
    for error in exc.errors():
        name = str(error["loc"][0])
        if name in fields:
            continue
        if error["type"] == "missing" or error.get("input") is None:
            fields[name] = REQUIRED
        else:
            refusal = next(m for m in model.model_fields[name].metadata if isinstance(m, Refusal))
            fields[name] = refusal.message
    return fields
