"""The live event feed: NDJSON (CLICS style) and the same as Server-Sent Events.

A token sees what it may read: an organization's token its organization, an
instance token everything. Without a token, a feed of one *public* competition is
open, so a results page can follow it from a browser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, principal
from podium.core import resources
from podium.core.competitions import COMPETITIONS, public_competition
from podium.core.errors import NotFound, Unauthenticated
from podium.core.limits import INT64_MAX
from podium.core.principal import ANONYMOUS, Principal
from podium.feed import stream
from podium.store.database import Database

router = APIRouter(route_class=LimitedRoute, tags=["event"])


async def reader(request: Request, db: DB) -> Principal:
    """The token's principal, or anonymous when no token is sent."""
    if not request.headers.get("authorization"):
        return ANONYMOUS
    return await principal(request, db)


Reader = Annotated[Principal, Depends(reader)]
OrgId = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
CompetitionId = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
Types = Annotated[
    str | None,
    Query(description="Comma-separated event types (result.created), kinds (result, results) "
          "or kind wildcards (result.*)."),
]  # fmt: skip
Token = Annotated[str | None, Query(description="Resume after this token.")]
Keepalive = Annotated[float, Query(gt=0, le=60, description="Seconds between keep-alives.")]
Follow = Annotated[bool, Query(description="false: send what exists now and end.")]


async def _filter(
    db: Database,
    who: Principal,
    organization_id: int | None,
    competition_id: int | None,
    types: str | None,
) -> stream.Filter:
    wanted = [t.strip() for t in (types or "").split(",") if t.strip()]
    if who is ANONYMOUS:
        if competition_id is None:
            raise Unauthenticated(
                "Send an API token, or ask for one public competition with ?competition_id=."
            )
        async with db.read() as session:
            competition = await public_competition(session, competition_id)
        if competition is None:
            raise NotFound(f"No competition {competition_id}.")
        frozen_for = competition_id if competition.kind == "contest" else None
        return stream.Filter(competition_ids=[competition_id], types=wanted, frozen_for=frozen_for)
    who.require("read", organization_id)
    if who.organization_id is not None:
        organization_id = who.organization_id
    frozen_for = None
    if competition_id is not None:
        async with db.read() as session:
            found = await resources.get(session, who, COMPETITIONS, competition_id)
        if found.kind == "contest" and not who.allows("judge", found.organization_id):
            frozen_for = competition_id
    return stream.Filter(
        organization_id=organization_id,
        competition_ids=None if competition_id is None else [competition_id],
        types=wanted,
        frozen_for=frozen_for,
    )


def _respond(
    request: Request,
    db: Database,
    wanted: stream.Filter,
    after: int,
    *,
    as_sse: bool,
    follow: bool,
    keepalive: float,
) -> StreamingResponse:
    render = stream.sse if as_sse else stream.ndjson

    async def body() -> AsyncIterator[bytes]:
        if as_sse:
            yield b"retry: 1000\n\n"
        async for event in stream.follow(
            db, after, wanted, stream=follow, keepalive=keepalive, stopped=request.is_disconnected
        ):
            yield render(event)

    return StreamingResponse(
        body(),
        media_type="text/event-stream" if as_sse else "application/x-ndjson",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/event-feed", response_class=StreamingResponse)
async def event_feed(
    request: Request,
    db: DB,
    who: Reader,
    organization_id: OrgId = None,
    competition_id: CompetitionId = None,
    types: Types = None,
    since_token: Token = None,
    stream_: Annotated[bool, Query(alias="stream")] = True,
    keepalive: Keepalive = stream.KEEPALIVE_SECONDS,
) -> StreamingResponse:
    """Every change after ``since_token``, one JSON line each, then live changes.

    With ``Accept: text/event-stream`` the same changes come as Server-Sent Events.
    """
    wanted = await _filter(db, who, organization_id, competition_id, types)
    as_sse = "text/event-stream" in request.headers.get("accept", "")
    token = since_token or (request.headers.get("last-event-id") if as_sse else None)
    after = stream.parse_token(token)
    return _respond(request, db, wanted, after, as_sse=as_sse, follow=stream_, keepalive=keepalive)


@router.get("/event-feed/sse", response_class=StreamingResponse)
async def event_feed_sse(
    request: Request,
    db: DB,
    who: Reader,
    organization_id: OrgId = None,
    competition_id: CompetitionId = None,
    types: Types = None,
    since_token: Token = None,
    stream_: Annotated[bool, Query(alias="stream")] = True,
    keepalive: Keepalive = stream.KEEPALIVE_SECONDS,
) -> StreamingResponse:
    """The feed as Server-Sent Events (``EventSource`` resumes with Last-Event-ID)."""
    wanted = await _filter(db, who, organization_id, competition_id, types)
    after = stream.parse_token(since_token or request.headers.get("last-event-id"))
    return _respond(request, db, wanted, after, as_sse=True, follow=stream_, keepalive=keepalive)
