"""Domain errors raised by services; views and the API turn them into user-facing messages."""


class DomainError(Exception):
    """A business rule refused the action. `field` names the offending input when there is one."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class ValidationFailed(DomainError):
    """Input failed validation; `errors` maps field (or row) names to messages."""


class PermissionDenied(DomainError):
    """The acting user may not do this (or may not see the object)."""

    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    """The object does not exist within the acting user's scope."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the object first (a lost race), or the transition is not allowed now."""

    status_code = 409
    code = "conflict"
