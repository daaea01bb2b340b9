from auth.passwords import PasswordHasher


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
