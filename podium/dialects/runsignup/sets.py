"""Individual result sets: core result sets of an event, with RunSignup's settings.

Settings a set does not store take their defaults, which is also what an edit that
omits them does (RunSignup resets omitted fields).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import limits, resources
from podium.core.errors import Invalid
from podium.core.principal import Principal
from podium.core.result_sets import RESULT_SETS, ResultSetCreate, ResultSetUpdate
from podium.dialects.runsignup import wire
from podium.dialects.runsignup.problems import RsuError, invalid
from podium.store.tables import Competition, Result, ResultSet

DEFAULTS: dict[str, Any] = {
    "preliminary_results": False,
    "pace_type": "T",
    "team_column_display_type": 0,
    "sort_order": 0,
    "results_source_name": None,
    "results_source_url": None,
    "result_questions_contact_email": None,
    "result_questions_url": None,
    "hide_splits_in_results": False,
    "hide_event_names": False,
    "disable_notifications": False,
    "alt_event_ids": [],
}
_FLAGS = {
    "preliminary_results",
    "hide_splits_in_results",
    "hide_event_names",
    "disable_notifications",
}
PACE_TYPES = ("T", "t", "M", "K", "N")


# The longest text each setting holds; longer is refused (a cut name is a lost name).
MAX_NAME = 200
TEXT_LIMITS = {
    "results_source_name": MAX_NAME,
    "results_source_url": 2000,
    "result_questions_contact_email": 320,
    "result_questions_url": 2000,
}


def _text(value: Any, key: str) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # an XML or form number read as one
    try:
        return limits.text(value, key, TEXT_LIMITS.get(key, MAX_NAME))
    except Invalid as exc:
        raise invalid(exc.message) from None


def settings_from(request: dict[str, Any]) -> tuple[str | None, bool, dict[str, Any]]:
    """(name, public, settings) from a new/edit-result-set request; omitted = default."""
    raw_name = request.get("individual_result_set_name")
    name = None if raw_name in (None, "") else _text(raw_name, "individual_result_set_name")
    public = wire.is_true(request["public_results"]) if request.get("public_results") else True
    out: dict[str, Any] = {}
    for key, default in DEFAULTS.items():
        value = request.get(key)
        if value in (None, ""):
            out[key] = default
        elif key in _FLAGS:
            out[key] = wire.is_true(value)
        elif key in ("team_column_display_type", "sort_order"):
            try:
                out[key] = limits.bounded_int(value, key, -100, 100)
            except Invalid:
                raise invalid(f"Invalid {key}: an integer from -100 to 100 is expected.") from None
        elif key == "pace_type":
            if value not in PACE_TYPES:
                raise invalid(f"Invalid pace_type: use one of {', '.join(PACE_TYPES)}.")
            out[key] = value
        elif key == "alt_event_ids":
            items = (
                value
                if isinstance(value, list)
                else wire.as_list(value.get("alt_event_id") if isinstance(value, dict) else value)
            )
            out[key] = [i for v in items if (i := limits.id_of(v)) is not None]
        else:
            out[key] = _text(value, key)
    return (name.strip() or None if name is not None else None), public, out


async def sets_of(session: AsyncSession, event_id: int) -> list[ResultSet]:
    rows = await session.scalars(
        select(ResultSet).where(ResultSet.competition_id == event_id).order_by(ResultSet.id)
    )
    return list(rows.all())


async def find(session: AsyncSession, event: Competition, set_id: int) -> ResultSet:
    found = await session.get(ResultSet, set_id)
    if found is None or found.competition_id != event.id:
        raise RsuError(
            wire.INVALID_ID, f"Invalid individual_result_set_id {set_id} for this event."
        )
    return found


async def resolve(
    session: AsyncSession,
    principal: Principal,
    event: Competition,
    set_id: int | None,
    default_name: str,
) -> ResultSet:
    """The named set; else the event's only set; else a new one; several and none named: error."""
    if set_id is not None:
        return await find(session, event, set_id)
    existing = await sets_of(session, event.id)
    if len(existing) == 1:
        return existing[0]
    if existing:
        raise invalid(
            f"individual_result_set_id is required: the event has {len(existing)} result sets."
        )
    return await create(session, principal, event, default_name, True, dict(DEFAULTS))


async def create(
    session: AsyncSession,
    principal: Principal,
    event: Competition,
    name: str,
    public: bool,
    settings: dict[str, Any],
) -> ResultSet:
    return await resources.create(
        session,
        principal,
        RESULT_SETS,
        ResultSetCreate(name=name, public=public, attributes={"runsignup": settings}),
        competition_id=event.id,
    )


async def update(
    session: AsyncSession,
    principal: Principal,
    result_set: ResultSet,
    name: str | None,
    public: bool,
    settings: dict[str, Any],
) -> ResultSet:
    attributes = {**result_set.attributes, "runsignup": settings}
    command = ResultSetUpdate(name=name or result_set.name, public=public, attributes=attributes)
    return await resources.update(session, principal, RESULT_SETS, result_set.id, command)


def set_settings(result_set: ResultSet) -> dict[str, Any]:
    stored = result_set.attributes.get("runsignup")
    return {**DEFAULTS, **(stored if isinstance(stored, dict) else {})}


async def counts(session: AsyncSession, set_ids: list[int]) -> dict[int, int]:
    if not set_ids:
        return {}
    rows = await session.execute(
        select(Result.result_set_id, func.count())
        .where(Result.result_set_id.in_(set_ids), Result.status == "OK")
        .group_by(Result.result_set_id)
    )
    return {set_id: count for set_id, count in rows.all() if set_id is not None}
