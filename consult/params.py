"""The one parser of what a request carries: ids, cursors, counts and text, for the pages, the forms and the API.

Every number a request carries is read here, as ASCII digits only ("²".isdigit() and int("٣") are true in
Python) and within the bounds of the database column it will meet, so that no input reaches a query as a number
the database cannot hold (SQLite cannot bind an integer beyond 64 bits, PostgreSQL refuses one beyond its column
type: both a 500 before this module). Every text a request carries is checked here once, before any view: NUL
(which PostgreSQL cannot store in text) and lone surrogates (which cannot be encoded as UTF-8, so no database
stores them; JSON can carry them as "\\ud800") are refused with 422 naming the field.

A bad parameter is a BadParameter: an Invalid naming the field, so the API answers 422 with
{"error": {"code": "invalid", "message", "fields": {name: message}}} and a page shows the message, which names the
field too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import abort, request
from flask_babel import gettext as _

from consult.errors import Invalid

MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns; the <int:> route converter stops at the same bound
_DIGITS = re.compile(r"[0-9]+")
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class BadParameter(Invalid):
    """A query, form or JSON parameter that is not what it must be. `fields` names it; the message does too."""

    def __init__(self, name: str, message: str):
        shown = printable(name)
        super().__init__(f"{shown}: {message}", fields={shown: message})


def printable(name: str) -> str:
    """A field name fit to show and serialise: the characters no page can carry replaced (the name came from the
    request, so it may hold the very characters that are refused)."""
    return _BAD_TEXT.sub("\N{REPLACEMENT CHARACTER}", name)[:100]


# --- numbers ---------------------------------------------------------------------------------------------------


def whole_number(raw: object, name: str, *, minimum: int, maximum: int) -> int | None:
    """`raw` as an int within [minimum, maximum]: a str of ASCII digits (with a leading "-" for a negative number),
    or an int (never a bool). None or "" is None (the parameter was not given); anything else, or a number out of
    range, is a BadParameter."""
    if raw is None or raw == "":
        return None
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str):
        negative = raw.startswith("-")
        digits = raw[1:] if negative else raw
        if _DIGITS.fullmatch(digits):
            # 20 digits are beyond any bound here; int() of a long string is slow (and refused past 4300 digits)
            value = (maximum + 1) if len(digits) > 20 else int(digits)
            value = -value if negative else value
    if value is None:
        raise BadParameter(name, _("must be a whole number."))
    if not minimum <= value <= maximum:
        raise BadParameter(name, _("must be a whole number from %(min)s to %(max)s.", min=minimum, max=maximum))
    return value


def parse_id(raw: object, name: str, *, required: bool = False) -> int | None:
    """The id of a row (1 … 2**31-1), or None when not given (a BadParameter when `required`)."""
    value = whole_number(raw, name, minimum=1, maximum=MAX_ID)
    if value is None and required:
        raise BadParameter(name, _("is required."))
    return value


def parse_cursor(raw: object, name: str) -> int | None:
    """A list position that is an id or a sequence number (0 … 2**31-1): "the rows after (or before) this one"."""
    return whole_number(raw, name, minimum=0, maximum=MAX_ID)


def id_arg(name: str) -> int | None:
    """The query parameter `name` as an id, or None when absent or empty."""
    return parse_id(request.args.get(name), name)


def id_field(name: str, *, required: bool = False) -> int | None:
    """The form field `name` as an id, or None when absent or empty."""
    return parse_id(request.form.get(name), name, required=required)


def cursor_arg(name: str) -> int | None:
    """The query parameter `name` as a numeric list cursor (see parse_cursor), or None when absent or empty."""
    return parse_cursor(request.args.get(name), name)


def int_arg(name: str, default: int, *, minimum: int = 0, maximum: int) -> int:
    """The query parameter `name` as a whole number within [minimum, maximum], `default` when absent or empty."""
    value = whole_number(request.args.get(name), name, minimum=minimum, maximum=maximum)
    return default if value is None else value


# --- text ------------------------------------------------------------------------------------------------------


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text (NUL, a lone surrogate), or None when it can."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("contains a NUL character, which cannot be stored. Remove it and send it again.")
    return _("contains an invalid character (a lone UTF-16 surrogate). Remove it and send it again.")


def check_text(value: object, name: str) -> None:
    """A BadParameter when `value` is a str that cannot be stored (see text_problem)."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise BadParameter(name, problem)


def json_text_problems(data: Any) -> dict[str, str]:
    """Every string in a parsed JSON document (keys too) that cannot be stored, by its path ("body",
    "sections[2].title"); {} when there is none."""
    problems: dict[str, str] = {}
    for path, value in _strings(data, ""):
        problem = text_problem(value)
        if problem is not None:
            problems.setdefault(printable(path or "body"), problem)
    return problems


def _strings(data: Any, path: str) -> Iterator[tuple[str, str]]:
    stack = [(data, path)]
    while stack:  # iterative: nesting depth is bounded by the JSON parser, not by this walk
        value, where = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else str(key)
                yield name, str(key)
                stack.append((item, name))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))


def check_request_text() -> None:
    """Before every view: refuse a query parameter, form field or JSON string that cannot be stored as text (422
    naming it; a JSON string by its path), and a path whose parts cannot (404: no such address).

    JSON is checked on every route, not only the API's: Flask-WTF fills a web form from a JSON body too.
    """
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and text_problem(value) is not None:
            abort(404)
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            check_text(key, printable(key))
            check_text(value, key)
    if request.is_json:
        try:
            data = request.get_json(silent=True)  # cached: Flask-WTF, reading a form from it, parses it no more
        except RecursionError:  # thousands of nested brackets
            abort(400)
        problems = json_text_problems(data) if data is not None else {}
        if problems:
            name, problem = next(iter(problems.items()))
            raise Invalid(f"{name}: {problem}", fields=problems)
