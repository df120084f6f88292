"""Trackmania content as core objects: clubs, maps, campaigns, Tracks of the Day.

A club is an organization (official content lives in ``nadeo_organization``); a map
is a challenge whose ``code`` is its UID; a campaign (seasonal, weekly, club) and a
Track of the Day are competitions whose season UID is their ``nadeo_group``
external id; every organization has a ``personal_best`` competition holding each
map's all-time records. Records are results ranked by score, then by who set it
first.
"""

from __future__ import annotations

import secrets
import string
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import external_ids, limits, resources
from podium.core.challenges import CHALLENGES, ChallengeCreate
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.organizations import ORGANIZATIONS, OrganizationCreate
from podium.core.principal import SYSTEM, Principal
from podium.store.tables import Challenge, Competition, Organization

GROUP = "nadeo_group"
PERSONAL_BEST = "Personal_Best"
CAMPAIGN = "campaign"
TOTD = "totd"
PB_KIND = "personal_best"
# useCase values of campaigns (spec §3.2).
SEASONAL, CLUB, WEEKLY_SHORTS, WEEKLY_GRANDS = 0, 2, 5, 6
_UID_CHARS = string.ascii_letters + string.digits


def new_map_uid() -> str:
    return "".join(secrets.choice(_UID_CHARS) for _ in range(27))


async def official(session: AsyncSession, slug: str) -> int:
    """The organization of official content, created on first use."""
    found = await find_official(session, slug)
    if found is not None:
        return found
    org = await resources.create(
        session, SYSTEM, ORGANIZATIONS, OrganizationCreate(slug=slug, name="Nadeo")
    )
    return org.id


async def find_official(session: AsyncSession, slug: str) -> int | None:
    """The organization of official content, if any exists yet (readers never create)."""
    found = await session.scalar(select(Organization.id).where(Organization.slug == slug))
    return int(found) if found is not None else None


@dataclass(frozen=True)
class MapSpec:
    name: str
    author: str  # account id
    author_time: int
    uid: str | None = None
    gold_time: int | None = None
    silver_time: int | None = None
    bronze_time: int | None = None
    laps: int = 1
    review: str | None = None  # the map-review queue it was submitted to


async def create_map(
    session: AsyncSession, principal: Principal, organization_id: int, spec: MapSpec
) -> Challenge:
    author = spec.author_time
    created = await resources.create(
        session,
        principal,
        CHALLENGES,
        ChallengeCreate(
            organization_id=organization_id,
            name=spec.name,
            kind="map",
            code=spec.uid or new_map_uid(),
            attributes={
                "mapId": str(uuid.uuid4()),
                "author": spec.author,
                "submitter": spec.author,
                "authorTime": author,
                "goldTime": spec.gold_time or round(author * 1.06 / 1000) * 1000,
                "silverTime": spec.silver_time or round(author * 1.2 / 1000) * 1000,
                "bronzeTime": spec.bronze_time or round(author * 1.5 / 1000) * 1000,
                "nbLaps": spec.laps,
                "review": spec.review,
            },
        ),
    )
    return created


def map_uids(raw: str, most: int | None = None) -> list[str]:
    """The map UIDs of a comma-separated ``mapUidList``; one no map can have is left out."""
    uids = [u for u in raw.split(",") if u and limits.storable(u)]
    return uids if most is None else uids[:most]


async def find_map(session: AsyncSession, uid: str) -> Challenge | None:
    if not limits.storable(uid):
        return None
    found: Challenge | None = await session.scalar(
        select(Challenge).where(Challenge.code == uid, Challenge.kind == "map")
    )
    return found


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    use_case: int
    map_uids: list[str]
    starts_at: datetime
    ends_at: datetime | None = None
    year: int = -1
    week: int = -1
    public: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)


async def create_campaign(
    session: AsyncSession, principal: Principal, organization_id: int, spec: CampaignSpec
) -> Competition:
    """A campaign whose records for its maps count while it runs."""
    group = str(uuid.uuid4()) if spec.use_case != CLUB else f"NLS-{secrets.token_hex(16)}"
    return await resources.create(
        session,
        principal,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=organization_id,
            name=spec.name,
            kind=CAMPAIGN,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            scoring="personal_best",
            tie_rule="first_set",
            status="running",
            public=spec.public,
            attributes={
                "useCase": spec.use_case,
                "playlist": spec.map_uids,
                "year": spec.year,
                "week": spec.week,
                **spec.attributes,
            },
            external_ids={GROUP: group},
        ),
    )


def totd_start(day: datetime) -> datetime:
    """A Track of the Day starts at 18:00 UTC of its day and lasts 24 hours."""
    return datetime(day.year, day.month, day.day, 18, tzinfo=UTC)


async def create_totd(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    day: datetime,
    map_uid: str,
    *,
    royal: bool = False,
) -> Competition:
    start = totd_start(day)
    return await resources.create(
        session,
        principal,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=organization_id,
            name=f"{'Royal' if royal else 'Track of the Day'} {start.date().isoformat()}",
            kind=TOTD,
            starts_at=start,
            ends_at=start + timedelta(days=1),
            scoring="personal_best",
            tie_rule="first_set",
            status="running",
            attributes={"mapUid": map_uid, "royal": royal},
            external_ids={GROUP: str(uuid.uuid4())},
        ),
    )


async def personal_best(
    session: AsyncSession, principal: Principal, organization_id: int
) -> Competition:
    """The organization's all-time records board, created on first use."""
    found = await session.scalar(
        select(Competition).where(
            Competition.organization_id == organization_id, Competition.kind == PB_KIND
        )
    )
    if found is not None:
        return found
    return await resources.create(
        session,
        principal,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=organization_id,
            name="Personal best",
            kind=PB_KIND,
            scoring="personal_best",
            tie_rule="first_set",
            status="running",
        ),
    )


async def find_pb(session: AsyncSession, organization_id: int) -> Competition | None:
    found: Competition | None = await session.scalar(
        select(Competition).where(
            Competition.organization_id == organization_id, Competition.kind == PB_KIND
        )
    )
    return found


async def find_group(session: AsyncSession, group_uid: str) -> Competition | None:
    competition_id = await external_ids.find(session, "competition", GROUP, group_uid)
    return await session.get(Competition, competition_id) if competition_id is not None else None


async def group_uids(session: AsyncSession, competition_ids: list[int]) -> dict[int, str]:
    found = await external_ids.for_objects(session, "competition", competition_ids)
    return {cid: ids.get(GROUP, "") for cid, ids in found.items()}


def maps_of(competition: Competition) -> list[str]:
    if competition.kind == TOTD:
        uid = competition.attributes.get("mapUid")
        return [uid] if isinstance(uid, str) else []
    playlist = competition.attributes.get("playlist")
    return [str(uid) for uid in playlist] if isinstance(playlist, list) else []


async def boards_for(
    session: AsyncSession, principal: Principal, map_: Challenge, when: datetime
) -> list[Competition]:
    """Where a record set at ``when`` on the map counts: its all-time board and every
    campaign or Track of the Day holding the map and running at that moment."""
    boards = [await personal_best(session, principal, map_.organization_id)]
    running = await session.scalars(
        select(Competition).where(
            Competition.kind.in_([CAMPAIGN, TOTD]),
            Competition.starts_at <= when,
            (Competition.ends_at.is_(None)) | (Competition.ends_at > when),
        )
    )
    # A campaign ranks only maps of its own organization (a club campaign that lists
    # an official map shows an empty board for it).
    boards += [
        c for c in running if map_.code in maps_of(c) and c.organization_id == map_.organization_id
    ]
    return boards


async def campaigns(
    session: AsyncSession, use_cases: tuple[int, ...], organization_id: int | None = None
) -> list[Competition]:
    """Campaigns of these kinds, newest first."""
    query = select(Competition).where(Competition.kind == CAMPAIGN)
    if organization_id is not None:
        query = query.where(Competition.organization_id == organization_id)
    rows = (
        await session.scalars(query.order_by(Competition.starts_at.desc(), Competition.id.desc()))
    ).all()
    return [c for c in rows if c.attributes.get("useCase") in use_cases]


async def submitted_maps(
    session: AsyncSession, review_type: str, submitter: str | None = None
) -> list[Challenge]:
    """Maps in a review queue, oldest first; only ``submitter``'s (an account id) if given."""
    rows = await session.scalars(
        select(Challenge).where(Challenge.kind == "map").order_by(Challenge.id)
    )
    return [
        c
        for c in rows
        if c.attributes.get("review") == review_type
        and (
            submitter is None
            or c.attributes.get("submitter", c.attributes.get("author")) == submitter
        )
    ]


async def totd_days(session: AsyncSession, royal: bool) -> list[Competition]:
    rows = await session.scalars(
        select(Competition).where(Competition.kind == TOTD).order_by(Competition.starts_at)
    )
    return [c for c in rows if bool(c.attributes.get("royal")) == royal]
