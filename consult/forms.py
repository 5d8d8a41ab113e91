"""Shared form helpers: service errors shown next to their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm

from consult.errors import Invalid


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
