"""The password policy (length, blocklist, normalisation) and hash upgrades, over HTTP."""

import unicodedata
from typing import Any

import pytest
from httpx import AsyncClient, Response
from pwdlib.hashers.argon2 import Argon2Hasher

from models import User
from models.passwords import common_passwords
from tests.helpers import PASSWORD, login, register

CURRENT_PARAMETERS = "$argon2id$v=19$m=65536,t=3,p=4$"
LEGACY_PARAMETERS = "$argon2id$v=19$m=19456,t=2,p=1$"
# "Password123" in full-width letters and digits (U+FF30...), as a CJK keyboard may type it.
FULL_WIDTH_PASSWORD123 = "".join(chr(ord(c) + 0xFEE0) for c in "Password123")


async def _register(client: AsyncClient, email: str, password: str) -> Response:
    body = {"first_name": "Test", "last_name": "User", "email": email, "password": password}
    return await client.post("/register", json=body)


async def _login(client: AsyncClient, email: str, password: str) -> Response:
    return await client.post("/login", json={"email": email, "password": password})


async def _stored_hash(email: str) -> str:
    user = await User.find_one(User.email == email)
    assert user is not None
    return user.password_hash


def _password_error(response: Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    errors: list[dict[str, Any]] = response.json()["detail"]
    assert len(errors) == 1
    assert errors[0]["loc"] == ["body", "password"]
    return errors[0]


# The blocklist


def test_the_shipped_blocklist_is_large_and_every_entry_can_match() -> None:
    entries = common_passwords()

    assert len(entries) >= 10_000
    assert {"password123", "12345678", "iloveyou"} <= entries
    # Lookups are of the NFKC-casefolded password: an entry in any other form never matches.
    assert all(unicodedata.normalize("NFKC", e).casefold() == e for e in entries)
    assert all(e == e.strip() and e for e in entries)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("password123", "password123"),
        ("PassWord123", "password123"),
        ("PASSWORD123", "password123"),
        (FULL_WIDTH_PASSWORD123, "password123"),
        ("12345678", "12345678"),
        ("iloveyou", "iloveyou"),
        ("Qwertyuiop", "qwertyuiop"),
        ("trustno1", "trustno1"),
        ("FOOTBALL", "football"),
    ],
)
async def test_a_common_password_is_refused_in_any_case(
    client: AsyncClient, typed: str, listed: str
) -> None:
    assert listed in common_passwords()

    response = await _register(client, "common@example.com", typed)

    error = _password_error(response)
    assert error["type"] == "password_too_common"
    assert "common" in error["msg"]
    assert typed not in response.text
    assert await User.find_all().count() == 0


async def test_an_uncommon_eight_character_password_is_accepted(client: AsyncClient) -> None:
    password = "zq8#Lm2!"
    assert password.casefold() not in common_passwords()

    response = await _register(client, "uncommon@example.com", password)

    assert response.status_code == 201, response.text
    assert await login(client, "uncommon@example.com", password)


# Length, counted in characters of any script


async def test_a_64_character_non_ascii_password_registers_and_logs_in(
    client: AsyncClient,
) -> None:
    password = ("Grüße-Straße 中文密码 😀🔑 ünïcödé " * 3)[:64]
    assert len(password) == 64
    assert len(password.encode()) > 64
    assert unicodedata.is_normalized("NFKC", password)

    assert (await _register(client, "intl@example.com", password)).status_code == 201

    assert (await _login(client, "intl@example.com", password)).status_code == 200
    assert (await _login(client, "intl@example.com", password[:-1] + "😃")).status_code == 401
    assert (await _login(client, "intl@example.com", password[:-1])).status_code == 401


@pytest.mark.parametrize("character", ["p", "ü", "ß", "中", "😀"])
async def test_128_characters_are_accepted_and_129_refused(
    client: AsyncClient, character: str
) -> None:
    longest = character * 127 + "x"
    email = "long@example.com"

    assert (await _register(client, email, longest)).status_code == 201
    assert (await _login(client, email, longest)).status_code == 200
    # Not truncated: the first 127 characters alone are a different password.
    assert (await _login(client, email, longest[:127])).status_code == 401

    too_long = _password_error(await _register(client, "longer@example.com", longest + "y"))
    assert too_long["type"] == "string_too_long"
    assert await User.find(User.email == "longer@example.com").count() == 0


@pytest.mark.parametrize("password", ["x7#kQ2!", "ü" * 7, "中文密码中文密", "😀" * 7])
async def test_seven_characters_are_refused(client: AsyncClient, password: str) -> None:
    error = _password_error(await _register(client, "short@example.com", password))

    assert error["type"] == "string_too_short"
    assert await User.find_all().count() == 0


@pytest.mark.parametrize("password", ["ü" * 8, "中文密码中文密码", "😀" * 8])
async def test_eight_non_ascii_characters_are_enough(client: AsyncClient, password: str) -> None:
    assert (await _register(client, "eight@example.com", password)).status_code == 201

    assert (await _login(client, "eight@example.com", password)).status_code == 200


# Normalisation


async def test_length_is_counted_after_normalisation(client: AsyncClient) -> None:
    # "é" typed as "e" plus a combining accent is two code points but one character.
    four_accented = "e\u0301" * 4
    error = _password_error(await _register(client, "four@example.com", four_accented))
    assert error["type"] == "string_too_short"

    longest = "e\u0301" * 128  # 256 code points as typed, 128 characters as hashed
    assert (await _register(client, "longest@example.com", longest)).status_code == 201
    assert (await _login(client, "longest@example.com", "\u00e9" * 128)).status_code == 200


@pytest.mark.parametrize(
    "composed", ["Ünïcödé-Pässwörd", "crème brûlée à la française", "Ångström-Ωmega-ñandú"]
)
async def test_a_password_logs_in_whichever_normal_form_it_is_typed_in(
    client: AsyncClient, composed: str
) -> None:
    composed = unicodedata.normalize("NFC", composed)
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed

    assert (await _register(client, "nfc@example.com", composed)).status_code == 201
    assert (await _register(client, "nfd@example.com", decomposed)).status_code == 201

    for email in ("nfc@example.com", "nfd@example.com"):
        assert (await _login(client, email, decomposed)).status_code == 200
        assert (await _login(client, email, composed)).status_code == 200
        assert (await _login(client, email, composed.swapcase())).status_code == 401


# Hashes made with older parameters


def _legacy_hash(password: str) -> str:
    hashed = Argon2Hasher(time_cost=2, memory_cost=19456, parallelism=1).hash(password)
    assert hashed.startswith(LEGACY_PARAMETERS)
    return hashed


async def _store_legacy_hash(email: str, password: str) -> str:
    legacy = _legacy_hash(password)
    result = await User.get_pymongo_collection().update_one(
        {"email": email}, {"$set": {"password_hash": legacy}}
    )
    assert result.modified_count == 1
    return legacy


async def test_a_login_upgrades_a_hash_made_with_older_parameters(client: AsyncClient) -> None:
    await register(client, "legacy@example.com")
    assert (await _stored_hash("legacy@example.com")).startswith(CURRENT_PARAMETERS)
    legacy = await _store_legacy_hash("legacy@example.com", PASSWORD)

    assert (await _login(client, "legacy@example.com", PASSWORD)).status_code == 200

    upgraded = await _stored_hash("legacy@example.com")
    assert upgraded != legacy
    assert upgraded.startswith(CURRENT_PARAMETERS)
    # The upgraded hash is of the same password.
    assert (await _login(client, "legacy@example.com", PASSWORD)).status_code == 200
    assert await _stored_hash("legacy@example.com") == upgraded
    assert (await _login(client, "legacy@example.com", "not the password")).status_code == 401


async def test_a_failed_login_leaves_an_old_hash_alone(client: AsyncClient) -> None:
    await register(client, "legacy@example.com")
    legacy = await _store_legacy_hash("legacy@example.com", PASSWORD)

    assert (await _login(client, "legacy@example.com", "not the password")).status_code == 401

    assert await _stored_hash("legacy@example.com") == legacy
    assert (await _login(client, "legacy@example.com", PASSWORD)).status_code == 200
    assert (await _stored_hash("legacy@example.com")).startswith(CURRENT_PARAMETERS)


async def test_a_current_hash_is_not_rewritten_at_login(client: AsyncClient) -> None:
    await register(client, "current@example.com")
    stored = await _stored_hash("current@example.com")

    assert (await _login(client, "current@example.com", PASSWORD)).status_code == 200

    assert await _stored_hash("current@example.com") == stored


async def test_a_non_ascii_password_with_a_legacy_hash_is_upgraded(client: AsyncClient) -> None:
    composed = "Ünïcödé-Pässwörd 中文"
    await register(client, "legacy@example.com", composed)
    # The app hashes the NFKC form; a legacy hash of that form must keep working.
    await _store_legacy_hash("legacy@example.com", unicodedata.normalize("NFKC", composed))

    decomposed = unicodedata.normalize("NFD", composed)
    assert (await _login(client, "legacy@example.com", decomposed)).status_code == 200

    assert (await _stored_hash("legacy@example.com")).startswith(CURRENT_PARAMETERS)
    assert (await _login(client, "legacy@example.com", composed)).status_code == 200
