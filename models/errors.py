"""Domain errors raised by the core; `api.errors` alone decides their HTTP shape."""


class DomainError(Exception):
    """Base class for failures that are the caller's business, not a bug."""

    detail = "Request failed"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        self.detail = detail or self.detail


class NotFound(DomainError):
    detail = "Not found"


class Conflict(DomainError):
    detail = "Conflict"


class InvalidInput(DomainError):
    """A request value that passed its schema but not the core's checks: a 422 like
    any other validation error, naming where the value was (`loc`)."""

    loc: tuple[str, ...] = ("body",)
    kind = "value_error"
