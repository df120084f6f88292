"""Outbound webhook delivery from a transactional outbox.

A change that owes someone a message writes a ``Delivery`` row in its own
transaction (``enqueue``); native webhooks instead follow the event log: the worker
turns events past each webhook's stored cursor into deliveries and moves the cursor
in the same transaction (``fan_out``), so no event is skipped or owed twice. A
worker then POSTs due rows, retrying failures with
exponential backoff and jitter (honouring ``Retry-After``) until the receiver
answers 2xx or the tries run out, when the row is parked as ``dead``. Claiming a
row pushes ``next_attempt_at`` out by a lease, so several workers never send the
same row at once and a worker that dies mid-send leaves it to be retried. The claim
locks rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (and re-checks the due time
against a row another process just claimed), so any number of processes can run
this worker against one store; ``stop`` lets the round in hand settle first, so a
stopping worker does not leave sent rows to be sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.config import Settings
from podium.core import limits
from podium.feed import signing, stream
from podium.store.database import Database
from podium.store.tables import Delivery, Event, Webhook
from podium.store.types import utcnow

log = logging.getLogger("podium.deliveries")

BATCH = 50
FAN_OUT_EVENTS = 1000
POLL_SECONDS = 1.0

# How each kind of webhook turns a delivery into request headers.
Headers = Callable[[Webhook, Delivery, bytes], dict[str, str]]


def bearer_headers(webhook: Webhook, _delivery: Delivery, _body: bytes) -> dict[str, str]:
    """Polympics callbacks: the registered secret as a bearer token, nothing signed."""
    return {"Authorization": f"Bearer {webhook.secret}"}


def signed_headers(webhook: Webhook, delivery: Delivery, body: bytes) -> dict[str, str]:
    """Native webhooks: an HMAC signature over timestamp and body, and a delivery id
    that stays the same on every retry, so a receiver can drop repeats."""
    return {
        signing.HEADER: signing.sign(webhook.secret, body),
        signing.DELIVERY_HEADER: str(delivery.body.get("id", delivery.id)),
        signing.EVENT_HEADER: delivery.event_type,
    }


HEADERS: dict[str, Headers] = {"polympics": bearer_headers, "native": signed_headers}


def enqueue(session: AsyncSession, webhook: Webhook, event_type: str, body: dict[str, Any]) -> None:
    """Owe ``webhook`` this message once the surrounding transaction commits."""
    session.add(Delivery(webhook_id=webhook.id, event_type=event_type, body=body))


def native_body(webhook: Webhook, event: Event) -> dict[str, Any]:
    """What a native webhook receives: the feed's line for the event, under an id
    unique to this webhook and event (the idempotency key)."""
    return {
        "id": f"wh{webhook.id}-e{event.seq}",
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": stream.line(event),
    }


async def subscribe(
    session: AsyncSession,
    *,
    url: str,
    secret: str,
    event_types: list[str],
    organization_id: int | None,
    competition_id: int | None,
    description: str = "",
    active: bool = True,
    credential_id: int | None = None,
) -> Webhook:
    """A native webhook that is owed the events committed from now on."""
    newest = await session.scalar(select(func.coalesce(func.max(Event.seq), 0)))
    hook = Webhook(
        kind="native",
        credential_id=credential_id,
        organization_id=organization_id,
        competition_id=competition_id,
        event_types=event_types,
        url=url,
        secret=secret,
        description=description,
        active=active,
        cursor_seq=int(newest or 0),
    )
    session.add(hook)
    await session.flush()
    return hook


async def replay(session: AsyncSession, delivery: Delivery) -> None:
    """Send a dead delivery again, with a fresh count of tries."""
    delivery.state = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    delivery.last_error = None


def retry_delay(attempts: int, base: float, ceiling: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: between half and all of base * 2^(n-1)."""
    full = min(ceiling, base * 2.0 ** max(attempts - 1, 0))
    return full / 2 + rng.random() * full / 2


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if limits.digits(value) and len(value) < 12:
        return float(value)
    with contextlib.suppress(TypeError, ValueError, IndexError):
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - now).total_seconds())
    return None


class Deliveries:
    """The delivery worker of one process; ``wake()`` after a commit that enqueued."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.database = database
        self.max_attempts = settings.webhook_max_attempts
        self.base = settings.webhook_retry_base_seconds
        self.ceiling = settings.webhook_retry_max_seconds
        self.timeout = settings.webhook_timeout_seconds
        self.lease = timedelta(seconds=settings.webhook_lease_seconds)
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Claim nothing more: ``run`` returns once the sends in hand are settled, so no
        receiver gets a delivery that is then sent again for want of a recorded answer."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Deliver until stopped or cancelled; polls as well, so rows that other
        processes enqueued are sent too."""
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            while not self._stopping:
                try:
                    sent = await self.run_once(http)
                except Exception:
                    log.exception("delivery round failed")
                    sent = 0
                if sent:
                    continue
                self._wake.clear()
                if self._stopping:
                    break
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(POLL_SECONDS):
                        await self._wake.wait()

    async def run_once(self, http: httpx.AsyncClient) -> int:
        """Owe native webhooks their new events, then send every due delivery once;
        the number attempted."""
        await self.fan_out()
        claimed = await self._claim()
        if claimed:
            await asyncio.gather(*(self._send(http, webhook, row) for webhook, row in claimed))
        return len(claimed)

    async def _claim(self) -> list[tuple[Webhook, Delivery]]:
        now = utcnow()
        async with self.database.write() as session:
            query = (
                select(Delivery)
                .where(Delivery.state == "pending", Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(BATCH)
            )
            if self.database.backend == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.scalars(query)).all())
            hooks = {
                hook.id: hook
                for hook in await session.scalars(
                    select(Webhook).where(Webhook.id.in_({row.webhook_id for row in rows}))
                )
            }
            for row in rows:
                row.attempts += 1
                row.next_attempt_at = now + self.lease
        return [(hooks[row.webhook_id], row) for row in rows if row.webhook_id in hooks]

    async def fan_out(self) -> int:
        """Turn events past each active native webhook's cursor into deliveries."""
        made = 0
        behind = select(Webhook.id).where(
            Webhook.kind == "native",
            Webhook.active.is_(True),
            Webhook.cursor_seq < select(func.coalesce(func.max(Event.seq), 0)).scalar_subquery(),
        )
        async with self.database.read() as session:
            if await session.scalar(behind.limit(1)) is None:
                return 0  # the usual case: no write transaction at all
        async with self.database.write() as session:
            newest = int(await session.scalar(select(func.coalesce(func.max(Event.seq), 0))) or 0)
            query = select(Webhook).where(
                Webhook.kind == "native", Webhook.active.is_(True), Webhook.cursor_seq < newest
            )
            if self.database.backend == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for hook in (await session.scalars(query)).all():
                upto = min(newest, hook.cursor_seq + FAN_OUT_EVENTS)
                wanted = stream.Filter(
                    organization_id=hook.organization_id,
                    competition_ids=None if hook.competition_id is None else [hook.competition_id],
                    types=hook.event_types,
                )
                events = await session.scalars(
                    select(Event)
                    .where(Event.seq > hook.cursor_seq, Event.seq <= upto, *wanted.where())
                    .order_by(Event.seq)
                )
                for event in events:
                    enqueue(session, hook, event.type, native_body(hook, event))
                    made += 1
                hook.cursor_seq = upto
        return made

    async def _send(self, http: httpx.AsyncClient, webhook: Webhook, row: Delivery) -> None:
        body = orjson.dumps(row.body)
        headers = {"Content-Type": "application/json", "User-Agent": "Podium-Webhooks"}
        headers.update(HEADERS[webhook.kind](webhook, row, body))
        status: int | None = None
        error: str | None = None
        wait: float | None = None
        try:
            response = await http.post(webhook.url, content=body, headers=headers)
            status = response.status_code
            if not response.is_success:
                error = f"HTTP {status}"
                wait = retry_after(response.headers.get("Retry-After"), utcnow())
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        await self._settle(row.id, status, error, wait)

    async def _settle(
        self, delivery_id: int, status: int | None, error: str | None, wait: float | None
    ) -> None:
        async with self.database.write() as session:
            row = await session.get(Delivery, delivery_id)
            if row is None or row.state != "pending":
                return
            row.last_status = status
            row.last_error = error
            now = utcnow()
            if error is None:
                row.state = "delivered"
                row.delivered_at = now
            elif row.attempts >= self.max_attempts:
                row.state = "dead"
                log.warning("delivery parked", extra={"delivery": row.id, "error": error})
            else:
                delay = retry_delay(row.attempts, self.base, self.ceiling, self._rng)
                if wait is not None:
                    delay = max(delay, min(wait, self.ceiling))
                row.next_attempt_at = now + timedelta(seconds=delay)
