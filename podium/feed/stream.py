"""The event feed: the committed event log as CLICS-style lines, resumable by token.

One JSON object per change::

    {"type": "results", "id": "42", "op": "result.created", "data": {...},
     "token": "p1017", "time": "2026-06-06T09:00:00+00:00",
     "organization_id": 3, "competition_id": 7}

``type`` is the kind of object (plural, as CLICS endpoints are named), ``id`` its id
as a string, ``data`` the object after the change (``null`` when it was deleted),
``op`` the core event type, ``token`` where to resume. Events get gap-free
sequence numbers in commit order and the token names one, so reading everything
after a token gives exactly what a client missed, across restarts. Submitted
programs are left out of ``data``: the feed announces, it does not hand out code.
Behind a contest's scoreboard freeze, a reader without ``judge`` gets the
submissions made since the freeze as pending, as the frozen scoreboard shows them.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select

from podium.core import freeze
from podium.core.errors import Invalid
from podium.feed.closing import CLOSING
from podium.store.database import Database
from podium.store.tables import Competition, Event

_TOKEN = re.compile(r"^p(\d{1,18})$")
_LINE_BREAKS = re.compile(r"[\r\n]")
BATCH = 500
TICK_SECONDS = 0.1
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 30.0
_PLURAL = {"person": "people", "entry": "entries", "delivery": "deliveries"}
_HIDDEN_ATTRIBUTES = ("program",)
FROZEN_VERDICT = "Pending"


def token_for(seq: int) -> str:
    return f"p{seq}"


def parse_token(token: str | None) -> int:
    """The seq a token names; no token means from the beginning."""
    if token is None or token == "":
        return 0
    found = _TOKEN.match(token.strip())
    if found is None:
        raise Invalid("since_token is not a token this feed gave out.", field="since_token")
    return int(found[1])


def _singular(name: str) -> str:
    """``results`` or ``result`` -> ``result``: filters take either spelling."""
    known = {plural: kind for kind, plural in _PLURAL.items()}
    if name in known:
        return known[name]
    return name[:-1] if name.endswith("s") and name not in ("status",) else name


def kind_plural(kind: str) -> str:
    return _PLURAL.get(kind, kind if kind.endswith("s") else f"{kind}s")


def _shown(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    attributes = data.get("attributes")
    if isinstance(attributes, dict) and any(k in attributes for k in _HIDDEN_ATTRIBUTES):
        data = {**data, "attributes": {
            k: v for k, v in attributes.items() if k not in _HIDDEN_ATTRIBUTES
        }}  # fmt: skip
    return data


def line(event: Event) -> dict[str, Any]:
    deleted = event.type.endswith(".deleted")
    return {
        "type": kind_plural(event.object_kind),
        "id": None if event.object_id is None else str(event.object_id),
        "op": event.type,
        "data": None if deleted else _shown(event.payload),
        "token": token_for(event.seq),
        "time": event.created_at.isoformat(),
        "organization_id": event.organization_id,
        "competition_id": event.competition_id,
    }


@dataclass(frozen=True)
class Filter:
    """Which events a reader gets: its visibility and the filters it asked for."""

    organization_id: int | None = None
    competition_ids: Sequence[int] | None = None  # None: any
    types: Sequence[str] = ()
    # A contest whose reader may not see past its freeze (no ``judge`` permission).
    frozen_for: int | None = None

    def where(self) -> list[Any]:
        clauses: list[Any] = []
        if self.organization_id is not None:
            clauses.append(Event.organization_id == self.organization_id)
        if self.competition_ids is not None:
            clauses.append(Event.competition_id.in_(list(self.competition_ids)))
        if self.types:
            exact = [t for t in self.types if "." in t and not t.endswith(".*")]
            kinds = [_singular(t.removesuffix(".*")) for t in self.types if t not in exact]
            clause: Any = None
            if exact:
                clause = Event.type.in_(exact)
            if kinds:
                by_kind = Event.object_kind.in_(kinds)
                clause = by_kind if clause is None else (clause | by_kind)
            clauses.append(clause)
        return clauses


async def read(database: Database, after: int, wanted: Filter, limit: int = BATCH) -> list[Event]:
    async with database.read() as session:
        query = select(Event).where(Event.seq > after, *wanted.where()).order_by(Event.seq)
        found = list((await session.scalars(query.limit(limit))).all())
        if wanted.frozen_for is None or not found:
            return found
        # Read each batch, so a freeze set while a reader follows applies at once.
        contest = await session.get(Competition, wanted.frozen_for)
        since = freeze.hidden_after(contest, None) if contest is not None else None
    return found if since is None else [_behind_freeze(event, since) for event in found]


def _behind_freeze(event: Event, since: datetime) -> Event:
    """The event with submissions made from ``since`` on shown as pending."""
    if event.object_kind != "result":
        return event
    payload, before = _pending(event.payload, since), _pending(event.before, since)
    if payload is event.payload and before is event.before:
        return event
    masked = Event(**{c.key: getattr(event, c.key) for c in Event.__table__.columns})
    masked.payload, masked.before = payload, before
    return masked


def _pending(data: dict[str, Any] | None, since: datetime) -> dict[str, Any] | None:
    raw = (data or {}).get("recorded_at")
    try:
        at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        at = None
    if data is None or at is None or (at if at.tzinfo else at.replace(tzinfo=UTC)) < since:
        return data
    found = data.get("attributes")
    attributes: dict[str, Any] = found if isinstance(found, dict) else {}
    kept = {k: attributes[k] for k in ("language", "consider") if k in attributes}
    return {**data, "points": None, "attributes": {**kept, "verdict": FROZEN_VERDICT}}


async def follow(
    database: Database,
    after: int,
    wanted: Filter,
    *,
    stream: bool = True,
    keepalive: float = KEEPALIVE_SECONDS,
    stopped: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[Event | None]:
    """Every matching event after ``after``, then (when streaming) new ones as they
    commit; ``None`` when a keep-alive is due. This process's commits wake it at once;
    other processes' within a poll. Ends when the server begins to stop."""
    last = after
    seen_commit = database.committed_seq
    last_poll = last_sent = time.monotonic()
    while True:
        events = await read(database, last, wanted)
        last_poll = time.monotonic()
        for event in events:
            yield event
        if events:
            last = events[-1].seq
            last_sent = time.monotonic()
            if len(events) == BATCH:
                continue
        if not stream:
            return
        while True:
            if database.committed_seq == seen_commit:
                try:
                    async with asyncio.timeout(TICK_SECONDS):
                        await database.next_commit()
                except TimeoutError:
                    pass
            if CLOSING.is_set() or (stopped is not None and await stopped()):
                return
            now = time.monotonic()
            if now - last_sent >= keepalive:
                last_sent = now
                yield None
            if database.committed_seq != seen_commit or now - last_poll >= POLL_SECONDS:
                seen_commit = database.committed_seq
                break


def encode(body: dict[str, Any]) -> bytes:
    """One feed line as JSON, whatever was stored.

    The input limits keep new events writable by orjson; an event stored before them
    (an integer beyond 64 bits, deep nesting, a lone surrogate) is written in the
    nearest form every JSON reader takes, so one odd event never ends the stream.
    """
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return orjson.dumps(_portable(body, 0))


_MAX_NESTING = 200  # orjson writes at most 254 levels


def _portable(value: Any, depth: int) -> Any:
    """``value`` with what orjson cannot write replaced: huge integers by floats (or
    null beyond a double), lone surrogates by "?", nesting beyond the limit by null."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if -(2**63) <= value < 2**64:
            return value
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict | list):
        if depth >= _MAX_NESTING:
            return None
        if isinstance(value, list):
            return [_portable(item, depth + 1) for item in value]
        return {_portable(str(k), depth): _portable(v, depth + 1) for k, v in value.items()}
    return value


def ndjson(event: Event | None) -> bytes:
    return b"\n" if event is None else encode(line(event)) + b"\n"


def sse(event: Event | None) -> bytes:
    if event is None:
        return b": keep-alive\n\n"
    body = line(event)
    # A line break in a field would start a new SSE field: the name keeps none.
    name = _LINE_BREAKS.sub("", body["type"])
    return f"id: {body['token']}\nevent: {name}\ndata: ".encode() + encode(body) + b"\n\n"
