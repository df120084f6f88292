"""Optional Redis connection (shared state when several workers serve one store)."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError


def connect(url: str) -> Redis:
    return Redis.from_url(url, decode_responses=False)


async def redis_status(url: str | None) -> str | None:
    """'ok', an error description, or None when no Redis is configured."""
    if not url:
        return None
    client = connect(url)
    try:
        await client.ping()
        return "ok"
    except (RedisError, OSError) as exc:
        return f"error: {type(exc).__name__}"
    finally:
        await client.aclose()
