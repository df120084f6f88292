"""The audit trail: who changed what, when, from what to what, and why, read from the
event log (every write records its event with before and after in its transaction,
so the trail cannot miss a change, whichever dialect or page made it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.competitions import COMPETITIONS
from podium.core.principal import Principal
from podium.core.results import RESULTS
from podium.store.tables import Event

# Columns every object has that say nothing about the change itself.
_QUIET = frozenset({"updated_at", "created_at"})
CSV_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "kind",
    "object_id",
    "field",
    "before",
    "after",
    "reason",
)


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor: str
    action: str
    kind: str
    object_id: int | None
    reason: str | None
    changes: list[Change]

    @property
    def undoable(self) -> bool:
        return self.kind == "result" and self.action in {"created", "updated", "deleted"}


def changes_of(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """Field by field, what differs (for a create, every set field; for a delete, none)."""
    old, new = before or {}, after or {}
    if after is None:
        return []
    keys = [k for k in new if k not in _QUIET] + [k for k in old if k not in new]
    out: list[Change] = []
    for key in keys:
        was, now = old.get(key), new.get(key)
        if before is None and now in (None, [], {}, ""):
            continue
        if key == "attributes" and isinstance(was, dict) and isinstance(now, dict):
            out.extend(
                Change(f"attributes.{name}", was.get(name), now.get(name))
                for name in sorted(set(was) | set(now))
                if was.get(name) != now.get(name)
            )
        elif was != now:
            out.append(Change(key, was, now))
    return out


def entry_of(event: Event) -> Entry:
    verb = event.type.rsplit(".", 1)[-1]
    return Entry(
        seq=event.seq,
        at=event.created_at,
        actor=event.actor or "",
        action=verb,
        kind=event.object_kind,
        object_id=event.object_id,
        reason=event.reason,
        changes=changes_of(event.before, event.payload),
    )


async def trail(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    *,
    result_id: int | None = None,
    after: int = 0,
    limit: int = 200,
    newest_first: bool = False,
) -> list[Entry]:
    """The competition's changes (or one result's), in log order; needs ``read``."""
    competition = await resources.get(session, principal, COMPETITIONS, competition_id)
    principal.require("read", competition.organization_id)
    query = select(Event).where(Event.competition_id == competition_id)
    if result_id is not None:
        query = query.where(Event.object_kind == "result", Event.object_id == result_id)
    if newest_first:
        query = query.order_by(Event.seq.desc())
        if after:
            query = query.where(Event.seq < after)
    else:
        query = query.where(Event.seq > after).order_by(Event.seq)
    rows = (await session.scalars(query.limit(limit))).all()
    return [entry_of(event) for event in rows]


async def whole_trail(
    session: AsyncSession, principal: Principal, competition_id: int, batch: int = 5000
) -> list[Entry]:
    """Every change of the competition in log order (for a download), read in batches."""
    entries: list[Entry] = []
    while True:
        after = entries[-1].seq if entries else 0
        found = await trail(session, principal, competition_id, after=after, limit=batch)
        entries.extend(found)
        if len(found) < batch:
            return entries


async def history(session: AsyncSession, principal: Principal, result_id: int) -> list[Entry]:
    """Every change of one result, oldest first, also once it has been deleted."""
    event = await session.scalar(
        select(Event)
        .where(Event.object_kind == "result", Event.object_id == result_id)
        .order_by(Event.seq.desc())
        .limit(1)
    )
    if event is None or event.competition_id is None:
        await resources.get(session, principal, RESULTS, result_id)  # NotFound, as for a read
        return []
    return await trail(session, principal, event.competition_id, result_id=result_id, limit=10_000)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float | bool) else _json(value)


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def csv_rows(entries: Iterable[Entry]) -> Iterator[list[str]]:
    """One row per changed field (a delete or a change with no field: one row)."""
    for entry in entries:
        head = [str(entry.seq), entry.at.isoformat(), entry.actor, entry.action, entry.kind]
        head.append("" if entry.object_id is None else str(entry.object_id))
        if not entry.changes:
            yield [*head, "", "", "", entry.reason or ""]
        for change in entry.changes:
            fields = [change.field, _cell(change.before), _cell(change.after)]
            yield [*head, *fields, entry.reason or ""]


def to_csv(entries: Iterable[Entry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(entries):
        writer.writerow([_safe(cell) for cell in row])
    return buffer.getvalue()


def _safe(cell: str) -> str:
    """Cells a spreadsheet would run as a formula are quoted with a leading apostrophe."""
    return (
        "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(cell) else cell
    )


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
