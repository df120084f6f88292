"""Core objects in Nadeo's shapes: maps, campaigns, months of Tracks of the Day, records."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.dialects.nadeo import content, identity
from podium.ranking.index import Row
from podium.store.tables import Challenge, Competition, Person

Json = dict[str, Any]
MEDIA_KEYS = (
    "buttonBackgroundUrl",
    "buttonForegroundUrl",
    "decalUrl",
    "popUpBackgroundUrl",
    "popUpImageUrl",
    "liveButtonBackgroundUrl",
    "liveButtonForegroundUrl",
)
ZONES: list[Json] = [
    {
        "zoneId": identity.WORLD,
        "name": "World",
        "parentId": None,
        "icon": "",
        "timestamp": "2018-07-04T13:00:00+00:00",
    },
]
ZONE_NAMES = {zone["zoneId"]: zone["name"] for zone in ZONES}


def ts(when: datetime | None) -> int:
    return int(when.timestamp()) if when is not None else 0


def media() -> Json:
    return {key: "" for key in MEDIA_KEYS}


def map_live_json(challenge: Challenge) -> Json:
    a = challenge.attributes
    return {
        "uid": challenge.code,
        "mapId": a.get("mapId"),
        "name": challenge.name,
        "author": a.get("author"),
        "submitter": a.get("submitter", a.get("author")),
        "authorTime": a.get("authorTime"),
        "goldTime": a.get("goldTime"),
        "silverTime": a.get("silverTime"),
        "bronzeTime": a.get("bronzeTime"),
        "nbLaps": a.get("nbLaps", 1),
        "valid": True,
        "downloadUrl": a.get("downloadUrl", ""),
        "thumbnailUrl": a.get("thumbnailUrl", ""),
        "uploadTimestamp": ts(challenge.created_at),
        "updateTimestamp": ts(challenge.updated_at),
        "fileSize": None,
        "public": True,
        "favorite": False,
        "playable": True,
        "mapStyle": a.get("mapStyle", ""),
        "mapType": "TrackMania\\TM_Race",
        "collectionName": "Stadium",
    }


def map_core_json(challenge: Challenge) -> Json:
    a = challenge.attributes
    return {
        "author": a.get("author"),
        "authorScore": a.get("authorTime"),
        "bronzeScore": a.get("bronzeTime"),
        "silverScore": a.get("silverTime"),
        "goldScore": a.get("goldTime"),
        "collectionName": "Stadium",
        "createdWithGamepadEditor": False,
        "createdWithSimpleEditor": False,
        "fileUrl": a.get("downloadUrl", ""),
        "filename": f"{challenge.name}.Map.Gbx",
        "hasClones": False,
        "isPlayable": True,
        "mapId": a.get("mapId"),
        "mapStyle": a.get("mapStyle", ""),
        "mapType": "TrackMania\\TM_Race",
        "mapUid": challenge.code,
        "name": challenge.name,
        "submitter": a.get("submitter", a.get("author")),
        "thumbnailUrl": a.get("thumbnailUrl", ""),
        "timestamp": challenge.created_at.isoformat(),
    }


def campaign_json(campaign: Competition, group: str) -> Json:
    a = campaign.attributes
    return {
        "id": campaign.id,
        "seasonUid": group,
        "name": campaign.name,
        "useCase": a.get("useCase", 0),
        "clubId": campaign.organization_id if a.get("useCase") == content.CLUB else 0,
        "startTimestamp": ts(campaign.starts_at),
        "endTimestamp": ts(campaign.ends_at),
        "rankingSentTimestamp": None,
        "year": a.get("year", -1),
        "week": a.get("week", -1),
        "day": -1,
        "monthYear": -1,
        "month": -1,
        "monthDay": -1,
        "playlist": [
            {"id": index + 1, "position": index, "mapUid": uid}
            for index, uid in enumerate(content.maps_of(campaign))
        ],
        "editionTimestamp": ts(campaign.updated_at),
    }


def months_json(days: list[Competition], groups: dict[int, str], now: datetime) -> list[Json]:
    """Released days grouped by month, newest month first, days in order."""
    by_month: dict[tuple[int, int], list[Competition]] = defaultdict(list)
    for day in days:
        assert day.starts_at is not None
        by_month[(day.starts_at.year, day.starts_at.month)].append(day)
    out = []
    for (year, month), items in sorted(by_month.items(), reverse=True):
        out.append(
            {
                "year": year,
                "month": month,
                "lastDay": calendar.monthrange(year, month)[1],
                "days": [_day_json(day, groups.get(day.id, ""), now) for day in items],
                "media": media(),
            }
        )
    return out


def _day_json(day: Competition, group: str, now: datetime) -> Json:
    assert day.starts_at is not None
    start, end = ts(day.starts_at), ts(day.ends_at)
    current = int(now.timestamp())
    return {
        "campaignId": day.id,
        "mapUid": day.attributes.get("mapUid"),
        "day": day.starts_at.weekday(),
        "monthDay": day.starts_at.day,
        "seasonUid": group,
        "leaderboardGroup": None,
        "startTimestamp": start,
        "endTimestamp": end,
        "relativeStart": start - current,
        "relativeEnd": end - current,
    }


class Players:
    """Account ids and zones of the people behind leaderboard rows, loaded at once."""

    def __init__(self, accounts: dict[int, str], zones: dict[int, str]) -> None:
        self.accounts = accounts
        self.zones = zones

    @classmethod
    async def load(cls, session: AsyncSession, person_ids: list[int]) -> Players:
        if not person_ids:
            return cls({}, {})
        accounts = await identity.account_ids(session, person_ids)
        rows = await session.execute(
            select(Person.id, Person.attributes).where(Person.id.in_(person_ids))
        )
        zones = {pid: str((attrs or {}).get("zoneId", identity.WORLD)) for pid, attrs in rows.all()}
        return cls(accounts, zones)

    def entry(self, person_id: int, position: int, score: int, set_ms: int | None) -> Json:
        zone = self.zones.get(person_id, identity.WORLD)
        out: Json = {
            "accountId": self.accounts.get(person_id, ""),
            "zoneId": zone,
            "zoneName": ZONE_NAMES.get(zone, "World"),
            "position": position,
            "score": score,
        }
        if set_ms is not None:
            out["timestamp"] = set_ms // 1000
        return out


def person_of_competitor(competitor: int) -> int | None:
    """Records are held by people: competitor = person id * 4 + 1."""
    return competitor // 4 if competitor % 4 == 1 else None


async def entries(session: AsyncSession, rows: list[Row], *, shift: int = 0) -> list[Json]:
    people = [p for r in rows if (p := person_of_competitor(r.competitor)) is not None]
    players = await Players.load(session, people)
    return [
        players.entry(person, row.rank + shift, row.score, row.set_ms)
        for row in rows
        if (person := person_of_competitor(row.competitor)) is not None
    ]


def now_utc() -> datetime:
    return datetime.now(UTC)
