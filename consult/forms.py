"""Shared form helpers: service errors shown next to their fields, and the one POST/redirect/GET flow of a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response, flash, request
from flask_wtf import FlaskForm
from wtforms import Field

from consult.errors import Invalid, ServiceError

T = TypeVar("T")


class ActionForm(FlaskForm):
    """An empty form: gives POST-only buttons their CSRF token."""


def apply_errors(form: FlaskForm, exc: Invalid) -> list[str]:
    """Attach each field error to its form field; return the messages that match no field."""
    loose = []
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), str(message)]
        else:
            loose.append(str(message))
    if not exc.fields:
        loose.append(str(exc.message))
    return loose


def submit(
    form: FlaskForm,
    action: Callable[[], T],
    done: Callable[[T], Response],
    *,
    validate: bool = True,
    refusals_on: Field | None = None,
):
    """The one way a page handles its form: on a POST (valid, when `validate`), run `action()` (one service call);
    on success answer `done(result)` (flash, then a 303 to the next page); on Invalid put each message next to its
    field and answer 422; on any other refusal (a conflict, say) show its message — under the field
    `refusals_on`, or flashed — and answer its status. Returns the Response to send, or the status to render the
    form again with (200 for a GET)."""
    if request.method != "POST" or (validate and not form.validate_on_submit()):
        return 200 if request.method != "POST" else 422
    try:
        result = action()
    except Invalid as exc:
        loose = apply_errors(form, exc)
        if loose:
            flash(" ".join(loose), "error")
        return 422
    except ServiceError as exc:
        if refusals_on is not None:
            refusals_on.errors = [*list(refusals_on.errors or []), str(exc.message)]
        else:
            flash(str(exc.message), "error")
        return exc.status
    return done(result)
