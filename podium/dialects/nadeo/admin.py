"""Organizer actions of the Nadeo dialect, shared by the CLI and the native API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.errors import Invalid, NotFound
from podium.core.principal import Principal
from podium.dialects.nadeo import content, identity, records

USE_CASES = {
    "seasonal": content.SEASONAL,
    "club": content.CLUB,
    "weekly-shorts": content.WEEKLY_SHORTS,
    "weekly-grands": content.WEEKLY_GRANDS,
}


async def add_map(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    name: str,
    author: str,
    author_time: int,
    *,
    uid: str | None = None,
    review: str | None = None,
) -> dict[str, Any]:
    if author_time <= 0:
        raise Invalid("author_time must be a positive number of milliseconds.")
    if uid is not None and await content.find_map(session, uid) is not None:
        raise Invalid(f"A map with UID {uid} already exists.")
    made = await content.create_map(
        session,
        principal,
        organization_id,
        content.MapSpec(name, author, author_time, uid=uid, review=review),
    )
    return {"map_uid": made.code, "map_id": made.attributes["mapId"], "challenge_id": made.id}


async def add_campaign(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    name: str,
    use_case: str,
    map_uids: list[str],
    starts_at: datetime,
    ends_at: datetime | None,
    *,
    public: bool = True,
) -> dict[str, Any]:
    if use_case not in USE_CASES:
        raise Invalid(f"use_case must be one of {', '.join(USE_CASES)}.")
    for uid in map_uids:
        if await content.find_map(session, uid) is None:
            raise Invalid(f"No map with UID {uid}.")
    iso = starts_at.isocalendar()
    made = await content.create_campaign(
        session,
        principal,
        organization_id,
        content.CampaignSpec(
            name,
            USE_CASES[use_case],
            map_uids,
            starts_at,
            ends_at,
            year=iso.year,
            week=iso.week if use_case.startswith("weekly") else -1,
            public=public,
        ),
    )
    group = (await content.group_uids(session, [made.id]))[made.id]
    return {"campaign_id": made.id, "season_uid": group}


async def add_totd(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    day: datetime,
    map_uid: str,
    *,
    royal: bool = False,
) -> dict[str, Any]:
    if await content.find_map(session, map_uid) is None:
        raise Invalid(f"No map with UID {map_uid}.")
    made = await content.create_totd(session, principal, organization_id, day, map_uid, royal=royal)
    group = (await content.group_uids(session, [made.id]))[made.id]
    return {
        "campaign_id": made.id,
        "season_uid": group,
        "start": made.starts_at.isoformat() if made.starts_at else None,
    }


async def submit_record(
    session: AsyncSession,
    principal: Principal,
    account_id: str,
    map_uid: str,
    score_ms: int,
    when: datetime | None = None,
) -> dict[str, Any]:
    if score_ms <= 0:
        raise Invalid("score must be a positive number of milliseconds.")
    person = await identity.person_of(session, account_id)
    if person is None:
        raise NotFound(f"No Nadeo account {account_id}.")
    map_ = await content.find_map(session, map_uid)
    if map_ is None:
        raise NotFound(f"No map with UID {map_uid}.")
    improved = await records.submit(session, principal, person, map_, score_ms, when)
    return {"account_id": account_id, "map_uid": map_uid, "score": score_ms, "improved": improved}
