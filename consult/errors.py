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

    def default_message(self) -> object:
        return _l("The request could not be processed.")


class NotAllowed(ServiceError):
    status = 403
    code = "forbidden"

    def default_message(self) -> object:
        return _l("You do not have permission to do this.")


class NotFound(ServiceError):
    status = 404
    code = "not_found"

    def default_message(self) -> object:
        return _l("Not found.")


class Conflict(ServiceError):
    status = 409
    code = "conflict"

    def default_message(self) -> object:
        return _l("This conflicts with the current state.")


class Invalid(ServiceError):
    """Input that breaks a rule; `fields` maps each bad field to its message."""

    status = 422
    code = "invalid"

    def default_message(self) -> object:
        return _l("Please correct the marked fields.")


class LoginRequired(ServiceError):
    status = 401
    code = "unauthorized"

    def default_message(self) -> object:
        return _l("Please log in to continue.")
