"""Organizer routes of the Nadeo dialect in the native API (``/api/v1/nadeo``).

The same work as the ``podium nadeo`` commands: accounts (made, revoked, given a new
password), maps, campaigns, Tracks of the Day and records, for organizers who script
Podium over HTTP.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints

from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.core import resources
from podium.core.fields import Id, Name, UtcDateTime
from podium.core.organizations import ORGANIZATIONS
from podium.dialects.nadeo import admin, content, identity

router = APIRouter(route_class=LimitedRoute, prefix="/nadeo", tags=["nadeo"])

Uid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,40}$")]
Login = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]
Ms = Annotated[int, Field(gt=0, le=10**9)]


class AccountIn(BaseModel):
    name: Name = "Player"
    login: Annotated[str, StringConstraints(min_length=3, max_length=100)] | None = None
    password: Password | None = None
    server: bool = False
    owner: str | None = None
    club_id: Id | None = None


class PasswordIn(BaseModel):
    password: Password | None = None


class MapIn(BaseModel):
    name: Name
    author: str
    author_time: Ms
    uid: Uid | None = None
    review: Literal["totd", "weekly-shorts", "royal"] | None = None
    club_id: Id | None = None


class CampaignIn(BaseModel):
    name: Name
    use_case: Literal["seasonal", "weekly-shorts", "weekly-grands", "club"] = "seasonal"
    maps: list[Uid] = Field(min_length=1, max_length=100)
    starts_at: UtcDateTime
    ends_at: UtcDateTime | None = None
    public: bool = True
    club_id: Id | None = None


class TotdIn(BaseModel):
    day: UtcDateTime
    map_uid: Uid
    royal: bool = False


class RecordIn(BaseModel):
    account_id: str
    map_uid: Uid
    score: Ms
    recorded_at: UtcDateTime | None = None


async def _org(session: Any, actor: Actor, club_id: int | None, request: Request) -> int:
    """The club (checked) or the official organization; writing needs the right scope."""
    if club_id is not None:
        org = await resources.get(session, actor, ORGANIZATIONS, club_id)
        actor.require("setup", org.id)
        return org.id
    actor.require("admin", None)
    return await content.official(session, request.app.state.settings.nadeo_organization)


@router.post("/accounts", status_code=201)
async def create_account(body: AccountIn, db: DB, actor: Actor) -> dict[str, Any]:
    """A service (or dedicated-server) account; the password is shown only once."""
    actor.require("admin", None)
    async with db.write() as session:
        if body.club_id is not None:
            await resources.get(session, actor, ORGANIZATIONS, body.club_id)
        made = await identity.create_account(
            session,
            actor,
            body.club_id,
            name=body.name,
            login=body.login,
            password=body.password,
            server=body.server,
            owner=body.owner,
        )
    return {
        "login": made.login,
        "password": made.password,
        "account_id": made.account_id,
        "server": made.server,
    }


@router.delete("/accounts/{login}", status_code=204)
async def revoke_account(login: Login, db: DB, actor: Actor) -> None:
    """Refuse the account's logins and every token it holds, from the next request on."""
    async with db.write() as session:
        await identity.revoke_account(session, actor, login)


@router.post("/accounts/{login}/password")
async def reset_password(login: Login, body: PasswordIn, db: DB, actor: Actor) -> dict[str, Any]:
    """A new password (generated when omitted, shown only once); the account's tokens
    issued before it stop working at once."""
    async with db.write() as session:
        password = await identity.reset_password(session, actor, login, body.password)
    return {"login": login, "password": password}


@router.post("/maps", status_code=201)
async def create_map(body: MapIn, db: DB, actor: Actor, request: Request) -> dict[str, Any]:
    async with db.write() as session:
        org = await _org(session, actor, body.club_id, request)
        return await admin.add_map(
            session,
            actor,
            org,
            body.name,
            body.author,
            body.author_time,
            uid=body.uid,
            review=body.review,
        )


@router.post("/campaigns", status_code=201)
async def create_campaign(
    body: CampaignIn, db: DB, actor: Actor, request: Request
) -> dict[str, Any]:
    async with db.write() as session:
        org = await _org(session, actor, body.club_id, request)
        return await admin.add_campaign(
            session,
            actor,
            org,
            body.name,
            body.use_case,
            body.maps,
            body.starts_at,
            body.ends_at,
            public=body.public,
        )


@router.post("/totd", status_code=201)
async def create_totd(body: TotdIn, db: DB, actor: Actor, request: Request) -> dict[str, Any]:
    async with db.write() as session:
        org = await _org(session, actor, None, request)
        return await admin.add_totd(session, actor, org, body.day, body.map_uid, royal=body.royal)


@router.post("/records", status_code=201)
async def submit_record(body: RecordIn, db: DB, actor: Actor) -> dict[str, Any]:
    """A time for an account; it replaces the record only when better."""
    actor.require("setup", None)
    async with db.write() as session:
        made = await admin.submit_record(
            session, actor, body.account_id, body.map_uid, body.score, body.recorded_at
        )
    made["improved"] = {str(k): v for k, v in made["improved"].items()}
    return made
