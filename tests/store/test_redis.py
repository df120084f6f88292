"""The optional Redis connection, against the real service."""

from __future__ import annotations

from podium.store.redis import connect, redis_status
from tests.conftest import free_port


async def test_status_ok_and_round_trip(redis_url: str) -> None:
    assert await redis_status(redis_url) == "ok"
    client = connect(redis_url)
    try:
        await client.set("podium:test:ping", b"pong", ex=10)
        assert await client.get("podium:test:ping") == b"pong"
    finally:
        await client.delete("podium:test:ping")
        await client.aclose()


async def test_status_reports_unreachable_and_unset() -> None:
    assert await redis_status(None) is None
    state = await redis_status(f"redis://127.0.0.1:{free_port()}/0")
    assert state is not None and state.startswith("error:")
