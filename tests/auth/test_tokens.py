from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from auth.errors import InvalidToken
from auth.tokens import ALGORITHM, TokenIssuer

KEY = "k" * 32


def test_issue_then_decode_round_trips_the_claims() -> None:
    issuer = TokenIssuer(SecretStr(KEY), timedelta(minutes=30))

    issued = issuer.issue(42)
    claims = issuer.decode(issued.token)

    assert claims == issued.claims
    assert claims.user_id == 42
    assert issued.expires_in == 1800
    payload = jwt.decode(issued.token, KEY, algorithms=[ALGORITHM])
    assert set(payload) == {"sub", "jti", "iat", "exp"}
    assert payload["sub"] == "42"
    assert payload["exp"] - payload["iat"] == 1800


def test_every_token_gets_its_own_jti() -> None:
    issuer = TokenIssuer(SecretStr(KEY), timedelta(minutes=30))

    assert len({issuer.issue(1).claims.jti for _ in range(100)}) == 100


def test_expiry_is_enforced_beyond_a_small_leeway() -> None:
    issuer = TokenIssuer(SecretStr(KEY), timedelta(minutes=1))
    just_expired = issuer.issue(1, now=datetime.now(UTC) - timedelta(minutes=1, seconds=5))
    long_expired = issuer.issue(1, now=datetime.now(UTC) - timedelta(minutes=2))

    assert issuer.decode(just_expired.token).user_id == 1
    with pytest.raises(InvalidToken):
        issuer.decode(long_expired.token)


def test_a_token_from_another_secret_is_invalid() -> None:
    theirs = TokenIssuer(SecretStr("x" * 32), timedelta(minutes=5)).issue(1)

    with pytest.raises(InvalidToken):
        TokenIssuer(SecretStr(KEY), timedelta(minutes=5)).decode(theirs.token)


@pytest.mark.parametrize("token", ["", "a", "a.b", "a.b.c", "ey.ey.ey", "\u00e9.\u00e9.\u00e9"])
def test_garbage_is_invalid(token: str) -> None:
    with pytest.raises(InvalidToken):
        TokenIssuer(SecretStr(KEY), timedelta(minutes=5)).decode(token)


def test_an_out_of_range_expiry_is_invalid_not_a_crash() -> None:
    token = jwt.encode({"sub": "1", "jti": "j", "iat": 0, "exp": 10**20}, KEY, algorithm=ALGORITHM)

    with pytest.raises(InvalidToken):
        TokenIssuer(SecretStr(KEY), timedelta(minutes=5)).decode(token)
