"""Core objects in Nadeo's shapes: maps, campaigns, months of Tracks of the Day, records."""

from __future__ import annotations

import calendar
import time
from collections import OrderedDict, defaultdict
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


def month_span(now: datetime, first: datetime | None) -> list[tuple[int, int]]:
    """(year, month) from the current month back to ``first``'s, newest first: what
    ``offset`` counts, so a month without a day still takes its place (Royal maps ended
    in June 2025 yet offset 0 is still the current month)."""
    if first is None:
        return []
    span = []
    year, month = now.year, now.month
    while (year, month) >= (first.year, first.month):
        span.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return span


def months_json(
    months: list[tuple[int, int]], days: list[Competition], groups: dict[int, str], now: datetime
) -> list[Json]:
    """These months in this order, each with its released days in order (maybe none)."""
    by_month: dict[tuple[int, int], list[Competition]] = defaultdict(list)
    for day in days:
        assert day.starts_at is not None
        by_month[(day.starts_at.year, day.starts_at.month)].append(day)
    return [
        {
            "year": year,
            "month": month,
            "lastDay": calendar.monthrange(year, month)[1],
            "days": [_day_json(day, groups.get(day.id, ""), now) for day in by_month[year, month]],
            "media": media(),
        }
        for year, month in months
    ]


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


class PlayerCache:
    """person id -> (account id, zone id) for a few seconds: a leaderboard page is read
    far more often than an account's id or zone changes, so pages mostly skip the store."""

    def __init__(self, seconds: float = 5.0, size: int = 200_000) -> None:
        self.seconds = seconds
        self.size = size
        self._seen: OrderedDict[int, tuple[float, str, str]] = OrderedDict()

    def get(self, person_id: int) -> tuple[str, str] | None:
        found = self._seen.get(person_id)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1], found[2]

    def put(self, person_id: int, account: str, zone: str) -> None:
        self._seen[person_id] = (time.monotonic() + self.seconds, account, zone)
        self._seen.move_to_end(person_id)
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)


class Players:
    """Account ids and zones of the people behind leaderboard rows, loaded at once."""

    def __init__(self, accounts: dict[int, str], zones: dict[int, str]) -> None:
        self.accounts = accounts
        self.zones = zones

    @classmethod
    async def load(
        cls, session: AsyncSession, person_ids: list[int], cache: PlayerCache | None = None
    ) -> Players:
        found: dict[int, tuple[str, str]] = {}
        for pid in person_ids:
            hit = cache.get(pid) if cache is not None else None
            if hit is not None:
                found[pid] = hit
        missing = [p for p in person_ids if p not in found]
        if missing:
            accounts = await identity.account_ids(session, missing)
            rows = await session.execute(
                select(Person.id, Person.attributes).where(Person.id.in_(missing))
            )
            for pid, attrs in rows.all():
                found[pid] = (
                    accounts.get(pid, ""),
                    str((attrs or {}).get("zoneId", identity.WORLD)),
                )
                if cache is not None:
                    cache.put(pid, *found[pid])
        return cls({p: a for p, (a, _z) in found.items()}, {p: z for p, (_a, z) in found.items()})

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


async def entries(
    session: AsyncSession, rows: list[Row], *, shift: int = 0, cache: PlayerCache | None = None
) -> list[Json]:
    people = [p for r in rows if (p := person_of_competitor(r.competitor)) is not None]
    players = await Players.load(session, people, cache)
    return [
        players.entry(person, row.rank + shift, row.score, row.set_ms)
        for row in rows
        if (person := person_of_competitor(row.competitor)) is not None
    ]


def now_utc() -> datetime:
    return datetime.now(UTC)
