"""``/awards/new``, ``/award/{id}`` and giving or taking one: the organization's core awards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.core import awards, resources
from podium.core.awards import AWARDS, AwardCreate, AwardUpdate
from podium.dialects.polympics import forms, views, wire
from podium.dialects.polympics.auth import Caller
from podium.dialects.polympics.context import Context, finder
from podium.dialects.polympics.forms import ListOf, Record, String, raise_if, read_body
from podium.dialects.polympics.problems import Issue, PolympicsError, forbidden
from podium.store.tables import Award, Person, Team

router = APIRouter()

# The real server's column sizes; longer values get a 422 here, not a database error.
TITLE = String(max_length=32)
IMAGE_URL = String(max_length=512)


@dataclass(frozen=True, kw_only=True)
class AwardForm:
    """``POST /awards/new``: every field required, each account must exist."""

    title: Annotated[str, String(min_length=1, max_length=32)]
    image_url: Annotated[str, IMAGE_URL]
    team: Annotated[Team, Record("Team")]
    accounts: Annotated[list[Person], ListOf(Record("Account"))]


@dataclass(frozen=True, kw_only=True)
class AwardPatchForm:
    """``PATCH /award/{id}``: null or empty fields stay as they are."""

    title: Annotated[str | None, TITLE] = None
    image_url: Annotated[str | None, IMAGE_URL] = None
    team: Annotated[Team | None, Record("Team")] = None


def _require(caller: Caller) -> None:
    if not caller.has(wire.MANAGE_AWARDS):
        raise forbidden()


@router.get("/award/{award}")
async def get_award(request: Request, award: str) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    async with ctx.database.read() as session:
        issues: list[Issue] = []
        find = finder(session, org_id)
        found = await forms.param(Record("Award"), award, ["path", "award"], find, issues)
        raise_if(issues)
        return OrjsonResponse(await views.award_extended_json(session, org_id, found))


@router.post("/awards/new")
async def create_award(request: Request) -> Response:
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        issues: list[Issue] = []
        command = await forms.parse(AwardForm, raw, finder(session, org_id), issues)
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
                team_id=command.team.id,
                person_ids=list(dict.fromkeys(person.id for person in command.accounts)),
            ),
        )
        return views.award_json(award)

    return OrjsonResponse(await ctx.write(work), status_code=201)


@router.patch("/award/{award}")
async def update_award(request: Request, award: str) -> Response:
    """Empty or null fields stay as they are; an award's team can be changed, not cleared."""
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        find = finder(session, org_id)
        issues: list[Issue] = []
        found = await forms.param(Record("Award"), award, ["path", "award"], find, issues)
        command = await forms.parse(AwardPatchForm, raw, find, issues)
        raise_if(issues)
        assert command is not None
        _require(caller)
        changes = {
            key: value
            for key, value in (
                ("title", command.title),
                ("image_url", command.image_url),
                ("team_id", command.team.id if command.team is not None else None),
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
        issues: list[Issue] = []
        found = await forms.param(
            Record("Award"), award, ["path", "award"], finder(session, org_id), issues
        )
        raise_if(issues)
        _require(caller)
        await resources.delete(session, caller.principal(org_id), AWARDS, found.id)

    await ctx.write(work)
    return Response(status_code=204)


async def _holding(
    session: AsyncSession, org_id: int, account: str, award: str
) -> tuple[Person, Award]:
    find = finder(session, org_id)
    issues: list[Issue] = []
    person = await forms.param(Record("Account"), account, ["path", "account"], find, issues)
    found = await forms.param(Record("Award"), award, ["path", "award"], find, issues)
    raise_if(issues)
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
