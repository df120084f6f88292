"""Posting results: user-submitted virtual results and timers' full results.

Every row is checked before anything is written; one bad row rejects the request
with each problem and its 0-based index in ``error_details``. New results go in
through the core's bulk path, edits through its update path, so both leave events
in the log and move the event's leaderboard.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import limits, resources
from podium.core import results as core_results
from podium.core.errors import Invalid
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import Principal
from podium.core.results import RESULTS, ResultCreate, ResultUpdate, Split
from podium.dialects.runsignup import races, wire
from podium.dialects.runsignup.problems import RsuError, invalid
from podium.store.tables import Competition, Entry, Result, ResultSet

MAX_ROWS = 10_000
MAX_PLACE = 10_000_000  # what the core stores as a place
MAX_SHOWN = 100  # a name, city or custom field shown beside a result
_SPLIT = re.compile(r"^split-(\d+)$")
_SPLIT_PLACE = re.compile(r"^split-(\d+)-place$")
_CUSTOM = re.compile(r"^custom-field-(\d+)$")
_DISPLAY = ("first_name", "last_name", "gender", "age", "city", "state", "country_code")


class RowProblems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, index: int, message: str) -> None:
        self.items.append({"error_msg": f"Result {index}: {message}", "index": index})

    def raise_if_any(self) -> None:
        if self.items:
            raise RsuError(
                wire.INVALID_SUBMISSION,
                f"{len(self.items)} problem(s) in the submitted results; nothing was stored.",
                self.items[:200],
            )


def rows_of(payload: Any, json_key: str, xml_child: str) -> list[dict[str, Any]]:
    """The submitted rows, from ``{json_key: [...]}`` or ``<request><xml_child>…``."""
    if not isinstance(payload, dict):
        raise invalid("The request must be an object.")
    if json_key in payload:
        rows = payload[json_key]
        if isinstance(rows, dict) and xml_child in rows:  # <virtual_results><virtual_result>
            rows = wire.as_list(rows[xml_child])
    else:
        root = next(iter(payload.values()), None) if len(payload) == 1 else None
        if isinstance(root, dict) and xml_child in root:
            rows = wire.as_list(root[xml_child])
        elif isinstance(root, dict) and json_key in root:
            rows = wire.as_list((root[json_key] or {}).get(xml_child))
        else:
            raise invalid(f"The request has no {json_key}.")
    if not isinstance(rows, list):
        raise invalid(f"{json_key} must be a list.")
    if len(rows) > MAX_ROWS:
        raise invalid(f"At most {MAX_ROWS} results may be posted at once.")
    return rows


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not limits.digits(text) or len(text) > limits.MAX_NUMBER_DIGITS:
        raise ValueError(value)
    return int(text)


def _key(value: Any) -> str | None:
    number = _int(value)
    return None if number is None else str(number)


async def _entries(
    session: AsyncSession, event_id: int, column: Any, keys: set[str]
) -> dict[str, Entry]:
    if not keys:
        return {}
    rows = await session.scalars(
        select(Entry).where(Entry.competition_id == event_id, column.in_(sorted(keys)))
    )
    return {getattr(entry, column.key): entry for entry in rows}


async def _existing(
    session: AsyncSession, result_set_id: int, entry_ids: set[int]
) -> dict[int, Result]:
    if not entry_ids:
        return {}
    rows = await session.scalars(
        select(Result)
        .where(Result.result_set_id == result_set_id, Result.entry_id.in_(sorted(entry_ids)))
        .order_by(Result.id)
    )
    return {row.entry_id: row for row in rows if row.entry_id is not None}


def as_number(value: Any) -> int | str | None:
    """A bib or registration id as RunSignup sends it: an int when numeric."""
    if value is None:
        return None
    text = str(value)
    return int(text) if limits.digits(text) and len(text) < 19 else text


@dataclass
class _Virtual:
    index: int
    entry: Entry
    status: str
    ms: int | None
    tally: tuple[bool, float | None]  # (present, value)
    elevation: int | None


async def post_user_results(
    session: AsyncSession,
    principal: Principal,
    event: Competition,
    result_set: ResultSet,
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    problems = RowProblems()
    by_registration = await _entries(
        session,
        event.id,
        Entry.registration_id,
        {
            k
            for row in rows
            if isinstance(row, dict) and (k := _safe_key(row.get("registration_id")))
        },
    )
    by_bib = await _entries(
        session,
        event.id,
        Entry.bib,
        {k for row in rows if isinstance(row, dict) and (k := _safe_key(row.get("bib_num")))},
    )
    elevation_needed = races.allows_elevation(event)
    parsed: list[_Virtual] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.add(index, "each result must be an object.")
            continue
        try:
            registration, bib = _key(row.get("registration_id")), _key(row.get("bib_num"))
        except ValueError:
            problems.add(index, "registration_id and bib_num must be positive integers.")
            continue
        if registration is None and bib is None:
            problems.add(index, "registration_id or bib_num is required.")
            continue
        # The registration wins: its own bib is used whatever bib_num says.
        entry = (
            by_registration.get(registration) if registration is not None else by_bib.get(bib or "")
        )
        if entry is None:
            which = f"registration_id {registration}" if registration else f"bib_num {bib}"
            problems.add(index, f"no registration in this event has {which}.")
            continue
        clock = row.get("clock_time")
        if clock in (None, ""):
            problems.add(index, "clock_time is required.")
            continue
        try:
            status, ms = wire.parse_clock(str(clock), virtual=True)
        except wire.ClockError as exc:
            problems.add(index, str(exc))
            continue
        tally: tuple[bool, float | None] = (False, None)
        if "tally_value" in row:
            raw = row["tally_value"]
            if raw in (None, ""):
                tally = (True, None)
            else:
                try:
                    number = float(raw) if not isinstance(raw, bool) else math.nan
                except (TypeError, ValueError):
                    number = math.nan
                if not math.isfinite(number):
                    problems.add(index, "tally_value must be a finite number.")
                    continue
                tally = (True, number)
        elevation = None
        if elevation_needed:
            try:
                elevation = _int(row.get("elevation_gain_in_mm"))
            except ValueError:
                problems.add(index, "elevation_gain_in_mm must be a non-negative integer.")
                continue
            if elevation is None:
                problems.add(index, "elevation_gain_in_mm is required for this event.")
                continue
        parsed.append(_Virtual(index, entry, status, ms, tally, elevation))
    problems.raise_if_any()

    received = int(time.time())
    existing = await _existing(session, result_set.id, {p.entry.id for p in parsed})
    new: list[ResultCreate] = []
    for item in parsed:
        old = existing.get(item.entry.id)
        attributes = dict(old.attributes) if old is not None else {}
        if item.tally[0] or old is None:
            attributes["tally_value"] = item.tally[1]
        attributes.update(
            source="user",
            results_received_ts=received,
            result_approval_ts=None,
            elevation_gain_in_mm=item.elevation,
        )
        if old is not None:
            updated = await resources.update(
                session,
                principal,
                RESULTS,
                old.id,
                ResultUpdate(status=item.status, elapsed_ms=item.ms, attributes=attributes),
            )
            existing[item.entry.id] = updated
        else:
            new.append(
                ResultCreate(
                    entry_id=item.entry.id,
                    result_set_id=result_set.id,
                    status=item.status,
                    elapsed_ms=item.ms,
                    attributes=attributes,
                )
            )
    if new:
        await core_results.create_many(session, principal, event.id, new)
    return [
        {
            "registration_id": as_number(item.entry.registration_id),
            "bib_num": as_number(item.entry.bib),
            "results_received_ts": received,
            "individual_result_set_id": result_set.id,
            "submitted_time_in_ms": item.ms,
            "elevation_gain_in_mm": item.elevation,
            "result_approval_ts": None,
        }
        for item in parsed
    ]


def _safe_key(value: Any) -> str | None:
    try:
        return _key(value)
    except ValueError:
        return None


@dataclass
class _Timer:
    index: int
    result: Result | None
    entry: Entry | None
    names: tuple[str, str] | None
    fields: dict[str, Any] = field(default_factory=dict)


def _timer_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The row's changes: status/elapsed, chip time, place, splits, display fields."""
    out: dict[str, Any] = {"attributes": {}, "splits": {}, "clear_splits": set()}
    clock = row.get("clock_time")
    if clock not in (None, ""):
        out["status"], out["elapsed_ms"] = wire.parse_clock(str(clock))
    chip = row.get("chip_time")
    if chip not in (None, ""):
        chip_status, chip_ms = wire.parse_clock(str(chip))
        out["attributes"]["chip_time_ms"] = chip_ms
        out["attributes"]["chip_status"] = chip_status
    if row.get("place") not in (None, ""):
        place = _int(row.get("place"))
        if place is None or not 1 <= place <= MAX_PLACE:
            raise ValueError(f"place must be an integer from 1 to {MAX_PLACE}.")
        out["place"] = place
    for key, value in row.items():
        if _SPLIT.match(key) is not None:
            if value in (None, ""):
                continue  # blank does not clear a split; "X" does
            if str(value).strip().upper() == "X":
                out["clear_splits"].add(key)
                continue
            status, ms = wire.parse_clock(str(value))
            if ms is None:
                raise ValueError(f"{key} must be a time, not {status}.")
            out["splits"][key] = ms
        elif (_SPLIT_PLACE.match(key) or _CUSTOM.match(key) or key in _DISPLAY) and value not in (
            None,
            "",
        ):
            out["attributes"][key] = _shown_value(key, value)
    return out


def _shown_value(key: str, value: Any) -> str | int | float:
    """A display or custom field: text (at most ``MAX_SHOWN`` characters) or a number."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: int | float = limits.check(value)  # within 64 bits, finite
            return number
        return limits.text(value, key, MAX_SHOWN)
    except Invalid as exc:
        raise ValueError(exc.message) from None


async def post_full_results(
    session: AsyncSession,
    principal: Principal,
    race: Competition,
    event: Competition,
    result_set: ResultSet,
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    problems = RowProblems()

    def keys(*names: str) -> set[str]:
        found = set()
        for row in rows:
            if isinstance(row, dict):
                for name in names:
                    if (k := _safe_key(row.get(name))) is not None:
                        found.add(k)
        return found

    by_registration = await _entries(
        session, event.id, Entry.registration_id, keys("registration_id")
    )
    by_bib = await _entries(session, event.id, Entry.bib, keys("bib_num", "bib"))
    chips = {str(row["chip_num"]) for row in rows if isinstance(row, dict) and row.get("chip_num")}
    by_chip = await _entries(session, event.id, Entry.chip, chips)
    result_ids = {int(k) for k in keys("result_id")}
    known = (
        {
            r.id: r
            for r in await session.scalars(
                select(Result).where(
                    Result.id.in_(sorted(result_ids)), Result.result_set_id == result_set.id
                )
            )
        }
        if result_ids
        else {}
    )

    parsed: list[_Timer] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.add(index, "each result must be an object.")
            continue
        try:
            result_id = _int(row.get("result_id"))
            registration = _key(row.get("registration_id"))
            bib = _key(row.get("bib_num", row.get("bib")))
            fields = _timer_fields(row)
        except (ValueError, wire.ClockError) as exc:
            problems.add(index, str(exc) if str(exc) else "a value is not valid.")
            continue
        chip = str(row["chip_num"]) if row.get("chip_num") else None
        result = None
        if result_id is not None:
            result = known.get(result_id)
            if result is None:
                problems.add(index, f"result_id {result_id} is not a result of this set.")
                continue
        entry = (
            by_registration.get(registration or "")
            or by_bib.get(bib or "")
            or by_chip.get(chip or "")
        )
        if registration is not None and registration not in by_registration:
            problems.add(
                index, f"no registration in this event has registration_id {registration}."
            )
            continue
        names = None
        if entry is None and result is None:
            first, last = row.get("first_name"), row.get("last_name")
            if not first or not last:
                problems.add(index, "no registrant matches; first_name and last_name are required.")
                continue
            names = (str(first), str(last))
        if result is None and "status" not in fields:
            problems.add(index, "clock_time is required for a new result.")
            continue
        parsed.append(_Timer(index, result, entry, names, fields))
    problems.raise_if_any()

    out: list[dict[str, Any]] = []
    for item in parsed:
        fields = item.fields
        if item.result is not None:
            result = item.result
            splits = {s["name"]: s["elapsed_ms"] for s in result.splits}
            splits.update(fields["splits"])
            for name in fields["clear_splits"]:
                splits.pop(name, None)
            update: dict[str, Any] = {
                "attributes": {**result.attributes, **fields["attributes"]},
                "splits": [Split(name=k, elapsed_ms=v) for k, v in sorted(splits.items())],
            }
            for key in ("status", "elapsed_ms", "place"):
                if key in fields:
                    update[key] = fields[key]
            if item.entry is not None and item.entry.id != result.entry_id:
                update["entry_id"] = item.entry.id
                update["person_id"] = item.entry.person_id
            result = await resources.update(
                session, principal, RESULTS, result.id, ResultUpdate(**update)
            )
            entry = item.entry or (
                await session.get(Entry, result.entry_id) if result.entry_id else None
            )
        else:
            person_id = None
            entry = item.entry
            if entry is None and item.names is not None:
                person = await resources.create(
                    session,
                    principal,
                    PEOPLE,
                    PersonCreate(
                        name=f"{item.names[0]} {item.names[1]}",
                        given_name=item.names[0][:100],
                        family_name=item.names[1][:100],
                        organization_id=race.organization_id,
                    ),
                )
                person_id = person.id
            result = await core_results.create_one(
                session,
                principal,
                event.id,
                ResultCreate(
                    entry_id=entry.id if entry is not None else None,
                    person_id=person_id,
                    result_set_id=result_set.id,
                    status=fields["status"],
                    elapsed_ms=fields["elapsed_ms"],
                    place=fields.get("place"),
                    splits=[
                        Split(name=k, elapsed_ms=v) for k, v in sorted(fields["splits"].items())
                    ],
                    attributes={"source": "timer", **fields["attributes"]},
                ),
            )
        out.append(
            {
                "result_id": result.id,
                "registration_id": as_number(entry.registration_id) if entry is not None else None,
                "bib": as_number(entry.bib) if entry is not None else None,
            }
        )
    return out


async def clear(session: AsyncSession, principal: Principal, result_set: ResultSet) -> int:
    """Delete every result of the set (each leaves its own event); how many there were."""
    ids = list(
        await session.scalars(select(Result.id).where(Result.result_set_id == result_set.id))
    )
    for result_id in ids:
        await resources.delete(session, principal, RESULTS, result_id)
    return len(ids)
