"""A contest's scoreboard freeze, ICPC style.

From the freeze time on, readers without the ``judge`` permission (anonymous pages,
teams) see every submission made since as pending, whatever its verdict, so the last
hour's race stays a surprise; judges see everything. Lifting the freeze shows all.

The time lives in the competition's attributes (``scoreboard_freeze``, ISO 8601 in
UTC): every reader (the public pages, each dialect) already loads that row, so no
reader needs another query, and no migration is needed. Freezing and unfreezing are
judge decisions, not set-up, so they need ``judge`` (not ``setup``, which the core's
competition update asks for); each is one transaction with its
``competition.updated`` event, carrying who and why.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import events, resources
from podium.core.competitions import COMPETITIONS
from podium.core.errors import Invalid
from podium.core.principal import Principal
from podium.store.tables import Competition
from podium.store.types import utcnow

FREEZE = "scoreboard_freeze"
CONTEST_KIND = "contest"
MAX_REASON = 500


def freeze_time(competition: Competition) -> datetime | None:
    """When the scoreboard froze (or will), or None when it is not frozen."""
    raw = (competition.attributes or {}).get(FREEZE)
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_frozen(competition: Competition, now: datetime | None = None) -> bool:
    """Whether the freeze has begun (a freeze set for later is not in force yet)."""
    at = freeze_time(competition)
    return at is not None and (now or utcnow()) >= at


def hidden_after(competition: Competition, principal: Principal | None) -> datetime | None:
    """From when ``principal`` (None: an anonymous reader) sees submissions as pending;
    None when it sees every verdict (no freeze, or the ``judge`` permission)."""
    at = freeze_time(competition)
    if at is None:
        return None
    if principal is not None and principal.allows("judge", competition.organization_id):
        return None
    return at


def _reason(reason: str | None) -> str | None:
    cleaned = (reason or "").strip()
    if len(cleaned) > MAX_REASON:
        raise Invalid(f"The reason is longer than {MAX_REASON} characters.", field="reason")
    return cleaned or None


async def _contest(session: AsyncSession, principal: Principal, competition_id: int) -> Competition:
    # Locked first, so a concurrent change of the row cannot lose the freeze (PostgreSQL).
    await session.get(Competition, competition_id, with_for_update=True)
    competition = await resources.get(session, principal, COMPETITIONS, competition_id)
    principal.require("judge", competition.organization_id)
    if competition.kind != CONTEST_KIND:
        raise Invalid(f"{competition.name} is not a contest: only a contest's scoreboard freezes.")
    return competition


async def _store(
    session: AsyncSession,
    principal: Principal,
    competition: Competition,
    value: str | None,
    reason: str,
) -> Competition:
    before = events.snapshot(competition)
    attributes = {k: v for k, v in (competition.attributes or {}).items() if k != FREEZE}
    if value is not None:
        attributes[FREEZE] = value
    competition.attributes = attributes
    await session.flush()
    events.record(
        session,
        principal,
        "competition.updated",
        "competition",
        competition.id,
        events.snapshot(competition),
        organization_id=competition.organization_id,
        competition_id=competition.id,
        before=before,
        reason=reason,
    )
    return competition


async def freeze(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    at: datetime | None = None,
    reason: str | None = None,
) -> Competition:
    """Freeze the contest's public scoreboard from ``at`` (default: now)."""
    competition = await _contest(session, principal, competition_id)
    moment = (at or utcnow()).astimezone(UTC)
    why = _reason(reason) or f"Scoreboard frozen from {moment:%Y-%m-%d %H:%M:%S} UTC."
    return await _store(session, principal, competition, moment.isoformat(), why)


async def unfreeze(
    session: AsyncSession, principal: Principal, competition_id: int, reason: str | None = None
) -> Competition:
    """Lift the freeze: every reader sees every verdict again."""
    competition = await _contest(session, principal, competition_id)
    if freeze_time(competition) is None:
        raise Invalid(f"The scoreboard of {competition.name} is not frozen.")
    return await _store(session, principal, competition, None, _reason(reason) or "Unfrozen.")
