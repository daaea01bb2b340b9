"""schemathesis hooks for `make fuzz`: real accounts, and the refusals a schema can't foresee.

Two accounts take part, registered and logged in through the API. Operations
that end their own session or the account (logout, ending sessions, deleting
the account, changing the password) run as a disposable account, which logs in
again after each one that succeeded; all others run as a steady account whose
token stays valid all run. Otherwise the first successful logout would leave
every later case a 401, hiding what it was meant to test.

Some schema-valid requests are refused because of what the server holds, which
no schema can say: `REFUSED_FOR_STATE` lists them, and only those failures of
"valid data should be accepted" are dropped. Every other check stays whole.
"""

import os
import secrets
from typing import Any

import httpx
import schemathesis
from schemathesis import AuthContext, Case
from schemathesis.openapi.checks import RejectedPositiveData

DISPOSABLE = frozenset(
    {
        # Listed with the disposable account too, so the link from a listed session
        # to ending it ends one of that account's own.
        "GET /me/sessions",
        "GET /logout",
        "POST /logout",
        "POST /logout/all",
        "DELETE /me",
        "POST /me/password",
        "DELETE /me/sessions",
        "DELETE /me/sessions/{id}",
    }
)


class Account:
    """A registered user; `token()` logs in again once the last token was spent."""

    def __init__(self, base_url: str, label: str) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=30)
        self._label = label
        self._credentials = self._register()
        self._token: str | None = None

    def _register(self) -> dict[str, str]:
        # Unlike any example in the document, so a generated body never holds them.
        credentials = {
            "email": f"fuzz-{self._label}-{secrets.token_hex(4)}@example.com",
            "password": secrets.token_urlsafe(24),
        }
        body = {"first_name": "Fuzz", "last_name": self._label.title(), **credentials}
        self._http.post("/register", json=body).raise_for_status()
        return credentials

    def token(self) -> str:
        if self._token is None:
            response = self._http.post("/login", json=self._credentials)
            if response.status_code == 401:  # the account itself was deleted
                self._credentials = self._register()
                response = self._http.post("/login", json=self._credentials)
            response.raise_for_status()
            self._token = str(response.json()["token"])
        return self._token

    def spend(self) -> None:
        self._token = None


_accounts: dict[str, Account] = {}


def _account(label: str) -> Account:
    if label not in _accounts:
        _accounts[label] = Account(os.environ["API_URL"], label)
    return _accounts[label]


def _label(case: Case[Any]) -> str:
    return "disposable" if case.operation.label in DISPOSABLE else "steady"


# No caching by schemathesis: which token a case gets depends on its operation.
@schemathesis.auth(refresh_interval=None)
class RegisteredUser:
    def get(self, case: Case[Any], ctx: AuthContext) -> str:
        return _account(_label(case)).token()

    def set(self, case: Case[Any], data: str, ctx: AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def after_call(ctx: Any, case: Case[Any], response: Any) -> None:
    if case.operation.label in DISPOSABLE and response.status_code < 300:
        _account("disposable").spend()


# (status, error type or None for any) that a schema-valid request may get:
REFUSED_FOR_STATE = {
    # If-Match names a version the contact is not at.
    (412, None),
    # A cursor this API never issued (cursors are opaque, signed strings).
    (422, "cursor_invalid"),
    # The same Idempotency-Key sent earlier with another body.
    (422, "idempotency_key_reused"),
    # merge's other_id is not one of the caller's contacts.
    (422, "contact_not_found"),
    # A file whose content is not a vCard or CSV this API reads.
    (422, "file_empty"),
    (422, "file_encoding"),
    (422, "csv_invalid"),
    (422, "csv_header"),
    (422, "vcard_invalid"),
    (422, "too_many_rows"),
    # A new password on the common-passwords list.
    (422, "password_too_common"),
    (422, "special_use_domain"),
}
# Confirming with a password that is not the account's: 400, documented.
PASSWORD_CONFIRMING = frozenset({"DELETE /me", "POST /me/password"})


# email-validator refuses special-use domains (RFC 6761: .test, .invalid, .localhost…),
# which can never receive mail; JSON Schema's `email` format does not know them.
SPECIAL_USE_DOMAIN = "special-use or reserved name"


def _error_types(response: Any) -> set[str | None]:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return {None}
    if not isinstance(detail, list):
        return {None}
    return {
        "special_use_domain" if SPECIAL_USE_DOMAIN in str(issue.get("msg")) else issue.get("type")
        for issue in detail
        if isinstance(issue, dict)
    }


@schemathesis.hook
def filter_failure(ctx: Any, failure: Any, case: Case[Any], response: Any) -> bool:
    """Keep every failure but a refusal of valid data that the server's state explains."""
    if not isinstance(failure, RejectedPositiveData):
        return True
    status = response.status_code
    if status == 400 and case.operation.label in PASSWORD_CONFIRMING:
        return False
    types = _error_types(response)
    # Every issue reported must be one the state explains, not just one of them.
    return not all((status, kind) in REFUSED_FOR_STATE for kind in types) and (
        (status, None) not in REFUSED_FOR_STATE
    )
