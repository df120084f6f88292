"""Organizer routes of the RunSignup dialect in the native API (``/api/v1/runsignup``).

The same work as ``podium runsignup race create``, ``participants import``,
``key create|list|revoke`` and ``user revoke``, for organizers who script Podium
over HTTP.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.core.errors import Invalid, NotFound
from podium.core.fields import Id, Name, UtcDateTime
from podium.dialects.runsignup import auth, races
from podium.dialects.runsignup.uploads import as_number
from podium.store.tables import Competition

router = APIRouter(route_class=LimitedRoute, prefix="/runsignup", tags=["runsignup"])

Short = Annotated[str, StringConstraints(max_length=100)]
ApiKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{1,64}$")]
Email = Annotated[str, StringConstraints(min_length=1, max_length=320, pattern=r"^[^\x00]+$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class EventIn(BaseModel):
    name: Name
    virtual: bool = False
    elevation: bool = False
    distance: Short | None = None
    starts_at: UtcDateTime | None = None


class RaceIn(BaseModel):
    organization_id: Id
    name: Name
    starts_at: UtcDateTime | None = None
    events: list[EventIn] = Field(min_length=1, max_length=100)


class ParticipantIn(BaseModel):
    first_name: Short = ""
    last_name: Short = ""
    gender: Annotated[str, StringConstraints(pattern=r"^[MFXmfx]$")] | None = None
    dob: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    bib: Code | None = None
    chip: Code | None = None
    registration_id: Annotated[str, StringConstraints(pattern=r"^\d{1,18}$")] | None = None


class ParticipantsIn(BaseModel):
    event_id: Id
    participants: list[ParticipantIn] = Field(min_length=1, max_length=10_000)


@router.post("/races", status_code=201)
async def create_race(body: RaceIn, db: DB, actor: Actor) -> dict[str, Any]:
    """A race with its events; virtual events take user-submitted results."""
    specs = [
        races.EventSpec(e.name, e.virtual, e.elevation, e.distance, e.starts_at)
        for e in body.events
    ]
    async with db.write() as session:
        race, made = await races.create_race(
            session, actor, body.organization_id, body.name, specs, starts_at=body.starts_at
        )
        return {
            "race_id": race.id,
            "events": [
                {"event_id": e.id, "name": e.name, "virtual": races.is_virtual(e)} for e in made
            ],
        }


@router.post("/races/{race_id}/participants", status_code=201)
async def add_participants(
    race_id: Id, body: ParticipantsIn, db: DB, actor: Actor
) -> list[dict[str, Any]]:
    """Register people in an event; missing registration ids and bibs are assigned."""
    async with db.write() as session:
        race = await races.find_race(session, race_id)
        if race is None:
            raise NotFound(f"No RunSignup race {race_id}.")
        actor.require("setup", race.organization_id)
        event = await races.find_event(session, race, body.event_id)
        if event is None:
            raise Invalid(
                f"Event {body.event_id} is not an event of race {race_id}.", field="event_id"
            )
        out = []
        for index, item in enumerate(body.participants):
            if not item.first_name and not item.last_name:
                raise Invalid(f"participants[{index}] needs a first or last name.", row=index)
            entry = await races.register(
                session,
                actor,
                race,
                event,
                first_name=item.first_name,
                last_name=item.last_name,
                gender=item.gender.upper() if item.gender else None,
                birth_date=item.dob,
                email=item.email,
                bib=item.bib,
                chip=item.chip,
                registration_id=item.registration_id,
            )
            out.append(
                {
                    "registration_id": as_number(entry.registration_id),
                    "bib_num": as_number(entry.bib),
                    "chip_num": entry.chip,
                    "entry_id": entry.id,
                    "person_id": entry.person_id,
                }
            )
        return out


async def _keyed_race(session: AsyncSession, actor: Actor, race_id: int) -> Competition:
    race = await races.find_race(session, race_id)
    if race is None or not actor.allows("read", race.organization_id):
        raise NotFound(f"No RunSignup race {race_id}.")
    actor.require("admin", race.organization_id)
    return race


@router.post("/races/{race_id}/keys", status_code=201)
async def create_key(race_id: Id, db: DB, actor: Actor) -> dict[str, Any]:
    """An api_key/api_secret pair for the race; the secret is shown only once."""
    async with db.write() as session:
        race = await _keyed_race(session, actor, race_id)
        api_key, api_secret = await auth.create_key(session, race.id, race.organization_id)
    return {"race_id": race_id, "api_key": api_key, "api_secret": api_secret}


@router.get("/races/{race_id}/keys")
async def list_keys(race_id: Id, db: DB, actor: Actor) -> list[dict[str, Any]]:
    """The race's api keys, never their secrets."""
    async with db.read() as session:
        await _keyed_race(session, actor, race_id)
        rows = await auth.keys_of(session, race_id)
    return [
        {"api_key": r.identifier, "name": r.name, "revoked": r.revoked_at is not None} for r in rows
    ]


@router.delete("/keys/{api_key}", status_code=204)
async def revoke_key(api_key: ApiKey, db: DB, actor: Actor) -> None:
    """Refuse the key (both its auth forms) from the next request on, on every worker."""
    async with db.write() as session:
        await auth.revoke_key(session, actor, api_key)


@router.delete("/users/{email}", status_code=204)
async def revoke_user(email: Email, db: DB, actor: Actor) -> None:
    """Refuse the user's logins and every temporary key of the user, at once."""
    async with db.write() as session:
        await auth.revoke_user(session, actor, email)
