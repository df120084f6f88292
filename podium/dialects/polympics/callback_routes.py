"""``/callbacks`` and ``/callback/{event}``: an app's registered callbacks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api.responses import OrjsonResponse
from podium.dialects.polympics import callbacks, forms, wire
from podium.dialects.polympics.auth import Caller
from podium.dialects.polympics.context import Context
from podium.dialects.polympics.forms import Choice, HttpUrl, String, raise_if, read_body
from podium.dialects.polympics.problems import Issue, PolympicsError

router = APIRouter()

APPS_ONLY = "Only apps may use this endpoint."
NO_CALLBACK = "No callback registered for this event."


@dataclass(frozen=True, kw_only=True)
class CallbackForm:
    """``PUT /callback/{event}``; the secret fits the store's 500 characters."""

    url: Annotated[str, HttpUrl(max_length=callbacks.MAX_URL)]
    secret: Annotated[str, String(max_length=callbacks.MAX_SECRET)]


EVENT = Choice(wire.EVENT_NAMES)


async def _event_issues(event: str) -> list[Issue]:
    issues: list[Issue] = []
    await forms.param(EVENT, event, ["path", "event"], forms.no_lookups, issues)
    return issues


def _app_id(caller: Caller) -> int:
    if caller.kind != "app" or caller.credential_id is None:
        raise PolympicsError(401, APPS_ONLY)
    return caller.credential_id


@router.get("/callbacks")
async def list_callbacks(request: Request) -> Response:
    ctx = Context.of(request)
    app_id = _app_id(await ctx.caller(request))
    async with ctx.database.read() as session:
        hooks = await callbacks.for_app(session, app_id)
    return OrjsonResponse({"callbacks": {hook.event_types[0]: hook.url for hook in hooks}})


@router.get("/callback/{event}")
async def get_callback(request: Request, event: str) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    raise_if(await _event_issues(event))
    app_id = _app_id(caller)
    async with ctx.database.read() as session:
        hook = await callbacks.find(session, app_id, event)
    if hook is None:
        raise PolympicsError(404, NO_CALLBACK)
    return OrjsonResponse(callbacks.callback_json(hook))


@router.put("/callback/{event}")
async def put_callback(request: Request, event: str) -> Response:
    """Register (or replace) the app's callback; loopback and IP hosts are accepted."""
    ctx = Context.of(request)
    raw = await read_body(request)
    caller = await ctx.caller(request)
    issues = await _event_issues(event)
    command = await forms.parse(CallbackForm, raw, issues=issues)
    raise_if(issues)
    assert command is not None
    app_id = _app_id(caller)
    org_id = await ctx.org_id()

    async def work(session: AsyncSession) -> Any:
        hook = await callbacks.register(session, app_id, org_id, event, command.url, command.secret)
        return callbacks.callback_json(hook)

    return OrjsonResponse(await ctx.write(work))


@router.delete("/callback/{event}")
async def delete_callback(request: Request, event: str) -> Response:
    ctx = Context.of(request)
    caller = await ctx.caller(request)
    raise_if(await _event_issues(event))
    app_id = _app_id(caller)

    async def work(session: AsyncSession) -> bool:
        return await callbacks.remove(session, app_id, event)

    if not await ctx.write(work):
        raise PolympicsError(404, NO_CALLBACK)
    return Response(status_code=204)
