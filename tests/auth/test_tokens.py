from dataclasses import replace
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from auth.errors import InvalidToken
from auth.tokens import ALGORITHM, TokenIssuer, TokenKind, TokenPolicy

KEY = "k" * 32
POLICY = TokenPolicy(
    access_lifetime=timedelta(minutes=30),
    refresh_lifetime=timedelta(days=30),
    issuer="contacts-api",
    audience="contacts-api",
)
ACCESS, REFRESH = TokenKind.ACCESS, TokenKind.REFRESH


def _issuer(key: str = KEY, policy: TokenPolicy = POLICY) -> TokenIssuer:
    return TokenIssuer(SecretStr(key), policy)


@pytest.mark.parametrize(("kind", "lifetime"), [(ACCESS, 1800), (REFRESH, 30 * 86400)])
def test_issue_then_decode_round_trips_the_claims(kind: TokenKind, lifetime: int) -> None:
    issued = _issuer().issue(kind, 42, "session-1")
    claims = _issuer().decode(issued.token, kind)

    assert claims == issued.claims
    assert (claims.user_id, claims.session_id) == (42, "session-1")
    assert issued.expires_in == lifetime
    decoded = jwt.decode_complete(
        issued.token, KEY, algorithms=[ALGORITHM], audience="contacts-api"
    )
    assert decoded["header"]["typ"] == kind
    payload = decoded["payload"]
    assert set(payload) == {"iss", "aud", "sub", "sid", "jti", "iat", "exp"}
    assert (payload["iss"], payload["aud"], payload["sub"]) == ("contacts-api",) * 2 + ("42",)
    assert payload["exp"] - payload["iat"] == lifetime


@pytest.mark.parametrize(("issued_as", "presented_as"), [(ACCESS, REFRESH), (REFRESH, ACCESS)])
def test_a_token_of_one_kind_is_refused_as_the_other(
    issued_as: TokenKind, presented_as: TokenKind
) -> None:
    token = _issuer().issue(issued_as, 1, "s").token

    with pytest.raises(InvalidToken):
        _issuer().decode(token, presented_as)


def test_a_pair_shares_the_session_but_not_the_jti() -> None:
    pair = _issuer().issue_pair(7, "s")

    assert pair.access.claims.session_id == pair.refresh.claims.session_id == "s"
    assert pair.access.claims.jti != pair.refresh.claims.jti


def test_every_token_gets_its_own_jti() -> None:
    assert len({_issuer().issue(ACCESS, 1, "s").claims.jti for _ in range(100)}) == 100


def test_expiry_is_enforced_beyond_a_small_leeway() -> None:
    policy = TokenPolicy(timedelta(minutes=1), timedelta(days=1), "i", "a")
    issuer = _issuer(policy=policy)
    just_expired = issuer.issue(ACCESS, 1, "s", now=datetime.now(UTC) - timedelta(seconds=65))
    long_expired = issuer.issue(ACCESS, 1, "s", now=datetime.now(UTC) - timedelta(minutes=2))

    assert issuer.decode(just_expired.token, ACCESS).user_id == 1
    with pytest.raises(InvalidToken):
        issuer.decode(long_expired.token, ACCESS)


def test_a_token_from_another_secret_is_invalid() -> None:
    theirs = _issuer(key="x" * 32).issue(ACCESS, 1, "s")

    with pytest.raises(InvalidToken):
        _issuer().decode(theirs.token, ACCESS)


@pytest.mark.parametrize(
    "theirs", [replace(POLICY, issuer="elsewhere"), replace(POLICY, audience="elsewhere")]
)
def test_a_token_for_another_issuer_or_audience_is_invalid(theirs: TokenPolicy) -> None:
    token = _issuer(policy=theirs).issue(ACCESS, 1, "s")

    with pytest.raises(InvalidToken):
        _issuer().decode(token.token, ACCESS)


@pytest.mark.parametrize("token", ["", "a", "a.b", "a.b.c", "ey.ey.ey", "\u00e9.\u00e9.\u00e9"])
def test_garbage_is_invalid(token: str) -> None:
    with pytest.raises(InvalidToken):
        _issuer().decode(token, ACCESS)


def test_an_out_of_range_expiry_is_invalid_not_a_crash() -> None:
    claims = {"iss": "contacts-api", "aud": "contacts-api", "sub": "1", "sid": "s", "jti": "j"}
    token = jwt.encode(
        {**claims, "iat": 0, "exp": 10**20}, KEY, algorithm=ALGORITHM, headers={"typ": ACCESS}
    )

    with pytest.raises(InvalidToken):
        _issuer().decode(token, ACCESS)
