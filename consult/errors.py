"""Domain errors raised by services and turned into pages or JSON errors by the HTTP layer."""

from __future__ import annotations

from consult.i18n import lazy_gettext as _l


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: object | None = None, *, fields: dict[str, str] | None = None):
        super().__init__(str(message) if message is not None else self.code)
        self.message = message if message is not None else self.default_message()
        self.fields = fields or {}

    default = _l("The request could not be processed.")

    def default_message(self) -> object:
        return self.default


class NotAllowed(ServiceError):
    status, code, default = 403, "forbidden", _l("You do not have permission to do this.")


class NotFound(ServiceError):
    status, code, default = 404, "not_found", _l("Not found.")


class Conflict(ServiceError):
    status, code, default = 409, "conflict", _l("This conflicts with the current state.")


class Invalid(ServiceError):
    """Input that breaks a rule; `fields` maps each bad field to its message."""

    status, code, default = 422, "invalid", _l("Please correct the marked fields.")


class LoginRequired(ServiceError):
    status, code, default = 401, "unauthorized", _l("Please log in to continue.")
