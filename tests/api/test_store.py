from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from api.store import EmbeddedStore, StoreStartError


async def _ping(url: str) -> float:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=2000
    )
    try:
        return float((await client.admin.command("ping"))["ok"])
    finally:
        await client.close()


async def test_starts_on_loopback_with_its_own_files_and_stops(data_dir: Path) -> None:
    store = EmbeddedStore(data_dir)

    url = await store.start()
    try:
        assert url.startswith("mongodb://127.0.0.1:")
        assert await _ping(url) == 1.0
        assert store.pid_path.is_file()
        assert store.databases_dir.parent == data_dir
    finally:
        await store.stop()

    assert not store.pid_path.exists()


async def test_a_second_instance_on_the_same_data_dir_is_refused_clearly(data_dir: Path) -> None:
    first = EmbeddedStore(data_dir)
    await first.start()
    try:
        with pytest.raises(StoreStartError, match="Another API instance is using"):
            await EmbeddedStore(data_dir).start()
        assert await _ping(first.url) == 1.0
    finally:
        await first.stop()


async def test_stop_is_idempotent(data_dir: Path) -> None:
    store = EmbeddedStore(data_dir)
    await store.start()

    await store.stop()
    await store.stop()

    assert not store.pid_path.exists()


async def test_a_stale_pid_file_does_not_block_start(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    store = EmbeddedStore(data_dir)
    # A live process that is not a store: pid 1 always exists.
    store.pid_path.write_text("1")

    await store.start()
    try:
        assert await _ping(store.url) == 1.0
    finally:
        await store.stop()


async def test_database_names_are_isolated(data_dir: Path) -> None:
    store = EmbeddedStore(data_dir)
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(await store.start())
    try:
        await client["one"]["things"].insert_one({"_id": 1})
        await client.drop_database("two")

        assert await client["one"]["things"].count_documents({}) == 1
        assert await client["two"]["things"].count_documents({}) == 0
    finally:
        await client.close()
        await store.stop()
