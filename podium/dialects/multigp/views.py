"""Core objects in RaceSync's shapes: strings for ids, numbers and flags.

The schedule lists every slot of each heat's frequency profile, empty ones too, and
is never null; filled slots carry the pilot and the pushed result.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import external_ids
from podium.dialects.multigp import races, wire
from podium.store.tables import Competition, Entry, Heat, Organization, Person, Result, Round, Slot

Json = dict[str, Any]


def stamp(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%d %H:%M:%S") if when is not None else None


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> str | None:
    """A score as RaceSync writes one: "6", not "6.0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _s(value)


def logo_url(org: Organization | None) -> str:
    """The chapter's logo: the organization's ``attributes.logo_url``, else "".

    RaceSync always sends a string here; the Toolkit splits it on "/" to download
    the logo, and an empty string makes it skip the download instead of failing.
    """
    value = (org.attributes or {}).get("logo_url") if org is not None else None
    return value if isinstance(value, str) else ""


def url_name(name: str) -> str:
    """RaceSync's ``urlName``: the name with runs of other characters as one "-"."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


def chapter_json(org: Organization) -> Json:
    return {
        "id": str(org.id),
        "name": org.name,
        "urlName": org.slug,
        "description": org.description,
        "mainImageFileName": logo_url(org),
        "dateAdded": stamp(org.created_at),
        "dateModified": stamp(org.updated_at),
    }


class Pilots:
    """People and their MultiGP ids for a set of entries, loaded at once."""

    def __init__(self, people: dict[int, Person], ids: dict[int, str]) -> None:
        self.people = people
        self.ids = ids

    @classmethod
    async def load(cls, session: AsyncSession, person_ids: set[int]) -> Pilots:
        if not person_ids:
            return cls({}, {})
        rows = await session.scalars(select(Person).where(Person.id.in_(sorted(person_ids))))
        people = {p.id: p for p in rows}
        found = await external_ids.for_objects(session, "person", sorted(person_ids))
        return cls(people, {pid: ids.get(races.SCHEME, str(pid)) for pid, ids in found.items()})

    def fields(self, person_id: int | None) -> Json:
        """The pilot's fields; strings, never null (RotorHazard names pilots from them)."""
        person = self.people.get(person_id or 0)
        if person is None:
            return {
                "pilotId": None,
                "userName": "",
                "displayName": "",
                "firstName": "",
                "lastName": "",
                "profilePictureUrl": "",
            }
        user_name = person.attributes.get("userName") or person.name
        out: Json = {
            "pilotId": self.ids.get(person.id),
            "userName": user_name,
            "displayName": user_name,
            "firstName": person.given_name or person.name,
            "lastName": person.family_name or "",
            "profilePictureUrl": person.avatar_url or "",
        }
        velocidrone = person.attributes.get("velocidroneUid")
        if isinstance(velocidrone, str) and velocidrone:
            out["velocidroneUid"] = velocidrone  # optional on RaceSync: only when known
        return out


def entry_json(entry: Entry, pilots: Pilots, score: float | None = None) -> Json:
    """A race entry; ``score`` is the sum of the points pushed for it ("0" without)."""
    return {
        "id": str(entry.id),
        **pilots.fields(entry.person_id),
        "pilotName": None,
        "aircraftId": "",
        "aircraftName": entry.equipment or "",
        "scannableId": "",
        "frequency": _s(entry.frequency_mhz),
        "band": entry.band,
        "channel": entry.channel,
        "group": None,
        "groupSlot": None,
        "score": _number(score) if score is not None else "0",
        "dateAdded": stamp(entry.created_at),
        "dateModified": stamp(entry.updated_at),
    }


def _result_fields(result: Result | None) -> Json:
    """A filled slot's result: the times are null until pushed; ``score`` ("0" when
    none) and ``liveTimeRaceUrl`` ("" when none) are strings, as RaceSync sends them."""
    if result is None:
        return {
            "totalLaps": None,
            "totalTime": None,
            "fastestLap": None,
            "fastest2Laps": None,
            "fastest3Laps": None,
            "score": "0",
            "liveTimeRaceUrl": "",
        }
    best = result.attributes.get("best_ms") or {}
    return {
        "totalLaps": _s(result.laps),
        "totalTime": wire.ms_to_seconds(result.elapsed_ms),
        "fastestLap": wire.ms_to_seconds(best.get("1")),
        "fastest2Laps": wire.ms_to_seconds(best.get("2")),
        "fastest3Laps": wire.ms_to_seconds(best.get("3")),
        "score": _number(result.attributes.get("score")) or "0",
        "liveTimeRaceUrl": result.attributes.get("liveTimeEventUrl") or "",
    }


async def schedule_rounds(
    session: AsyncSession,
    race: Competition,
    rounds: list[Round] | None = None,
    current: int | None = None,
) -> list[Json]:
    if rounds is None:
        rounds = list(
            (
                await session.scalars(
                    select(Round).where(Round.competition_id == race.id).order_by(Round.number)
                )
            ).all()
        )
    if not rounds:
        return []
    heats = list(
        (
            await session.scalars(
                select(Heat).where(Heat.round_id.in_([r.id for r in rounds])).order_by(Heat.number)
            )
        ).all()
    )
    slots = list(
        (
            await session.scalars(
                select(Slot)
                .where(Slot.heat_id.in_([h.id for h in heats] or [0]))
                .order_by(Slot.number)
            )
        ).all()
    )
    entry_ids = {s.entry_id for s in slots if s.entry_id is not None}
    entries = {
        e.id: e
        for e in await session.scalars(select(Entry).where(Entry.id.in_(sorted(entry_ids) or [0])))
    }
    results = {
        r.slot_id: r
        for r in await session.scalars(
            select(Result)
            .where(Result.slot_id.in_([s.id for s in slots] or [0]))
            .order_by(Result.id)
        )
    }
    pilots = await Pilots.load(session, {e.person_id for e in entries.values() if e.person_id})
    by_heat: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        by_heat[slot.heat_id].append(slot)
    by_round: dict[int, list[Heat]] = defaultdict(list)
    for heat in heats:
        by_round[heat.round_id].append(heat)
    out = []
    for round_ in rounds:
        heat_views = []
        for heat in by_round[round_.id]:
            slot_views = []
            for slot in by_heat[heat.id]:
                view: Json = {
                    "slot": slot.number,
                    "frequency": slot.frequency_mhz or 0,
                    "band": slot.band,
                    "channel": slot.channel,
                }
                entry = entries.get(slot.entry_id or 0)
                if entry is not None:
                    view.update(
                        id=str(slot.id),
                        raceEntryId=str(entry.id),
                        **pilots.fields(entry.person_id),
                        aircraftName=entry.equipment or "",
                        scannableId="",
                        pilotName=None,
                        dateAdded=stamp(slot.created_at),
                        dateModified=stamp(slot.updated_at),
                        **_result_fields(results.get(slot.id)),
                    )
                slot_views.append(view)
            heat_views.append({"name": f"Race {heat.number}", "entries": slot_views})
        item: Json = {
            "name": round_.name or f"Round {round_.number}",
            "roundType": 2,
            "heats": heat_views,
        }
        if current is not None:
            item["currentRound"] = current
        out.append(item)
    return out


def _dates(race: Competition) -> tuple[str, str]:
    """startDate and endDate, always strings: the apps parse them as dates."""
    start = stamp(race.starts_at) or stamp(race.created_at) or ""
    return start, stamp(race.ends_at) or start


def _race_fields(race: Competition, org: Organization | None, children: int) -> Json:
    """What a race summary and a full race view share."""
    info = races.settings(race)
    start, end = _dates(race)
    return {
        "id": str(race.id),
        "name": race.name,
        "urlName": url_name(race.name),
        "chapterId": str(race.organization_id),
        "chapterName": org.name if org else "",
        "chapterImageFileName": logo_url(org),
        "startDate": start,
        "endDate": end,
        "scoringFormat": str(info.get("scoringFormat", "0")),
        "raceType": str(info.get("raceType", "1")),
        "raceClass": "0",
        "raceClassString": "Open",
        "disableSlotAutoPopulation": str(info.get("disableSlotAutoPopulation", "0")),
        "status": "Closed" if race.status in ("finished", "cancelled") else "Open",
        "childRaceCount": children,
    }


async def _scores(session: AsyncSession, race_id: int) -> dict[int, float]:
    """entry id -> the sum of the points pushed in its slots."""
    rows = await session.execute(
        select(Result.entry_id, func.sum(Result.points))
        .where(
            Result.competition_id == race_id,
            Result.slot_id.is_not(None),
            Result.points.is_not(None),
        )
        .group_by(Result.entry_id)
    )
    return {
        entry_id: float(total)
        for entry_id, total in rows
        if entry_id is not None and total is not None
    }


async def race_json(session: AsyncSession, race: Competition, *, schedule: bool = True) -> Json:
    """The full race; fields RaceSync fills with a string are strings here, never null."""
    info = races.settings(race)
    org = await session.get(Organization, race.organization_id)
    children = await races.children(session, race.id)
    race_entries = await races.entries(session, race.id)
    pilots = await Pilots.load(session, {e.person_id for e in race_entries if e.person_id})
    scores = await _scores(session, race.id)
    current = info.get("currentCycle")
    out: Json = {
        **_race_fields(race, org, len(children)),
        "description": info.get("description", ""),
        "content": info.get("content", ""),
        "itineraryContent": "",
        "url": "",
        "mainImageFileName": None,
        "ownerId": "",
        "ownerUserName": "",
        "seasonId": "",
        "seasonName": "",
        "courseId": "",
        "courseName": "",
        "dateAdded": stamp(race.created_at),
        "dateModified": stamp(race.updated_at),
        "type": wire.flag(race.public),
        "officialStatus": "0",
        "finalized": wire.flag(race.status == "finished"),
        "scoringDisabled": str(info.get("scoringDisabled", "0")),
        "captureTimeEnabled": "1",
        "cycleCount": str(info.get("cycleCount", 1)),
        "currentCycle": _s(current),
        "currentHeat": _s(info.get("currentHeat")),
        "maxZippyqDepth": str(info.get("maxZippyqDepth", 0)),
        "zippyqIterator": str(info.get("zippyqIterator", 0)),
        "slotLayout": str(info.get("slots", 8)),
        "slotAssignment": "0",
        "disabledSlots": "",
        "antennaPolarization": "0",
        "autofillSlotChangeBetweenCycles": "0",
        "address": "",
        "city": "",
        "state": "",
        "zip": "",
        "country": "",
        "liveTimeEventUrl": None,
        "parentRaceId": _s(race.parent_id),
        "races": [{"id": str(c.id), "name": c.name} for c in children],
        "raceEntryCount": str(len(race_entries)),
        "participantCount": str(len(race_entries)),
        "updateAuth": True,
        "deleteAuth": True,
        "isJoined": False,
        "entries": [entry_json(e, pilots, scores.get(e.id)) for e in race_entries],
    }
    if schedule:
        rounds = await schedule_rounds(session, race)
        out["schedule"] = {"rounds": rounds} if rounds else []
    return out


def summary_json(race: Competition, org: Organization | None, children: int = 0) -> Json:
    return _race_fields(race, org, children)


async def rounds_min(session: AsyncSession, race: Competition) -> Json:
    out: Json = {}
    for round_ in await schedule_rounds(session, race):
        number = round_["name"].removeprefix("Round ")
        out[number] = {
            str(h): {str(s["slot"]): s["pilotId"] for s in heat["entries"] if s.get("pilotId")}
            for h, heat in enumerate(round_["heats"], start=1)
        }
    return out
