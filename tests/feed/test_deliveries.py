"""The webhook outbox: backoff, Retry-After, dead letters, and surviving a restart."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from podium.config import Settings
from podium.feed import deliveries
from podium.feed.deliveries import Deliveries
from podium.store.database import Database
from podium.store.tables import Delivery, Webhook
from podium.store.types import utcnow
from tests.dialects.polympics.conftest import Receiver


@pytest.fixture
def receiver() -> object:
    found = Receiver()
    yield found
    found.close()


def test_retry_delay_doubles_with_jitter_and_a_ceiling() -> None:
    rng = random.Random(7)
    for attempts, full in ((1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)):
        for _ in range(20):
            delay = deliveries.retry_delay(attempts, 2.0, 60.0, rng)
            assert full / 2 <= delay <= full


def test_retry_after_reads_seconds_and_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert deliveries.retry_after("120", now) == 120.0
    assert deliveries.retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert deliveries.retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0
    assert deliveries.retry_after("soon", now) is None
    assert deliveries.retry_after(None, now) is None


def _settings(database: Database, attempts: int = 3) -> Settings:
    return Settings(
        database_url=database.url,
        webhook_max_attempts=attempts,
        webhook_retry_base_seconds=0.01,
        webhook_retry_max_seconds=0.05,
        webhook_timeout_seconds=5,
    )


async def _owe(database: Database, url: str, body: dict[str, object]) -> int:
    async with database.write() as session:
        hook = Webhook(kind="polympics", url=url, secret="shh", event_types=["e"])
        session.add(hook)
        await session.flush()
        deliveries.enqueue(session, hook, "e", body)
        await session.flush()
        row = await session.scalar(select(Delivery).where(Delivery.webhook_id == hook.id))
        assert row is not None
        return row.id


async def _state(database: Database, delivery_id: int) -> Delivery:
    async with database.read() as session:
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        return row


async def _drain(worker: Deliveries, rounds: int) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(rounds):
            await worker.run_once(http)
            await asyncio.sleep(0.06)


async def test_a_receiver_that_always_fails_ends_dead(
    database: Database, receiver: Receiver
) -> None:
    receiver.fail_next = 100
    delivery_id = await _owe(database, receiver.url, {"n": 1})
    await _drain(Deliveries(database, _settings(database)), 6)
    row = await _state(database, delivery_id)
    assert row.state == "dead" and row.attempts == 3 and row.last_status == 503
    assert receiver.attempts == 3


async def test_unreachable_receivers_are_retried(database: Database) -> None:
    delivery_id = await _owe(database, "http://127.0.0.1:9/nothing-listens", {"n": 2})
    await _drain(Deliveries(database, _settings(database, attempts=2)), 4)
    row = await _state(database, delivery_id)
    assert row.state == "dead" and row.last_status is None and row.last_error


async def test_retry_after_is_honoured(database: Database, receiver: Receiver) -> None:
    receiver.fail_next = 1
    receiver.retry_after = "30"
    delivery_id = await _owe(database, receiver.url, {"n": 3})
    settings = _settings(database).model_copy(update={"webhook_retry_max_seconds": 600.0})
    await _drain(Deliveries(database, settings), 1)
    row = await _state(database, delivery_id)
    wait = (row.next_attempt_at - utcnow()).total_seconds()
    # The bare backoff would be about 0.01 s; the receiver asked for 30.
    assert row.state == "pending" and 25 < wait <= 30


async def test_a_delivery_survives_a_restart(database: Database, receiver: Receiver) -> None:
    """A worker that claimed a row and died leaves it for the next worker after the lease."""
    delivery_id = await _owe(database, receiver.url, {"n": 4})
    async with database.write() as session:
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        row.attempts = 1  # claimed by a worker that then died mid-send ...
        row.next_attempt_at = utcnow() - timedelta(seconds=1)  # ... and whose lease ran out
    fresh = Deliveries(database, _settings(database))
    await _drain(fresh, 1)
    row = await _state(database, delivery_id)
    assert row.state == "delivered" and row.attempts == 2 and row.delivered_at is not None
    assert [r.body for r in receiver.received] == [{"n": 4}]


async def test_a_claimed_row_is_not_sent_twice(database: Database, receiver: Receiver) -> None:
    await _owe(database, receiver.url, {"n": 5})
    worker = Deliveries(database, _settings(database))
    claimed = await worker._claim()
    assert len(claimed) == 1
    assert await worker._claim() == []  # leased to the first claim


async def test_the_run_loop_delivers_when_woken(database: Database, receiver: Receiver) -> None:
    worker = Deliveries(database, _settings(database))
    task = asyncio.create_task(worker.run())
    try:
        delivery_id = await _owe(database, receiver.url, {"n": 6})
        worker.wake()
        for _ in range(200):
            if (await _state(database, delivery_id)).state == "delivered":
                break
            await asyncio.sleep(0.02)
        assert (await _state(database, delivery_id)).state == "delivered"
        assert receiver.received[0].headers["Authorization"] == "Bearer shh"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
