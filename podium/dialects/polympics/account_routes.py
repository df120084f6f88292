"""``/accounts/*`` and ``/account/{id}``: Discord-identified people of the organization."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.core import resources
from podium.core.people import PEOPLE
from podium.dialects.polympics import accounts, callbacks, discord, rules, views, wire
from podium.dialects.polympics.auth import PERMISSIONS_KEY, Caller, account_permissions
from podium.dialects.polympics.context import (
    Context,
    body,
    page_args,
    paginate,
    path_id,
    raise_if,
)
from podium.dialects.polympics.problems import (
    Issue,
    PolympicsError,
    forbidden,
    issue,
    not_found,
)
from podium.store.tables import ExternalId, Person, TeamMember

router = APIRouter()

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Discriminator = Annotated[str, StringConstraints(max_length=20)]
AvatarUrl = Annotated[str, StringConstraints(max_length=2000)]
DiscordId = Annotated[int, Field(ge=0, le=2**63 - 1)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class AccountNew(_Body):
    id: DiscordId
    name: Name
    discriminator: Discriminator
    avatar_url: AvatarUrl | None = None
    team: int | None = None
    permissions: int = 0


class AccountPatch(_Body):
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    discriminator: Discriminator | None = None
    avatar_url: AvatarUrl | None = None
    team: int | None = None
    grant_permissions: int | None = None
    revoke_permissions: int | None = None
    discord_token: str | None = None


def _json(data: Any, status: int = 200) -> OrjsonResponse:
    return OrjsonResponse(data, status_code=status)


async def load_account(
    session: AsyncSession, org_id: int, raw: str, where: str = "path", name: str = "account"
) -> tuple[Person | None, list[Issue]]:
    if where == "path":
        discord_id, issues = path_id(raw, name, "Account")
    else:
        discord_id, issues = int(raw), []  # a body field already validated as an int
    if discord_id is None:
        return None, issues
    person = await accounts.find_account(session, org_id, discord_id)
    if person is None:
        return None, [not_found(where, name, "Account")]
    return person, []


@router.get("/accounts/signups")
async def signups(request: Request) -> Response:
    return _json({"signups_open": Context.of(request).settings.polympics_signups_open})


@router.get("/accounts/search")
async def search_accounts(request: Request) -> Response:
    ctx = Context.of(request)
    org_id = await ctx.org_id()
    args, issues = page_args(request, ctx.settings)
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
        if raw_team is not None:
            team_id, team_issues = path_id(raw_team, "team", "Team")
            team_issues = [{**i, "loc": ["query", "team"]} for i in team_issues]
            if team_id is not None and await accounts.find_team(session, org_id, team_id) is None:
                team_issues.append(not_found("query", "team", "Team"))
            issues += team_issues
            if team_id is not None:
                query = query.join(TeamMember, TeamMember.person_id == Person.id).where(
                    TeamMember.team_id == team_id
                )
        raise_if(issues)
        assert args is not None
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
        person, issues = await load_account(session, org_id, account)
        raise_if(issues)
        assert person is not None
        return _json(await views.account_json(session, org_id, person))


@router.post("/accounts/new")
async def create_account(request: Request) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    command, issues = await body(request, AccountNew)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        team = None
        if command is not None and command.team is not None:
            team = await accounts.find_team(session, org_id, command.team)
            if team is None:
                issues.append(not_found("body", "team", "Team"))
        raise_if(issues)
        assert command is not None
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


@router.patch("/account/{account}")
async def update_account(request: Request, account: str) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    command, issues = await body(request, AccountPatch)
    org_id = await ctx.org_id()
    # Discord is asked before the transaction opens; its verdict is applied in turn.
    profile: discord.DiscordUser | None = None
    if command is not None and command.discord_token:
        try:
            profile = await discord.identify(
                ctx.settings.polympics_discord_api_url, command.discord_token
            )
        except discord.DiscordUnavailable:
            raise PolympicsError(502, "Discord could not be reached.") from None

    async def work(session: AsyncSession) -> Any:
        person, path_issues = await load_account(session, org_id, account)
        issues[:0] = path_issues
        new_team: int | None = None
        if command is not None and command.team:
            if await accounts.find_team(session, org_id, command.team) is None:
                issues.append(not_found("body", "team", "Team"))
                issues.append(issue(["body", "team"], "Should fall through to next type."))
            new_team = command.team
        raise_if(issues)
        assert command is not None and person is not None
        return await _apply_patch(ctx, session, caller, org_id, person, command, new_team, profile)

    return _json(await ctx.write(work))


async def _apply_patch(
    ctx: Context,
    session: AsyncSession,
    caller: Caller,
    org_id: int,
    person: Person,
    command: AccountPatch,
    new_team: int | None,
    profile: discord.DiscordUser | None,
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
        person, issues = await load_account(session, org_id, account)
        raise_if(issues)
        assert person is not None
        if not rules.can_delete_account(caller, account_person_id=person.id):
            raise forbidden()
        await resources.delete(session, caller.principal(org_id), PEOPLE, person.id)

    await ctx.write(work)
    return Response(status_code=204)
