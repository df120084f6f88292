"""Core objects in RunSignup's shapes: races, events, participants, result sets, rows."""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import limits
from podium.core.categories import Group
from podium.dialects.runsignup import races, wire
from podium.dialects.runsignup.sets import set_settings
from podium.dialects.runsignup.uploads import as_number
from podium.ranking import groups
from podium.ranking.leaderboards import competitor_of
from podium.store.tables import Competition, Entry, Person, Result, ResultSet

Json = dict[str, Any]

BASE_HEADERS = {
    "result_id": "Result ID",
    "place": "Place",
    "bib": "Bib",
    "first_name": "First Name",
    "last_name": "Last Name",
    "gender": "Gender",
    "age": "Age",
    "city": "City",
    "state": "State",
    "country_code": "Country",
    "clock_time": "Clock Time",
    "chip_time": "Chip Time",
}
VIRTUAL_HEADERS = {
    "tally_value": "Tally",
    "elevation_gain_in_mm": "Elevation Gain (mm)",
    "submitted_time_in_ms": "Submitted Time (ms)",
}


def _date(when: datetime | None) -> str | None:
    return when.strftime("%m/%d/%Y") if when is not None else None


def _datetime(when: datetime | None) -> str | None:
    if when is None:
        return None
    return f"{when.month}/{when.day}/{when.year} {when.hour:02d}:{when.minute:02d}"


def event_json(event: Competition) -> Json:
    virtual = races.is_virtual(event)
    return {
        "event_id": event.id,
        "race_event_days_id": event.parent_id,
        "name": event.name,
        "details": event.attributes.get("details"),
        "start_time": _datetime(event.starts_at),
        "end_time": _datetime(event.ends_at),
        "age_calc_base_date": None,
        "registration_opens": None,
        "event_type": "virtual_race" if virtual else "running_race",
        "distance": event.attributes.get("distance"),
        "volunteer": "F",
        "require_dob": "F",
        "require_phone": "F",
        "registration_periods": [],
        "sub_event_ids": [],
        "giveaway": None,
        "is_virtual_event": wire.flag(virtual),
        "allow_elevation_gain": wire.flag(races.allows_elevation(event)),
    }


def race_json(race: Competition, events: list[Competition] | None) -> Json:
    address = race.attributes.get("address")
    out: Json = {
        "race_id": race.id,
        "name": race.name,
        "last_date": _date(race.starts_at),
        "last_end_date": _date(race.ends_at or race.starts_at),
        "next_date": _date(race.starts_at),
        "next_end_date": _date(race.ends_at or race.starts_at),
        "is_draft_race": wire.flag(not race.public),
        "is_registration_open": wire.flag(race.status in ("scheduled", "open")),
        "created": _datetime(race.created_at),
        "last_modified": _datetime(race.updated_at),
        "description": race.attributes.get("description"),
        "url": race.attributes.get("url"),
        "external_race_url": None,
        "external_results_url": None,
        "address": address
        if isinstance(address, dict)
        else {
            "street": None,
            "city": None,
            "state": None,
            "zipcode": None,
            "country_code": None,
        },
        "timezone": race.attributes.get("timezone", "America/New_York"),
        "logo_url": None,
    }
    if events is not None:
        out["events"] = [event_json(event) for event in events]
    return out


def participant_json(entry: Entry, person: Person | None) -> Json:
    return {
        "user": {
            "user_id": person.id if person is not None else None,
            "first_name": person.given_name if person is not None else None,
            "middle_name": None,
            "last_name": person.family_name if person is not None else None,
            "email": person.email if person is not None else None,
            "address": {
                "street": None,
                "city": None,
                "state": None,
                "zipcode": None,
                "country_code": None,
            },
            "dob": person.birth_date if person is not None else None,
            "gender": person.gender if person is not None else None,
            "phone": None,
            "profile_image_url": None,
        },
        "registration_id": as_number(entry.registration_id),
        "event_id": entry.competition_id,
        "bib_num": as_number(entry.bib),
        "chip_num": entry.chip,
        "age": None,
        "registration_date": _datetime(entry.created_at),
        "team_id": None,
        "team_name": None,
        "last_modified": int(entry.updated_at.timestamp()),
        "imported": "T",
    }


def headers_for(
    event: Competition, split_names: list[str], divisions: Divisions | None = None
) -> Json:
    headers = dict(BASE_HEADERS)
    if races.is_virtual(event):
        headers.update(VIRTUAL_HEADERS)
    for name in split_names:
        headers[name] = f"Split {name.removeprefix('split-')}"
    if divisions is not None:
        headers.update(divisions.titles)
    return headers


def division_id(group: str) -> int:
    """A category's ``race_division_id``: stable across calls and servers."""
    return zlib.crc32(group.encode()) & 0x7FFFFFFF or 1


class Divisions:
    """Division placements of a set: RunSignup's name for category places.

    The core's categories (gender, age group on the event day, division, team) are
    the set's divisions; placements count finishers in the set's order.
    """

    def __init__(self) -> None:
        self.titles: dict[str, str] = {}  # "division-<id>-placement" -> name
        self.places: dict[int, dict[str, int]] = {}  # result id -> column -> placement
        self.counts: dict[int, int] = {}  # race_division_id -> finishers
        self.ages: dict[int, int] = {}

    def add(self, result_id: int, found: list[Group]) -> None:
        for group in found:
            number = division_id(group.key)
            column = f"division-{number}-placement"
            self.titles.setdefault(column, group.title)
            self.counts[number] = self.counts.get(number, 0) + 1
            self.places.setdefault(result_id, {})[column] = self.counts[number]


def set_json(
    result_set: ResultSet, headers: Json, rows: list[Json], alt_events: list[int] | None = None
) -> Json:
    settings = set_settings(result_set)
    return {
        "individual_result_set_id": result_set.id,
        "individual_result_set_name": result_set.name,
        "public_results": wire.flag(result_set.public),
        "preliminary_results": wire.flag(bool(settings["preliminary_results"])),
        "pace_type": settings["pace_type"],
        "team_column_display_type": settings["team_column_display_type"],
        "sort_order": settings["sort_order"],
        "results_source_name": settings["results_source_name"],
        "results_source_url": settings["results_source_url"],
        "alt_event_ids": alt_events if alt_events is not None else settings["alt_event_ids"],
        "results_headers": headers,
        "results": rows,
    }


def _order(query: Any) -> Any:
    """Placed rows by place, then finishers by time, then the statuses."""
    return query.order_by(
        Result.place.is_(None),
        Result.place,
        (Result.status != "OK"),
        Result.elapsed_ms.is_(None),
        Result.elapsed_ms,
        Result.id,
    )


async def result_rows(
    session: AsyncSession,
    event: Competition,
    result_set: ResultSet,
    *,
    page: int,
    per_page: int,
    first_name: str | None = None,
    last_name: str | None = None,
    bib: str | None = None,
    search: str | None = None,
) -> tuple[list[Json], list[str], Divisions]:
    """One page of the set's rows, every split column the set uses, its divisions."""
    query = (
        select(Result, Entry, Person)
        .outerjoin(Entry, Entry.id == Result.entry_id)
        .outerjoin(Person, Person.id == Result.person_id)
        .where(Result.result_set_id == result_set.id)
    )
    if first_name:
        query = query.where(
            func.lower(Person.given_name).startswith(first_name.lower(), autoescape=True)
        )
    if last_name:
        query = query.where(
            func.lower(Person.family_name).startswith(last_name.lower(), autoescape=True)
        )
    if bib:
        query = query.where(Entry.bib == bib)
    if search:
        query = query.where(
            or_(Person.name.icontains(search, autoescape=True), Entry.bib == search)
        )
    # Places for finishers without one come from their rank in the whole set, and so
    # do the division placements (gender, age group, division, team), counted in order.
    ranked = (
        await session.execute(
            _order(
                select(
                    Result.id,
                    Result.person_id,
                    Result.team_id,
                    Result.entry_id,
                    Result.attributes,
                ).where(Result.result_set_id == result_set.id, Result.status == "OK")
            )
        )
    ).all()
    rank = {line.id: index for index, line in enumerate(ranked, start=1)}
    placed = await groups.placed(session, event.id, ranked)
    divisions = Divisions()
    for line in ranked:
        competitor = competitor_of(line.person_id, line.team_id, line.entry_id)
        profile = placed.get(competitor) if competitor is not None else None
        divisions.add(line.id, profile[1] if profile else [])
        if profile and profile[0].age is not None:
            divisions.ages[line.id] = profile[0].age
    found = (
        await session.execute(_order(query).offset((page - 1) * per_page).limit(per_page))
    ).all()
    split_names = sorted(
        {s["name"] for (result, _e, _p) in found for s in result.splits},
        key=lambda name: (
            int(name.removeprefix("split-")) if limits.digits(name.removeprefix("split-")) else 0
        ),
    )
    virtual = races.is_virtual(event)
    rows = []
    for result, entry, person in found:
        attributes = result.attributes
        chip_ms = attributes.get("chip_time_ms")
        row: Json = {
            "result_id": result.id,
            "place": result.place or (rank.get(result.id) if result.status == "OK" else None),
            "bib": as_number(entry.bib) if entry is not None else None,
            "first_name": attributes.get("first_name") or (person.given_name if person else None),
            "last_name": attributes.get("last_name") or (person.family_name if person else None),
            "gender": attributes.get("gender") or (person.gender if person else None),
            "age": attributes.get("age"),
            "city": attributes.get("city"),
            "state": attributes.get("state"),
            "country_code": attributes.get("country_code") or (person.country if person else None),
            "clock_time": wire.format_clock(result.elapsed_ms, result.status),
            "chip_time": wire.format_clock(chip_ms, str(attributes.get("chip_status", "OK")))
            if "chip_time_ms" in attributes
            else wire.format_clock(result.elapsed_ms, result.status),
        }
        if virtual:
            row["tally_value"] = attributes.get("tally_value")
            row["elevation_gain_in_mm"] = attributes.get("elevation_gain_in_mm")
            row["submitted_time_in_ms"] = result.elapsed_ms
        splits = {s["name"]: s["elapsed_ms"] for s in result.splits}
        for name in split_names:
            row[name] = wire.format_clock(splits[name]) if name in splits else None
        for key, value in attributes.items():
            if key.startswith(("custom-field-", "split-")) and key not in row:
                row[key] = value
        if row["age"] is None:
            row["age"] = divisions.ages.get(result.id)
        for column in divisions.titles:
            row[column] = divisions.places.get(result.id, {}).get(column)
        rows.append(row)
    return rows, split_names, divisions
