"""Results: one measured performance (time, laps, points, status) in a competition.

Creation always goes through ``create_many`` so a single result and a bulk upload of
thousands follow the same rules; references are checked in a few set-wise queries,
and any bad row rejects the whole batch with its row number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator
from sqlalchemy import null, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import events, resources
from podium.core.challenges import CHALLENGES
from podium.core.competitions import COMPETITIONS, started
from podium.core.entries import ENTRIES
from podium.core.errors import Invalid
from podium.core.fields import (
    Attributes,
    CleanText,
    Id,
    Millis,
    Reason,
    ResultStatus,
    UtcDateTime,
)
from podium.core.people import PEOPLE
from podium.core.principal import Principal
from podium.core.resources import Command, Resource, Scope
from podium.core.result_sets import RESULT_SETS
from podium.core.schedule import HEATS, SLOTS
from podium.core.teams import TEAMS
from podium.store.database import bulk_insert, reserve_ids
from podium.store.tables import (
    Base,
    Challenge,
    Competition,
    Entry,
    Heat,
    Person,
    Result,
    ResultSet,
    Round,
    Slot,
    Team,
)
from podium.store.types import utcnow

SplitName = Annotated[str, StringConstraints(min_length=1, max_length=100), CleanText]
Laps = Annotated[int, Field(ge=0, le=100_000)]
Points = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
Place = Annotated[int, Field(ge=1, le=10_000_000)]


class Split(Command):
    name: SplitName
    elapsed_ms: Millis


class _ResultFields(Command):
    person_id: Id | None = None
    team_id: Id | None = None
    challenge_id: Id | None = None
    result_set_id: Id | None = None
    heat_id: Id | None = None
    slot_id: Id | None = None
    elapsed_ms: Millis | None = None
    laps: Laps | None = None
    lap_times_ms: list[Millis] | None = None
    points: Points | None = None
    splits: list[Split] | None = None
    place: Place | None = None
    status_reason: Reason | None = None
    recorded_at: UtcDateTime | None = None
    attributes: Attributes | None = None


class ResultCreate(_ResultFields):
    entry_id: Id | None = None
    status: ResultStatus = "OK"

    @model_validator(mode="after")
    def _someone(self) -> ResultCreate:
        if self.entry_id is None and self.person_id is None and self.team_id is None:
            raise ValueError("a result needs entry_id, person_id or team_id")
        return self


class ResultUpdate(_ResultFields):
    entry_id: Id | None = None
    status: ResultStatus | None = None


async def _scope(session: AsyncSession, result: Result) -> Scope:
    return await resources.scope_via(session, COMPETITIONS, result.competition_id)


async def _validate(_session: AsyncSession, result: Result) -> None:
    """An update may not leave a result without anyone (ResultCreate's rule)."""
    if result.entry_id is None and result.person_id is None and result.team_id is None:
        raise Invalid("a result needs entry_id, person_id or team_id.", field="entry_id")


RESULTS: Resource[Result] = Resource(
    kind="result",
    model=Result,
    create=ResultCreate,
    update=ResultUpdate,
    competition_bound=True,
    scope=_scope,
    refs={
        "entry_id": ENTRIES,
        "person_id": PEOPLE,
        "team_id": TEAMS,
        "challenge_id": CHALLENGES,
        "result_set_id": RESULT_SETS,
        "heat_id": HEATS,
        "slot_id": SLOTS,
    },
    writes="results",
    validate=_validate,
)

_CHUNK = 900


async def _owners(
    session: AsyncSession, column: str, ids: set[int]
) -> dict[int, tuple[int | None, int | None, int | None]]:
    """For each id: (organization, competition, person of an entry) in a few queries."""
    found: dict[int, tuple[int | None, int | None, int | None]] = {}
    chunks = [sorted(ids)[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    for chunk in chunks:
        query: Any
        if column == "person_id":
            query = select(Person.id, Person.organization_id, null(), null()).where(
                Person.id.in_(chunk)
            )
        elif column == "team_id":
            query = select(Team.id, Team.organization_id, null(), null()).where(Team.id.in_(chunk))
        elif column == "challenge_id":
            query = select(Challenge.id, Challenge.organization_id, null(), null()).where(
                Challenge.id.in_(chunk)
            )
        elif column == "entry_id":
            query = select(Entry.id, null(), Entry.competition_id, Entry.person_id).where(
                Entry.id.in_(chunk)
            )
        elif column == "result_set_id":
            query = select(ResultSet.id, null(), ResultSet.competition_id, null()).where(
                ResultSet.id.in_(chunk)
            )
        elif column == "heat_id":
            query = (
                select(Heat.id, null(), Round.competition_id, null())
                .join(Round, Heat.round_id == Round.id)
                .where(Heat.id.in_(chunk))
            )
        else:
            query = (
                select(Slot.id, null(), Round.competition_id, null())
                .join(Heat, Slot.heat_id == Heat.id)
                .join(Round, Heat.round_id == Round.id)
                .where(Slot.id.in_(chunk))
            )
        for row_id, org, comp, person in (await session.execute(query)).all():
            found[row_id] = (org, comp, person)
    return found


_REF_COLUMNS = tuple(RESULTS.refs)
_BY_COMPETITION = {column for column, target in RESULTS.refs.items() if target.competition_bound}


async def create_many(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    commands: Sequence[ResultCreate],
) -> list[int]:
    """Store every result or none; returns their ids in order.

    Errors name the row (0-based), the field and why. Rows go in as one executemany
    with ids reserved up front: no per-row round trip, no ORM objects.
    """
    competition = await resources.get(session, principal, COMPETITIONS, competition_id)
    principal.require("results", competition.organization_id)
    owners = {
        column: await _owners(session, column, wanted)
        for column in _REF_COLUMNS
        if (wanted := {v for c in commands if (v := getattr(c, column)) is not None})
    }
    errors = list(_reference_errors(principal, commands, owners, competition))
    if errors:
        raise Invalid(
            f"{len(errors)} row(s) refer to objects that do not exist or belong elsewhere; "
            "nothing was stored.",
            errors=errors[:200],
        )
    now = utcnow()
    rows = [_row(command, competition_id, owners, now, principal.kind) for command in commands]
    table = Base.metadata.tables["results"]
    ids = await reserve_ids(session, table, len(rows))
    for new_id, row in zip(ids, rows, strict=True):
        row["id"] = new_id
    await bulk_insert(session, table, rows)
    for row in rows:
        events.record(
            session,
            principal,
            "result.created",
            "result",
            row["id"],
            events.jsonable(row),
            organization_id=competition.organization_id,
            competition_id=competition_id,
        )
    if ids:
        await started(session, principal, competition)
    return ids


def _reference_errors(
    principal: Principal,
    commands: Sequence[ResultCreate],
    owners: dict[str, dict[int, tuple[int | None, int | None, int | None]]],
    competition: Competition,
) -> Iterable[dict[str, Any]]:
    for index, command in enumerate(commands):
        for column in _REF_COLUMNS:
            value = getattr(command, column)
            if value is None:
                continue
            owner = owners[column].get(value)
            # Unreadable is answered as unknown, so other organizations' ids stay hidden.
            if owner is None or not principal.allows("read", owner[0]):
                yield {
                    "row": index,
                    "field": column,
                    "message": f"{column} {value} does not exist.",
                }
                continue
            org, comp, _person = owner
            elsewhere = (
                comp != competition.id
                if column in _BY_COMPETITION
                else org not in (None, competition.organization_id)
            )
            if elsewhere:
                yield {
                    "row": index,
                    "field": column,
                    "message": f"{column} {value} belongs elsewhere.",
                }


def _row(
    command: ResultCreate,
    competition_id: int,
    owners: dict[str, dict[int, tuple[int | None, int | None, int | None]]],
    now: datetime,
    source: str,
) -> dict[str, Any]:
    person_id = command.person_id
    if person_id is None and command.entry_id is not None:
        person_id = owners["entry_id"][command.entry_id][2]
    lap_times = command.lap_times_ms or []
    laps = command.laps if command.laps is not None else (len(lap_times) or None)
    return {
        "competition_id": competition_id,
        "entry_id": command.entry_id,
        "person_id": person_id,
        "team_id": command.team_id,
        "challenge_id": command.challenge_id,
        "result_set_id": command.result_set_id,
        "heat_id": command.heat_id,
        "slot_id": command.slot_id,
        "status": command.status,
        "elapsed_ms": command.elapsed_ms,
        "laps": laps,
        "lap_times_ms": lap_times,
        "points": command.points,
        "splits": [split.model_dump() for split in command.splits or []],
        "place": command.place,
        "status_reason": command.status_reason,
        "review": None,
        "source": source,
        "recorded_at": command.recorded_at or now,
        "attributes": command.attributes or {},
        "created_at": now,
        "updated_at": now,
    }


async def create_one(
    session: AsyncSession, principal: Principal, competition_id: int, command: ResultCreate
) -> Result:
    (new_id,) = await create_many(session, principal, competition_id, [command])
    return await RESULTS.load(session, new_id)
