"""Organizer routes of the Mooshak dialect in the native API (``/api/v1/mooshak``).

The same work as the ``podium mooshak`` commands, for organizers who script Podium
over HTTP: contests, problems with their test cases, and contest users.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StringConstraints

from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor
from podium.core.fields import Id, Name, UtcDateTime
from podium.core.organizations import ORGANIZATIONS
from podium.core.resources import get
from podium.dialects.mooshak2 import admin, storage

router = APIRouter(route_class=LimitedRoute, prefix="/mooshak", tags=["mooshak"])

Key = Annotated[str, StringConstraints(pattern=admin.NAME.pattern)]
Status = Literal["CREATED", "READY", "RUNNING", "RUNNING_VIRTUALLY", "FINISHED", "CONCLUDED"]
TestText = Annotated[str, StringConstraints(max_length=admin.MAX_TEST_BYTES)]


class ContestIn(BaseModel):
    id: Key
    designation: Name | None = None
    status: Status = "RUNNING"
    start: UtcDateTime | None = None
    stop: UtcDateTime | None = None
    organization_id: Id | None = None


class TestIn(BaseModel):
    input: TestText
    output: TestText
    public: bool = False


class ProblemIn(BaseModel):
    id: Key
    title: Name
    label: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    statement: Annotated[str, StringConstraints(max_length=1_000_000)] = ""
    time_limit: Annotated[float, Field(gt=0, le=60)] = 1.0
    memory_limit: Annotated[int, Field(ge=16, le=4096)] = 256
    tests: list[TestIn] = Field(default_factory=list, max_length=1000)


class UserIn(BaseModel):
    username: Key
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    role: Literal["TEAM", "JUDGE", "CREATOR", "RUNNER", "ADMIN"] = "TEAM"
    contest: Key | None = None
    name: Name | None = None


@router.post("/contests", status_code=201)
async def create_contest(body: ContestIn, db: DB, actor: Actor, request: Request) -> dict[str, Any]:
    """A contest in the given organization (write scope there), else in the instance's."""
    async with db.write() as session:
        if body.organization_id is not None:
            await get(session, actor, ORGANIZATIONS, body.organization_id)
            actor.require("setup", body.organization_id)
        else:
            actor.require("admin", None)
        row = await admin.create_contest(
            session,
            actor,
            contest_id=body.id,
            designation=body.designation or body.id,
            status=body.status,
            start=body.start,
            stop=body.stop,
            organization_id=body.organization_id,
            organization_slug=request.app.state.settings.mooshak_organization,
        )
        return {"id": body.id, "competition_id": row.id, "organization_id": row.organization_id}


@router.post("/contests/{contest_id}/problems", status_code=201)
async def add_problem(contest_id: str, body: ProblemIn, db: DB, actor: Actor) -> dict[str, Any]:
    async with db.write() as session:
        row = await admin.add_problem(
            session,
            actor,
            contest_id,
            problem_id=body.id,
            label=body.label or body.id,
            title=body.title,
            statement=body.statement,
            timeout_seconds=body.time_limit,
            memory_mb=body.memory_limit,
            tests=[admin.Case(t.input, t.output, t.public) for t in body.tests],
        )
        return {"id": body.id, "challenge_id": row.id, "tests": len(body.tests)}


@router.post("/users", status_code=201)
async def create_user(body: UserIn, db: DB, actor: Actor, request: Request) -> dict[str, Any]:
    """A login; the password is never shown back."""
    if body.contest is None:
        actor.require("admin", None)
    async with db.write() as session:
        person = await admin.create_user(
            session,
            actor,
            username=body.username,
            password=body.password,
            role=body.role,
            contest_id=body.contest,
            name=body.name,
            organization_slug=request.app.state.settings.mooshak_organization,
        )
        contest = await storage.find_contest(session, body.contest) if body.contest else None
        return {
            "username": body.username,
            "role": body.role,
            "contest": await storage.contest_key(session, contest) if contest else None,
            "person_id": person.id if person else None,
        }


@router.delete("/users/{username}", status_code=204)
async def revoke_user(
    username: Key, db: DB, actor: Actor, contest: Annotated[Key | None, Query()] = None
) -> None:
    """Refuse the login and every token it holds from the next request on (``contest``
    names a contest user; omitted, an instance user)."""
    async with db.write() as session:
        await admin.revoke_user(session, actor, username, contest)
