"""The optional Redis connection, against the real service."""

from __future__ import annotations

from podium.store.redis import connect, redis_status
from tests.conftest import closed_port


async def test_status_ok_and_round_trip(redis_url: str, redis_prefix: str) -> None:
    assert await redis_status(redis_url) == "ok"
    client = connect(redis_url)
    key = f"{redis_prefix}:ping"
    try:
        await client.set(key, b"pong", ex=10)
        assert await client.get(key) == b"pong"
    finally:
        await client.delete(key)
        await client.aclose()


async def test_status_reports_unreachable_and_unset() -> None:
    assert await redis_status(None) is None
    with closed_port() as port:
        state = await redis_status(f"redis://127.0.0.1:{port}/0")
    assert state is not None and state.startswith("error:")
