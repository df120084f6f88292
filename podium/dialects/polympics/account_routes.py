"""``/accounts/*`` and ``/account/{id}``: Discord-identified people of the organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.core import resources
from podium.core.people import PEOPLE
from podium.dialects.polympics import accounts, callbacks, discord, forms, rules, views, wire
from podium.dialects.polympics.auth import PERMISSIONS_KEY, Caller, account_permissions
from podium.dialects.polympics.context import Context, finder, page_args, paginate
from podium.dialects.polympics.forms import (
    Integer,
    NoTeam,
    Record,
    String,
    TeamOrZero,
    raise_if,
    read_body,
)
from podium.dialects.polympics.problems import Issue, PolympicsError, forbidden
from podium.store.tables import ExternalId, Person, Team, TeamMember

router = APIRouter()

# The real server's columns held 255 characters; the core keeps avatar URLs to 2000.
DISCRIMINATOR = String(max_length=255)
AVATAR_URL = String(max_length=2000)


@dataclass(frozen=True, kw_only=True)
class AccountForm:
    """``POST /accounts/new``; Discord ids are positive 64-bit snowflakes."""

    id: Annotated[int, Integer(ge=0, le=2**63 - 1)]
    name: Annotated[str, forms.NAME]
    discriminator: Annotated[str, DISCRIMINATOR]
    avatar_url: Annotated[str | None, AVATAR_URL] = None
    team: Annotated[Team | None, Record("Team")] = None
    permissions: Annotated[int, Integer()] = 0


@dataclass(frozen=True, kw_only=True)
class AccountPatchForm:
    """``PATCH /account/{id}``: every field optional; ``team: 0`` is ``NO_TEAM``."""

    name: Annotated[str | None, String(max_length=200)] = None
    discriminator: Annotated[str | None, DISCRIMINATOR] = None
    avatar_url: Annotated[str | None, AVATAR_URL] = None
    team: Annotated[Team | NoTeam | None, TeamOrZero()] = None
    grant_permissions: Annotated[int | None, Integer()] = None
    revoke_permissions: Annotated[int | None, Integer()] = None
    discord_token: Annotated[str | None, String()] = None


def _json(data: Any, status: int = 200) -> OrjsonResponse:
    return OrjsonResponse(data, status_code=status)


async def path_account(
    session: AsyncSession, org_id: int, raw: str, issues: list[Issue], name: str = "account"
) -> Any:
    """The account a path names (None, with an issue, when there is none)."""
    find = finder(session, org_id)
    return await forms.param(Record("Account"), raw, ["path", name], find, issues)


@router.get("/accounts/signups")
async def signups(request: Request) -> Response:
    return _json({"signups_open": Context.of(request).settings.polympics_signups_open})


@router.get("/accounts/search")
async def search_accounts(request: Request) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    issues: list[Issue] = []
    args = page_args(request, ctx.settings, issues)
    async with ctx.database.read() as session:
        query = (
            select(Person)
            .join(ExternalId, ExternalId.object_id == Person.id)
            .where(
                ExternalId.object_kind == "person",
                ExternalId.scheme == views.DISCORD,
                Person.organization_id == org_id,
            )
        )
        raw_team = request.query_params.get("team")
        find = finder(session, org_id)
        team = await forms.param(Record("Team"), raw_team, ["query", "team"], find, issues)
        raise_if(issues)
        if team is not None:
            query = query.join(TeamMember, TeamMember.person_id == Person.id).where(
                TeamMember.team_id == team.id
            )
        q = request.query_params.get("q")
        if q:
            query = query.where(Person.name.icontains(q, autoescape=True))
        # Case-folded first, so both backends list "bar" before "Foo" whatever the collation.
        order = [func.lower(Person.name), Person.name, Person.id]
        people, meta = await paginate(session, query, args, order)
        data = await views.accounts_json(session, org_id, people)
    return _json({**meta, "data": data})


@router.get("/account/{account}")
async def get_account(request: Request, account: str) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    async with ctx.database.read() as session:
        issues: list[Issue] = []
        person = await path_account(session, org_id, account, issues)
        raise_if(issues)
        return _json(await views.account_json(session, org_id, person))


@router.post("/accounts/new")
async def create_account(request: Request) -> Response:
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        issues: list[Issue] = []
        command = await forms.parse(AccountForm, raw, finder(session, org_id), issues)
        raise_if(issues)
        assert command is not None
        team = command.team
        if not ctx.settings.polympics_signups_open:
            raise forbidden("Signups are closed.")
        if not caller.has(wire.MANAGE_ACCOUNT_DETAILS):
            raise forbidden()
        if command.permissions and not rules.can_alter_permissions(
            caller,
            command.permissions,
            granting=True,
            caller_team_id=await accounts.team_id_of(session, org_id, caller.person_id),
            target_team_id=team.id if team else None,
        ):
            raise forbidden()
        if await accounts.discord_id_taken(session, command.id):
            raise PolympicsError(409, "That Discord ID is already registered.")
        principal = caller.principal(org_id)
        person = await accounts.create_account(
            session,
            principal,
            org_id,
            discord_id=command.id,
            name=command.name,
            discriminator=command.discriminator,
            avatar_url=command.avatar_url,
            permissions=command.permissions,
        )
        if team is not None:
            await accounts.move(session, principal, org_id, person.id, team.id)
        return await views.account_json(session, org_id, person)

    return _json(await ctx.write(work), 201)


class _AskDiscord(Exception):
    """Raised from inside the PATCH transaction when it reaches a token Discord must judge.

    Discord is asked with no transaction open (so no lock waits on it), then the PATCH
    runs again from the start with the answer: every check before the Discord step
    still comes first, as on the real server, which asked only once those had passed.
    """

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


@router.patch("/account/{account}")
async def update_account(request: Request, account: str) -> Response:
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()
    answers: dict[str, discord.DiscordUser | None] = {}

    async def work(session: AsyncSession) -> Any:
        find = finder(session, org_id)
        issues: list[Issue] = []
        person = await forms.param(Record("Account"), account, ["path", "account"], find, issues)
        command = await forms.parse(AccountPatchForm, raw, find, issues)
        raise_if(issues)
        assert command is not None
        return await _apply_patch(ctx, session, caller, org_id, person, command, answers)

    try:
        return _json(await ctx.write(work))
    except _AskDiscord as ask:
        try:
            answers[ask.token] = await discord.identify(
                ctx.settings.polympics_discord_api_url, ask.token
            )
        except discord.DiscordUnavailable:
            raise PolympicsError(502, "Discord could not be reached.") from None
    return _json(await ctx.write(work))


async def _apply_patch(
    ctx: Context,
    session: AsyncSession,
    caller: Caller,
    org_id: int,
    person: Person,
    command: AccountPatchForm,
    answers: dict[str, discord.DiscordUser | None],
) -> Any:
    """The PATCH steps in the real server's order; any refusal rolls back all of them."""
    principal = caller.principal(org_id)
    changes: dict[str, Any] = {}
    for key in ("name", "discriminator", "avatar_url"):
        value = getattr(command, key)
        if value:
            if not caller.has(wire.MANAGE_ACCOUNT_DETAILS):
                raise forbidden()
            changes[key] = value
    caller_team = await accounts.team_id_of(session, org_id, caller.person_id)
    team_changed = command.team is not None
    new_team = command.team.id if isinstance(command.team, Team) else None
    if team_changed:
        current = await accounts.team_id_of(session, org_id, person.id)
        if not rules.can_change_team(
            caller,
            account_person_id=person.id,
            new_team_id=new_team,
            current_team_id=current,
            caller_team_id=caller_team,
        ):
            raise forbidden()
        await accounts.move(session, principal, org_id, person.id, new_team)
        # The mover's own team may have changed, which matters for the grant below.
        caller_team = await accounts.team_id_of(session, org_id, caller.person_id)
    bits = account_permissions(person)
    target_team = await accounts.team_id_of(session, org_id, person.id)
    for delta, granting in ((command.grant_permissions, True), (command.revoke_permissions, False)):
        if not delta:
            continue
        if not rules.can_alter_permissions(
            caller,
            delta,
            granting=granting,
            caller_team_id=caller_team,
            target_team_id=target_team,
        ):
            raise forbidden()
        bits = bits | delta if granting else bits & ~delta
    if bits != account_permissions(person):
        changes[PERMISSIONS_KEY] = bits
    if command.discord_token:
        if command.discord_token not in answers:
            raise _AskDiscord(command.discord_token)
        profile = answers[command.discord_token]
        if profile is None:
            raise PolympicsError(422, "Bad Discord user token.")
        if str(profile.id) != str(await _discord_id(session, person)):
            raise forbidden("Discord token is for a different account.")
        changes.update(
            name=profile.username,
            discriminator=profile.discriminator,
            avatar_url=profile.avatar_url(ctx.settings.polympics_discord_cdn_url),
        )
    if changes:
        person = await accounts.update_account(session, principal, person, **changes)
    view = await views.account_json(session, org_id, person)
    if team_changed:
        team = view["team"]
        await callbacks.notify(
            session,
            org_id,
            wire.EventType.ACCOUNT_TEAM_UPDATE.value,
            {"account": view, "team": team},
        )
    return view


async def _discord_id(session: AsyncSession, person: Person) -> str | None:
    return (await views.discord_ids(session, [person.id])).get(person.id)


@router.delete("/account/{account}")
async def delete_account(request: Request, account: str) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> None:
        issues: list[Issue] = []
        person = await path_account(session, org_id, account, issues)
        raise_if(issues)
        if not rules.can_delete_account(caller, account_person_id=person.id):
            raise forbidden()
        await resources.delete(session, caller.principal(org_id), PEOPLE, person.id)

    await ctx.write(work)
    return Response(status_code=204)
