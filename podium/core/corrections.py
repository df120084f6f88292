"""Corrections on the results desk: change a result in place, give it a status with a
reason, put it under review, delete it, and undo any of those.

Each is one core command in the caller's transaction that records one event with the
result before and after and the reason given, so the audit trail, the feed, webhooks,
the boards and every dialect see the correction. A correction never adds a second
result: the stored one is changed, keeping what the correction does not mention.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import events, external_ids, resources
from podium.core.competitions import COMPETITIONS
from podium.core.errors import Conflict, Invalid, NotFound
from podium.core.fields import Reason
from podium.core.principal import Principal
from podium.core.results import RESULTS, ResultUpdate
from podium.store.database import bulk_insert
from podium.store.tables import Base, Competition, Event, Result

# Reasons offered for each status (the desk's list); free text may follow or replace them.
STATUS_REASONS: dict[str, tuple[str, ...]] = {
    "DQ": (
        "Course cut",
        "False start",
        "Missed checkpoint",
        "Outside assistance",
        "Unsportsmanlike conduct",
        "Equipment not compliant",
        "Wrong heat or channel",
    ),
    "DNF": ("Retired", "Injury", "Mechanical failure", "Crash", "Over the time limit"),
    "DNS": ("Did not start", "Withdrawn", "Late to the start"),
    "DNQ": ("Below the qualifying mark", "Not enough laps"),
}
# Columns an undo puts back; the id, the competition and the stamps stay as they are.
_FIXED = frozenset({"id", "competition_id", "created_at", "updated_at"})


class ResultCorrection(ResultUpdate):
    """A change to a stored result. ``attributes`` is merged into the stored ones (a key
    set to null is removed: JSON merge patch), the rest replaces what it names."""

    review: Reason | None = None
    reason: Reason | None = None


def merged(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``patch`` applied: null removes a key, anything else sets it."""
    out = dict(current)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


async def correct(
    session: AsyncSession,
    principal: Principal,
    result_id: int,
    correction: ResultCorrection,
    *,
    reason: str | None = None,
) -> Result:
    """Change result ``result_id`` in place; one event with before, after and reason."""
    result = await resources.get(session, principal, RESULTS, result_id)
    changes = correction.model_dump(exclude_unset=True, exclude={"reason"})
    if "attributes" in changes:
        changes["attributes"] = merged(result.attributes or {}, changes["attributes"] or {})
    if changes.get("status") == "OK" and "status_reason" not in changes:
        changes["status_reason"] = None  # a reinstated result keeps no DQ reason
    update = ResultCorrection(**changes)
    why = reason if reason is not None else correction.reason
    return await resources.update(session, principal, RESULTS, result_id, update, reason=why)


async def set_status(
    session: AsyncSession, principal: Principal, result_id: int, status: str, reason: str
) -> Result:
    """DQ, DNF, DNS, DNQ with a reason (shown on public pages), or OK to reinstate."""
    reason = reason.strip()
    if status != "OK" and not reason:
        raise Invalid(f"Say why the result is {status}: pick or write a reason.", field="reason")
    correction = ResultCorrection(status=status, status_reason=reason if status != "OK" else None)
    return await correct(session, principal, result_id, correction, reason=reason or None)


async def review(
    session: AsyncSession, principal: Principal, result_id: int, note: str | None
) -> Result:
    """Open a protest on a result (``note``: what is being reviewed) or close it (None).

    While open, the result shows as provisional wherever it is published.
    """
    if note is not None and not note.strip():
        raise Invalid("Say what is under review (the protest).", field="review")
    correction = ResultCorrection(review=note)
    why = f"Protest: {note}" if note else "Protest resolved"
    return await correct(session, principal, result_id, correction, reason=why)


async def delete(
    session: AsyncSession, principal: Principal, result_id: int, reason: str | None = None
) -> None:
    await resources.delete(session, principal, RESULTS, result_id, reason=reason)


async def undo(
    session: AsyncSession, principal: Principal, seq: int, reason: str | None = None
) -> Event:
    """Put a result back as it was before event ``seq``; returns the event undone.

    Only the latest change of a result can be undone: if it changed since, the later
    change must be undone first (else the undo would silently discard it).
    """
    event = await session.get(Event, seq)
    if event is None or event.object_kind != "result" or event.object_id is None:
        raise NotFound(f"No change to a result with number {seq}.", kind="event", id=seq)
    if not principal.allows("read", event.organization_id):
        raise NotFound(f"No change to a result with number {seq}.", kind="event", id=seq)
    principal.require("results", event.organization_id)
    latest = await session.scalar(
        select(Event.seq)
        .where(Event.object_kind == "result", Event.object_id == event.object_id)
        .order_by(Event.seq.desc())
        .limit(1)
    )
    if latest != seq:
        raise Conflict(
            f"Result {event.object_id} changed after change {seq} (change {latest}); "
            "undo the later change first."
        )
    why = f"Undo of change {seq}" + (f": {reason}" if reason else "")
    if event.type == "result.created":
        await resources.delete(session, principal, RESULTS, event.object_id, reason=why)
    elif event.type == "result.deleted" and event.before is not None:
        await _restore(session, principal, event, why)
    elif event.type == "result.updated" and event.before is not None:
        await _revert(session, principal, event.object_id, event.before, why)
    else:
        raise Invalid(f"Change {seq} ({event.type}) cannot be undone.")
    return event


async def _revert(
    session: AsyncSession,
    principal: Principal,
    result_id: int,
    before: dict[str, Any],
    why: str,
) -> None:
    result = await resources.get(session, principal, RESULTS, result_id)
    prior = events.snapshot(result)
    for column in Result.__table__.columns:
        if column.key in before and column.key not in _FIXED:
            setattr(result, column.key, _stored(column, before[column.key]))
    await session.flush()
    scope = await RESULTS.scope(session, result)
    events.record(
        session,
        principal,
        "result.updated",
        "result",
        result_id,
        events.snapshot(result),
        organization_id=scope.organization_id,
        competition_id=scope.competition_id,
        before=prior,
        reason=why,
    )


async def _restore(session: AsyncSession, principal: Principal, event: Event, why: str) -> None:
    """Put a deleted result back with its id, so links and dialect ids still find it."""
    before = event.before or {}
    if await session.get(Result, event.object_id) is not None:
        raise Conflict(f"Result {event.object_id} exists again; nothing to restore.")
    table = Base.metadata.tables["results"]
    row = {c.key: _stored(c, before[c.key]) for c in table.columns if c.key in before}
    # The result's competition must still exist and be writable by the principal.
    scope = await RESULTS.scope(session, Result(competition_id=row.get("competition_id")))
    principal.require("results", scope.organization_id)
    await bulk_insert(session, table, [row])
    restored = await RESULTS.load(session, event.object_id)  # type: ignore[arg-type]
    events.record(
        session,
        principal,
        "result.created",
        "result",
        restored.id,
        events.snapshot(restored),
        organization_id=scope.organization_id,
        competition_id=scope.competition_id,
        reason=why,
    )


async def declare_official(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    official: bool,
    reason: str | None = None,
) -> Competition:
    """Publish a competition's results as official, or back to provisional.

    Part of keeping results, so it needs ``results`` (a timer may), not ``setup``.
    """
    competition = await resources.get(session, principal, COMPETITIONS, competition_id)
    principal.require("results", competition.organization_id)
    prior = events.snapshot(competition)
    competition.official = official
    await session.flush()
    payload = events.snapshot(competition)
    found = await external_ids.for_objects(session, "competition", [competition.id])
    payload["external_ids"] = found[competition.id]
    events.record(
        session,
        principal,
        "competition.updated",
        "competition",
        competition.id,
        payload,
        organization_id=competition.organization_id,
        competition_id=competition.id,
        before=prior,
        reason=reason or ("Results official" if official else "Results provisional"),
    )
    return competition


def _stored(column: Any, value: Any) -> Any:
    """A logged value back as the column holds it (the log keeps times as ISO text)."""
    if isinstance(value, str) and column.key in ("recorded_at", "created_at", "updated_at"):
        return datetime.fromisoformat(value)
    return value
