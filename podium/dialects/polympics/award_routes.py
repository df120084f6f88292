"""``/awards/new``, ``/award/{id}`` and giving or taking one: the organization's core awards."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.core import awards, resources
from podium.core.awards import AWARDS, AwardCreate, AwardUpdate
from podium.dialects.polympics import accounts, views, wire
from podium.dialects.polympics.account_routes import load_account
from podium.dialects.polympics.auth import Caller
from podium.dialects.polympics.context import Context, body, path_id, raise_if
from podium.dialects.polympics.problems import Issue, PolympicsError, forbidden, not_found
from podium.store.tables import Award, Person

router = APIRouter()

# The real server's column sizes; longer values get a 422 here, not a database error.
Title = Annotated[str, StringConstraints(max_length=32)]
ImageUrl = Annotated[str, StringConstraints(max_length=512)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class AwardNew(_Body):
    title: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    image_url: ImageUrl
    team: int
    accounts: list[int] = []


class AwardPatch(_Body):
    title: Title | None = None
    image_url: ImageUrl | None = None
    team: int | None = None


async def load_award(
    session: AsyncSession, org_id: int, raw: str, name: str = "award"
) -> tuple[Award | None, list[Issue]]:
    award_id, issues = path_id(raw, name, "Award")
    if award_id is None:
        return None, issues
    award = await accounts.find_award(session, org_id, award_id)
    return (award, []) if award is not None else (None, [not_found("path", name, "Award")])


def _require(caller: Caller) -> None:
    if not caller.has(wire.MANAGE_AWARDS):
        raise forbidden()


@router.get("/award/{award}")
async def get_award(request: Request, award: str) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    async with ctx.database.read() as session:
        found, issues = await load_award(session, org_id, award)
        raise_if(issues)
        assert found is not None
        return OrjsonResponse(await views.award_extended_json(session, org_id, found))


@router.post("/awards/new")
async def create_award(request: Request) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    command, issues = await body(request, AwardNew)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        holders: list[int] = []
        if command is not None:
            if await accounts.find_team(session, org_id, command.team) is None:
                issues.append(not_found("body", "team", "Team"))
            for index, discord_id in enumerate(command.accounts):
                person = await accounts.find_account(session, org_id, discord_id)
                if person is None:
                    issues.append(
                        not_found("body", "accounts", "Account")
                        | {"loc": ["body", "accounts", index]}
                    )
                else:
                    holders.append(person.id)
        raise_if(issues)
        assert command is not None
        _require(caller)
        award = await awards.create_award(
            session,
            caller.principal(org_id),
            AwardCreate(
                title=command.title,
                image_url=command.image_url,
                organization_id=org_id,
                team_id=command.team,
                person_ids=list(dict.fromkeys(holders)),
            ),
        )
        return views.award_json(award)

    return OrjsonResponse(await ctx.write(work), status_code=201)


@router.patch("/award/{award}")
async def update_award(request: Request, award: str) -> Response:
    """Empty or null fields stay as they are; an award's team can be changed, not cleared."""
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    command, issues = await body(request, AwardPatch)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        found, path_issues = await load_award(session, org_id, award)
        issues[:0] = path_issues
        team = command.team if command is not None else None
        if team and await accounts.find_team(session, org_id, team) is None:
            issues.append(not_found("body", "team", "Team"))
        raise_if(issues)
        assert command is not None and found is not None
        _require(caller)
        changes = {
            key: value
            for key, value in (
                ("title", command.title),
                ("image_url", command.image_url),
                ("team_id", command.team),
            )
            if value
        }
        updated = await resources.update(
            session, caller.principal(org_id), AWARDS, found.id, AwardUpdate(**changes)
        )
        return views.award_json(updated)

    return OrjsonResponse(await ctx.write(work))


@router.delete("/award/{award}")
async def delete_award(request: Request, award: str) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> None:
        found, issues = await load_award(session, org_id, award)
        raise_if(issues)
        assert found is not None
        _require(caller)
        await resources.delete(session, caller.principal(org_id), AWARDS, found.id)

    await ctx.write(work)
    return Response(status_code=204)


async def _holding(
    session: AsyncSession, org_id: int, account: str, award: str
) -> tuple[Person, Award]:
    person, issues = await load_account(session, org_id, account)
    found, award_issues = await load_award(session, org_id, award)
    raise_if(issues + award_issues)
    assert person is not None and found is not None
    return person, found


@router.put("/account/{account}/award/{award}")
async def give_award(request: Request, account: str, award: str) -> Response:
    """201 when given, 208 when the account already held it; no body either way."""
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> bool:
        person, found = await _holding(session, org_id, account, award)
        _require(caller)
        return await awards.give(session, caller.principal(org_id), found.id, person.id)

    given = await ctx.write(work)
    return Response(status_code=201 if given else 208)


@router.delete("/account/{account}/award/{award}")
async def take_award(request: Request, account: str, award: str) -> Response:
    """Taking an award the account does not hold is a JSON 404 (the real server sends none)."""
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> None:
        person, found = await _holding(session, org_id, account, award)
        _require(caller)
        held = await awards.holders(session, [found.id])
        if person.id not in held[found.id]:
            raise PolympicsError(404, "The account does not hold this award.")
        await awards.take(session, caller.principal(org_id), found.id, person.id)

    await ctx.write(work)
    return Response(status_code=204)
