"""Organizer routes of the MultiGP dialect in the native API (``/api/v1/multigp``).

The same work as ``podium multigp chapter create`` (a key for an organization) and
``podium multigp race create``, for organizers who script Podium over HTTP.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.core import resources
from podium.core.fields import Id, Name, UtcDateTime
from podium.core.organizations import ORGANIZATIONS
from podium.dialects.multigp import auth, races

router = APIRouter(route_class=LimitedRoute, prefix="/multigp", tags=["multigp"])

PilotId = Annotated[str, StringConstraints(pattern=r"^\d{1,18}$")]
Short = Annotated[str, StringConstraints(max_length=100)]


class PilotIn(BaseModel):
    pilot_id: PilotId
    first_name: Short = ""
    last_name: Short = ""
    user_name: Short = ""
    aircraft: Short | None = None


class RaceIn(BaseModel):
    chapter_id: Id
    name: Name
    scoring_format: Literal["0", "1", "2", "6"] = "0"
    zippyq: bool = False
    cycles: Annotated[int, Field(ge=1, le=100)] = 1
    slots: Annotated[int, Field(ge=1, le=16)] = 8
    profile: Literal["raceband", "fatshark"] = "raceband"
    max_zippyq_depth: Annotated[int, Field(ge=1, le=50)] = 5
    parent_id: Id | None = None
    starts_at: UtcDateTime | None = None
    pilots: list[PilotIn] = Field(default_factory=list, max_length=1000)


@router.post("/chapters/{organization_id}/keys", status_code=201)
async def create_key(organization_id: Id, db: DB, actor: Actor) -> dict[str, Any]:
    """A chapter API key for the organization; it is shown only once."""
    async with db.write() as session:
        org = await resources.get(session, actor, ORGANIZATIONS, organization_id)
        actor.require("admin", org.id)
        key = await auth.create_key(session, org.id, org.name)
    return {"chapter_id": organization_id, "api_key": key}


@router.post("/races", status_code=201)
async def create_race(body: RaceIn, db: DB, actor: Actor) -> dict[str, Any]:
    """A race with its pilots entered and (unless ZippyQ) its heats generated."""
    spec = races.RaceSpec(
        body.name,
        body.scoring_format,
        body.zippyq,
        body.cycles,
        body.slots,
        body.profile,
        body.max_zippyq_depth if body.zippyq else 0,
        starts_at=body.starts_at,
    )
    pilots = [
        races.PilotSpec(p.pilot_id, p.first_name, p.last_name, p.user_name, p.aircraft)
        for p in body.pilots
    ]
    async with db.write() as session:
        race = await races.create_race(
            session, actor, body.chapter_id, spec, pilots, parent_id=body.parent_id
        )
    return {"race_id": race.id, "name": race.name, "pilots": len(pilots)}
