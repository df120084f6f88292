"""Who may change boards when: the built-board registry, the applied seq, and two locks.

Boards are kept correct by one protocol on both backends:

- one *apply lock* serialises every change made from the event log (catch-up, and the
  last step of a build), so two processes never refresh the same competitor out of
  order and the applied seq only moves past events that were applied;
- a *build lock* per board means one process builds it while the others wait;
- a board is registered as built (with the format it was built with) only under the
  apply lock, after the events committed since its snapshot were replayed into it.

``LocalCoordination`` holds all of this in one process (embedded mode);
``RedisCoordination`` holds it in Redis, so every worker sharing the Redis agrees.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

log = logging.getLogger("podium.ranking")

# A lock holder renews its lease every third of it, so a live holder never loses
# the lock and a dead one frees it within this many seconds.
LEASE_SECONDS = 30.0
# How often a process waiting for a Redis lock asks again.
POLL_SECONDS = 0.005


class Coordination(Protocol):
    async def applied(self) -> int: ...
    async def set_applied(self, seq: int) -> None: ...
    async def built(self, board: str) -> str | None: ...
    async def mark_built(self, board: str, fmt: str) -> None: ...
    async def unmark(self, competition_id: int) -> list[str]: ...
    async def built_competitions(self) -> set[int]: ...
    def apply_lock(self) -> AbstractAsyncContextManager[None]: ...
    def build_lock(self, board: str) -> AbstractAsyncContextManager[None]: ...


def competition_of(board: str) -> int:
    """Board names are ``"<competition>:<challenge or 0>"``."""
    return int(board.split(":", 1)[0])


class LocalCoordination:
    """One process owns its boards: asyncio locks and plain attributes."""

    def __init__(self) -> None:
        self._applied = 0
        self._built: dict[str, str] = {}
        self._apply = asyncio.Lock()
        self._builds: dict[str, asyncio.Lock] = {}

    async def applied(self) -> int:
        return self._applied

    async def set_applied(self, seq: int) -> None:
        self._applied = max(self._applied, seq)

    async def built(self, board: str) -> str | None:
        return self._built.get(board)

    async def mark_built(self, board: str, fmt: str) -> None:
        self._built[board] = fmt

    async def unmark(self, competition_id: int) -> list[str]:
        gone = [name for name in self._built if competition_of(name) == competition_id]
        for name in gone:
            del self._built[name]
        return gone

    async def built_competitions(self) -> set[int]:
        return {competition_of(name) for name in self._built}

    def apply_lock(self) -> AbstractAsyncContextManager[None]:
        return _asyncio_held(self._apply)

    def build_lock(self, board: str) -> AbstractAsyncContextManager[None]:
        return _asyncio_held(self._builds.setdefault(board, asyncio.Lock()))


@asynccontextmanager
async def _asyncio_held(lock: asyncio.Lock) -> AsyncIterator[None]:
    async with lock:
        yield


# Move the applied seq forward only, whichever process writes last.
_FORWARD = (
    "local v = tonumber(redis.call('GET', KEYS[1]) or '0') "
    "if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1]) end return 1"
)


class RedisCoordination:
    """Every worker sharing one Redis shares the registry, the seq and the locks."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._applied_key = f"{prefix}:applied"
        # board name -> the format it was built with (JSON)
        self._registry = f"{prefix}:boards"

    async def applied(self) -> int:
        return int(await self.redis.get(self._applied_key) or 0)

    async def set_applied(self, seq: int) -> None:
        await self.redis.eval(_FORWARD, 1, self._applied_key, str(seq))

    async def built(self, board: str) -> str | None:
        found = await self.redis.hget(self._registry, board)
        return None if found is None else _text(found)

    async def mark_built(self, board: str, fmt: str) -> None:
        await self.redis.hset(self._registry, board, fmt)

    async def unmark(self, competition_id: int) -> list[str]:
        names = [_text(name) for name in await self.redis.hkeys(self._registry)]
        gone = [name for name in names if competition_of(name) == competition_id]
        if gone:
            await self.redis.hdel(self._registry, *gone)
        return gone

    async def built_competitions(self) -> set[int]:
        return {competition_of(_text(name)) for name in await self.redis.hkeys(self._registry)}

    def apply_lock(self) -> AbstractAsyncContextManager[None]:
        return self._held(f"{self.prefix}:lock:apply")

    def build_lock(self, board: str) -> AbstractAsyncContextManager[None]:
        return self._held(f"{self.prefix}:lock:build:{board}")

    @asynccontextmanager
    async def _held(self, name: str) -> AsyncIterator[None]:
        # A fresh Lock (and token) per holder: tasks of one process must not share one.
        lock = Lock(self.redis, name, timeout=LEASE_SECONDS, sleep=POLL_SECONDS, thread_local=False)
        await lock.acquire(token=uuid.uuid4().hex)
        renewing = asyncio.create_task(_renew(lock))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            try:
                await lock.release()
            except LockError:  # the lease ran out (a stalled process): say so, go on
                log.warning("board lock lease expired before release", extra={"lock": name})


async def _renew(lock: Lock) -> None:
    while True:
        await asyncio.sleep(LEASE_SECONDS / 3)
        try:
            await lock.reacquire()
        except LockError:
            log.warning("board lock lost", extra={"lock": _text(lock.name)})
            return


def _text(value: bytes | str | memoryview) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    return value.decode() if isinstance(value, bytes) else value
