"""Every answer the API tests receive is checked against the OpenAPI document the application serves.

An API test module defines its `client` fixture as `yield from checked_client(app)`: each answer to an /api/
request must then be described by the document, or the test fails:
- an operation of the document: its status is one the operation lists, and its JSON body validates against that
  status's schema (JSON Schema 2020-12, the document's components, `date-time` checked);
- a path the document does not have: 404 (or 413 for a body over the limit), an Error;
- a method the path does not take: 405 with an Allow header (or 413), an Error.

jsonschema rather than openapi-core: OpenAPI 3.1 schemas are JSON Schema 2020-12, so the document itself is the
schema registry and one `$ref` into it validates an answer; matching the operation is a path template and a
method. openapi-core would add request validation and its own path finder, which these tests do not need.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import re
from collections.abc import Iterator
from typing import Any

import brotli
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.conftest import FreshContextClient

PREFIX = "/api/v1"
URI = "urn:consult:openapi"
ERROR = "/components/responses/Error"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


class Contract:
    """The document, and the check of one answer against it."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.registry = Registry().with_resource(URI, DRAFT202012.create_resource(document))
        self.templates = [
            (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(path)) + "$"), path)
            for path in document["paths"]
        ]
        self.checked = 0

    @functools.cache  # noqa: B019 - one Contract per test session
    def validator(self, pointer: str) -> Draft202012Validator:
        return Draft202012Validator({"$ref": f"{URI}#{pointer}"}, registry=self.registry, format_checker=FORMATS)

    def template(self, path: str) -> str | None:
        """The document's path for `path`, whose parameters fit their schemas (else the path is not in it)."""
        matches = [t for pattern, t in self.templates if (m := pattern.match(path)) and self.fits(t, m.groups())]
        # a literal path beats a template ("/audit/head" is not "/audit/{id}")
        return min(matches, key=lambda t: t.count("{"), default=None)

    def fits(self, template: str, values: tuple[str, ...]) -> bool:
        """Whether the path's values are what its parameters' schemas allow (integers, or strings with a pattern)."""
        operation = next(iter(self.document["paths"][template].values()))
        schemas = [p["schema"] for p in operation.get("parameters", []) if p["in"] == "path"]
        for value, schema in zip(values, schemas, strict=True):
            if schema["type"] == "string":  # a slug or a tracking number
                if not Draft202012Validator(schema).is_valid(value):
                    return False
                continue
            assert schema["type"] == "integer", template
            if not (value.isascii() and value.isdigit()):
                return False
            if not Draft202012Validator(schema).is_valid(int(value.lstrip("0") or "0")):
                return False
        return True

    def schema_pointer(self, method: str, path: str, status: int, response) -> str:
        """Where the document describes this answer; fails the test when it describes none."""
        template = self.template(path)
        operation = self.document["paths"].get(template, {}).get(method) if template else None
        if operation is None:
            allowed = {404, 413} if template is None else {405, 413}
            assert status in allowed, f"{method.upper()} {path}: {status}, and the document has no such operation"
            if status == 405:
                assert response.headers.get("Allow"), f"{method.upper()} {path}: 405 without an Allow header"
            return _pointer("components", "responses", "Error", "content", "application/json", "schema")
        answer = operation["responses"].get(str(status))
        assert answer is not None, (
            f"{method.upper()} {path}: {status} is not documented for {method.upper()} {template} "
            f"(documented: {', '.join(operation['responses'])}); body: {response.get_data(as_text=True)[:300]}"
        )
        if answer.get("$ref"):
            return answer["$ref"].removeprefix("#") + _pointer("content", "application/json", "schema")
        return _pointer("paths", template, method, "responses", str(status), "content", "application/json", "schema")

    def check(self, response) -> None:
        method, path = response.request.method.lower(), response.request.path
        if method in ("head", "options"):  # Flask's own answers, from the GET route and the rules' methods
            return
        path = path.removeprefix(PREFIX) if path.startswith(PREFIX + "/") else "/"  # /api/… outside v1: no path
        pointer = self.schema_pointer(method, path, response.status_code, response)
        assert response.mimetype == "application/json", f"{method.upper()} {path}: {response.mimetype}"
        errors = sorted(self.validator(pointer).iter_errors(_body(response)), key=lambda e: list(e.path))
        assert not errors, f"{method.upper()} {path} {response.status_code}: " + "; ".join(
            f"{'/'.join(map(str, e.path)) or 'body'}: {e.message[:300]}" for e in errors[:5]
        )
        self.checked += 1


def _body(response) -> Any:
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        data = brotli.decompress(data)
    elif encoding == "gzip":
        data = gzip.decompress(data)
    else:
        assert encoding is None, encoding
    return json.loads(data)


_contracts: dict[int, Contract] = {}


def contract(app) -> Contract:
    """The document the app serves, fetched once per app (through the endpoint integrators use)."""
    if id(app) not in _contracts:
        with app.app_context():
            response = FlaskClient(app).get(PREFIX + "/openapi.json")
        assert response.status_code == 200
        _contracts[id(app)] = Contract(response.get_json())
    return _contracts[id(app)]


class CheckedClient(FreshContextClient):
    """The suite's client, whose every /api/ answer is checked against the document."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.request.path.startswith("/api/"):
            contract(self.application).check(response)
        return response


def checked_client(app) -> Iterator[FlaskClient]:
    """The body of a module's `client` fixture: `yield from checked_client(app)`."""
    app.test_client_class = CheckedClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None
