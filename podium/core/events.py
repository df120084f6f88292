"""Recording changes in the event log.

Services call ``record`` inside a ``Database.write()`` transaction; the rows are
written just before commit, so the log holds exactly what was committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.principal import Principal
from podium.store.database import PENDING_EVENTS
from podium.store.tables import Base, Event


def snapshot(obj: Base) -> dict[str, Any]:
    """A JSON-ready copy of every column of ``obj``."""
    return jsonable({column.key: getattr(obj, column.key) for column in obj.__table__.columns})


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Column values with dates as ISO 8601 text, as the log stores them."""
    return {
        key: value.isoformat() if type(value) in _DATES else value for key, value in values.items()
    }


_DATES = (datetime, date)


def record(
    session: AsyncSession,
    principal: Principal,
    type_: str,
    object_kind: str,
    object_id: int | None,
    payload: dict[str, Any] | None,
    *,
    organization_id: int | None = None,
    competition_id: int | None = None,
    before: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Queue an event; ``payload`` is the object after the change, ``before`` its prior
    state, ``reason`` why (a correction's or a disqualification's note)."""
    session.info.setdefault(PENDING_EVENTS, []).append(
        {
            "type": type_,
            "object_kind": object_kind,
            "object_id": object_id,
            "organization_id": organization_id,
            "competition_id": competition_id,
            "actor": principal.label,
            "payload": payload,
            "before": before,
            "reason": reason or None,
        }
    )


async def read_events(
    session: AsyncSession,
    *,
    after: int = 0,
    limit: int = 100,
    organization_id: int | None = None,
    competition_id: int | None = None,
    types: Sequence[str] = (),
) -> list[Event]:
    query = select(Event).where(Event.seq > after).order_by(Event.seq).limit(limit)
    if organization_id is not None:
        query = query.where(Event.organization_id == organization_id)
    if competition_id is not None:
        query = query.where(Event.competition_id == competition_id)
    if types:
        query = query.where(Event.type.in_(list(types)))
    return list((await session.scalars(query)).all())
