import asyncio
import os
import threading

from auth.passwords import HASHING_NICENESS, PasswordHasher


async def test_hash_is_argon2id_and_verifies() -> None:
    hasher = PasswordHasher()

    hashed = await hasher.hash("correct horse battery")

    assert hashed.startswith("$argon2id$")
    assert await hasher.verify("correct horse battery", hashed)
    assert not await hasher.verify("correct horse batterx", hashed)


async def test_same_password_hashes_differently_each_time() -> None:
    hasher = PasswordHasher()

    assert await hasher.hash("same password") != await hasher.hash("same password")


async def test_compatibility_forms_verify_alike() -> None:
    hasher = PasswordHasher()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "password12")  # U+FF50...
    hashed = await hasher.hash(full_width)

    assert await hasher.verify("password12", hashed)


async def test_a_malformed_stored_hash_fails_verification_instead_of_raising() -> None:
    hasher = PasswordHasher()

    assert not await hasher.verify("anything", "not-a-hash")
    assert not await hasher.verify("anything", "")


async def test_hashing_runs_at_a_lower_priority_than_requests() -> None:
    hasher = PasswordHasher(2)
    await asyncio.gather(hasher.hash("one password"), hasher.hash("another one"))

    hashing = _hashing_threads()

    assert hashing
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0
    for thread in hashing:
        assert thread.native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, thread.native_id) == HASHING_NICENESS
    hasher.close()


def _hashing_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("argon2")}


async def test_no_more_hashes_run_at_once_than_allowed() -> None:
    before = _hashing_threads()  # other hashers' threads, if still winding down
    hasher = PasswordHasher(2)

    await asyncio.gather(*(hasher.hash(f"password {i}") for i in range(6)))

    assert len(_hashing_threads() - before) == 2
    hasher.close()
