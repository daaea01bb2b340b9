"""Address-book failures; `api.errors` decides their HTTP shape."""

from models.errors import Conflict, DomainError, InvalidInput


class PreconditionFailed(DomainError):
    detail = "The contact has changed since that version was read (If-Match does not match)"


class DuplicateContact(Conflict):
    detail = "A contact with this phone number or email already exists"

    def __init__(self, duplicate_of: list[int]) -> None:
        super().__init__(f"{self.detail}: {', '.join(map(str, duplicate_of))}")
        self.duplicate_of = duplicate_of


class InvalidCursor(InvalidInput):
    detail = "The cursor is not one this API issued for this query"
    loc = ("query", "cursor")
    kind = "cursor_invalid"


class InvalidSyncCursor(InvalidCursor):
    detail = "The cursor is not one this API issued for the changes feed"
    loc = ("query", "since")


class CursorExpired(DomainError):
    detail = "The cursor is older than the deletion history kept; do a full resync"


class KeyReused(InvalidInput):
    detail = "This Idempotency-Key was used with a different request"
    loc = ("header", "Idempotency-Key")
    kind = "idempotency_key_reused"


class KeyInProgress(Conflict):
    detail = "A request with this Idempotency-Key is still in progress; retry shortly"
