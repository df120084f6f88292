"""``/auth/*``: sessions from an app or from Discord, token resets, and "who am I"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.dialects.polympics import accounts, auth, discord, forms, views, wire
from podium.dialects.polympics.auth import Caller
from podium.dialects.polympics.context import Context, finder
from podium.dialects.polympics.forms import Record, String, raise_if, read_body
from podium.dialects.polympics.problems import Issue, PolympicsError, forbidden
from podium.store.tables import Credential, Person

router = APIRouter()

NO_TOKEN = "A token was not used to authenticate."  # noqa: S105 (a message)


@dataclass(frozen=True, kw_only=True)
class DiscordForm:
    """``POST /auth/discord``: a Discord OAuth2 access token."""

    token: Annotated[str, String()]


@dataclass(frozen=True, kw_only=True)
class SessionForm:
    """``POST /auth/create_session``: the account the session acts as."""

    account: Annotated[Person, Record("Account")]


def session_json(row: Credential, token: str) -> dict[str, Any]:
    return {
        "username": row.identifier,
        "password": token,
        "expires_at": auth.timestamp(row.expires_at),
    }


def app_json(row: Credential, token: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": row.name,
        "permissions": int(row.attributes.get("permissions", 0)) & wire.APP_PERMISSIONS,
        "username": row.identifier,
    }
    if token is not None:
        out["password"] = token
    return out


@router.post("/auth/discord")
async def discord_login(request: Request) -> Response:
    """A session for the Discord user the token belongs to; signs them up if allowed."""
    ctx = Context.of(request)
    issues: list[Issue] = []
    command = await forms.parse(DiscordForm, await read_body(request), issues=issues)
    raise_if(issues)
    assert command is not None
    try:
        user = await discord.identify(ctx.settings.polympics_discord_api_url, command.token)
    except discord.DiscordUnavailable:
        raise PolympicsError(502, "Discord could not be reached.") from None
    if user is None:
        raise PolympicsError(401, "Bad Discord user token.")
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        person = await accounts.find_account(session, org_id, user.id)
        if person is None:
            if not ctx.settings.polympics_signups_open:
                raise forbidden("Signups are closed.")
            if await accounts.discord_id_taken(session, user.id):
                raise PolympicsError(409, "That Discord ID is already registered.")
            person = await accounts.create_account(
                session,
                Caller("app", username="discord").principal(org_id),
                org_id,
                discord_id=user.id,
                name=user.username,
                discriminator=user.discriminator,
                avatar_url=user.avatar_url(ctx.settings.polympics_discord_cdn_url),
                permissions=0,
            )
        row, token = await auth.create_session(session, person.id, org_id, ctx.session_age)
        return session_json(row, token)

    return OrjsonResponse(await ctx.write(work))


@router.post("/auth/create_session")
async def create_session(request: Request) -> Response:
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        issues: list[Issue] = []
        command = await forms.parse(SessionForm, raw, finder(session, org_id), issues)
        raise_if(issues)
        assert command is not None
        if not caller.has(wire.AUTHENTICATE_USERS):
            raise forbidden()
        row, token = await auth.create_session(session, command.account.id, org_id, ctx.session_age)
        return session_json(row, token)

    return OrjsonResponse(await ctx.write(work), status_code=201)


@router.post("/auth/reset_token")
async def reset_token(request: Request) -> Response:
    """A new token for the caller's credential; a user gets their new Session back."""
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    if caller.credential_id is None:
        raise PolympicsError(401, NO_TOKEN)

    async def work(session: AsyncSession) -> Any:
        row = await session.get(Credential, caller.credential_id)
        if row is None:
            raise PolympicsError(401, NO_TOKEN)
        if caller.kind == "app":
            return app_json(row, auth.reset(row))
        token = auth.reset(row, ctx.session_age)
        await session.flush()
        return session_json(row, token)

    return OrjsonResponse(await ctx.write(work))


@router.get("/auth/me")
async def me(request: Request) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    if caller.credential_id is None:
        raise PolympicsError(401, NO_TOKEN)
    org_id = await ctx.org_id()
    async with ctx.database.read() as session:
        if caller.kind == "app":
            row = await session.get(Credential, caller.credential_id)
            assert row is not None
            return OrjsonResponse(app_json(row))
        person = await session.get(Person, caller.person_id)
        if person is None:
            raise PolympicsError(401, NO_TOKEN)
        return OrjsonResponse(await views.account_json(session, org_id, person))
