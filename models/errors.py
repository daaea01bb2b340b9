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
