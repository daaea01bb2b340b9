import asyncio

from httpx import AsyncClient

from models.counter import next_id


async def test_sequences_start_at_one_and_count_up(client: AsyncClient) -> None:
    assert [await next_id("widgets") for _ in range(3)] == [1, 2, 3]


async def test_sequences_are_independent(client: AsyncClient) -> None:
    await next_id("a")
    await next_id("a")

    assert await next_id("b") == 1
    assert await next_id("a") == 3


async def test_concurrent_takers_never_share_a_value(client: AsyncClient) -> None:
    values = await asyncio.gather(*(next_id("race") for _ in range(100)))

    assert sorted(values) == list(range(1, 101))
