"""The Nadeo services: the token service and Core at ``/nadeo/core``, Live at ``/nadeo/live``.

Data routes need ``Authorization: nadeo_v1 t=<jwt>`` with the audience of their host
(NadeoServices for Core, NadeoLiveServices for Live); otherwise 401 with
``{error, message, traceId}``. Live's own errors are one-string arrays with 403/404,
a plain-text 403 for an unknown review type, and ``{}`` for an unknown group.
Request bodies of GETs are ignored.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse, PlainTextResponse, Response

from podium.config import Settings
from podium.core import limits
from podium.core.competitions import public_competition
from podium.core.errors import DomainError
from podium.dialects.nadeo import content, identity, jwt, views
from podium.ranking.leaderboards import BoardKey, Leaderboards
from podium.ranking.ties import TieRule
from podium.store.database import Database
from podium.store.tables import (
    Challenge,
    Competition,
    Credential,
    Organization,
    Person,
    Result,
    Team,
    TeamMember,
)

# Ids and numbers in paths, bounded to what the store holds (beyond: 400, not a 5xx).
WireId = Annotated[int, Path(ge=0, le=limits.INT64_MAX)]
WireInt = Annotated[int, Path(ge=limits.INT64_MIN, le=limits.INT64_MAX)]

TOP_LIMIT = 100
READABLE = 10_000
POSITION_MAPS = 50
REVIEW_TYPES = ("totd", "weekly-shorts", "royal")
FIRST_SET: TieRule = "first_set"
RESOLVE_SECONDS = 2.0


class NadeoError(Exception):
    def __init__(self, status: int, body: Any, *, text: bool = False) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.text = text


def unauthorized(message: str) -> NadeoError:
    return NadeoError(
        401, {"error": "Unauthorized", "message": message, "traceId": str(uuid.uuid4())}
    )


def one(status: int, code: str) -> NadeoError:
    return NadeoError(status, [code])


@dataclass
class Services:
    settings: Settings
    database: Database
    leaderboards: Leaderboards
    key: bytes
    resolved: dict[tuple[str, str], tuple[float, Any]] = field(default_factory=dict)
    players: views.PlayerCache = field(default_factory=views.PlayerCache)

    @property
    def life(self) -> jwt.Lifetimes:
        s = self.settings
        return jwt.Lifetimes(
            s.nadeo_access_seconds, s.nadeo_refresh_after_seconds, s.nadeo_refresh_seconds
        )

    async def claims(self, request: Request, audience: str) -> dict[str, Any]:
        """The claims of the request's access token, if its account is still live."""
        header = request.headers.get("authorization", "")
        found = re.match(r"^nadeo_v1\s+t=(\S+)$", header.strip())
        if found is None:
            raise unauthorized("Send Authorization: nadeo_v1 t=<access token>.")
        try:
            claims = jwt.check(found[1], self.key, audience=audience)
        except jwt.TokenError as exc:
            raise unauthorized(str(exc)) from None
        await self.account(claims)
        return claims

    async def account(self, claims: dict[str, Any]) -> Credential:
        """The credential a token was issued for, read on every request (revocation and
        password changes apply at once, on every worker), else 401."""
        try:
            credential_id, generation = jwt.session_of(claims)
        except jwt.TokenError as exc:
            raise unauthorized(str(exc)) from None
        async with self.database.read() as session:
            row = await identity.live_account(
                session, credential_id, generation, str(claims.get("sub", ""))
            )
        if row is None:
            raise unauthorized("The token's account is no longer valid.")
        return row


def services(request: Request) -> Services:
    found: Services = request.app.state.nadeo
    return found


def _install(app: FastAPI) -> None:
    async def nadeo_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NadeoError)
        if exc.text:
            return PlainTextResponse(str(exc.body), status_code=exc.status)
        return JSONResponse(exc.body, status_code=exc.status)

    async def malformed(_request: Request, exc: Exception) -> Response:
        """A path or query value of the wrong type: Nadeo's ``{error, message, traceId}``."""
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "path")
        message = f"{where}: {first.get('msg', 'invalid value')}" if where else "Invalid request."
        return _problem(400, "BadRequestHttpException", message)

    async def refused(_request: Request, exc: Exception) -> Response:
        """A core refusal (a value the store cannot hold, ...), in the same shape."""
        assert isinstance(exc, DomainError)
        return _problem(exc.status, type(exc).__name__, exc.message)

    app.add_exception_handler(NadeoError, nadeo_error)
    app.add_exception_handler(RequestValidationError, malformed)
    app.add_exception_handler(DomainError, refused)


def _problem(status: int, error: str, message: str) -> Response:
    body = {"error": error, "message": message, "traceId": str(uuid.uuid4())}
    return JSONResponse(body, status_code=status)


# ---- Core: tokens, maps, zones ----------------------------------------------------------

core = APIRouter()


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = limits.loads(raw)
    except limits.PayloadError:
        raise NadeoError(
            400,
            {
                "error": "BadRequest",
                "message": "There was a validation error.",
                "traceId": str(uuid.uuid4()),
            },
        ) from None
    return body if isinstance(body, dict) else {}


def _audience(value: Any, default: str) -> str:
    if value in (None, ""):
        return default
    found = jwt.AUDIENCES.get(str(value).lower())
    if found is None:
        raise NadeoError(
            400,
            {
                "error": "BadRequest",
                "message": "There was a validation error.",
                "traceId": str(uuid.uuid4()),
            },
        )
    return found


@core.post("/v2/authentication/token/basic")
async def token_basic(request: Request) -> Response:
    svc = services(request)
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    try:
        login, sep, password = (
            base64.b64decode(value.strip(), validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        sep = ""
    if scheme.lower() != "basic" or not sep:
        raise unauthorized("Send Basic credentials (login:password).")
    audience = _audience((await _json_body(request)).get("audience"), jwt.CORE)
    async with svc.database.read() as session:
        try:
            who = await identity.verify(session, login, password)
        except identity.LoginFailed as exc:
            raise unauthorized(str(exc)) from None
    return JSONResponse(jwt.issue_pair(who, audience, svc.key, svc.life))


@core.post("/v2/authentication/token/refresh")
async def token_refresh(request: Request) -> Response:
    svc = services(request)
    found = re.match(r"^nadeo_v1\s+t=(\S+)$", request.headers.get("authorization", "").strip())
    if found is None:
        raise unauthorized("Send Authorization: nadeo_v1 t=<refresh token>.")
    try:
        claims = jwt.check(found[1], svc.key, audience=jwt.CORE, refresh=True)
    except jwt.TokenError as exc:
        raise unauthorized(str(exc)) from None
    row = await svc.account(claims)
    body = await _json_body(request)
    audience = _audience(body.get("audience"), str(claims.get("refresh_aud", jwt.CORE)))
    # The new pair describes the account as it is now, not as the old token did.
    return JSONResponse(jwt.issue_pair(identity.identity_of(row), audience, svc.key, svc.life))


@core.get("/maps/by-uid/")
@core.get("/maps/by-uid")
async def core_maps(request: Request) -> Response:
    svc = services(request)
    await svc.claims(request, jwt.CORE)
    uids = content.map_uids(request.query_params.get("mapUidList", ""))
    async with svc.database.read() as session:
        found = await session.scalars(
            select(Challenge).where(Challenge.code.in_(uids), Challenge.kind == "map")
        )
        by_uid = {c.code: c for c in found}
    return JSONResponse([views.map_core_json(by_uid[u]) for u in uids if u in by_uid])


@core.get("/zones/")
@core.get("/zones")
async def core_zones(request: Request) -> Response:
    await services(request).claims(request, jwt.CORE)
    return JSONResponse(views.ZONES)


# ---- Live ----------------------------------------------------------------------------

live = APIRouter()


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        raise one(400, f"{name}:error-notInteger") from None


def _page(request: Request, default_length: int) -> tuple[int, int]:
    return max(_int(request, "length", default_length), 0), max(_int(request, "offset", 0), 0)


@live.get("/api/token/campaign/month")
async def months(request: Request) -> Response:
    svc = services(request)
    await svc.claims(request, jwt.LIVE)
    royal = request.query_params.get("royal", "").lower() == "true"
    length, offset = _page(request, 1)
    now = views.now_utc()
    async with svc.database.read() as session:
        days = await _readable(session, svc, await content.totd_days(session, royal), None)
        released = [d for d in days if d.starts_at is not None and d.starts_at <= now]
        upcoming = [d for d in days if d.starts_at is not None and d.starts_at > now]
        # Offset counts calendar months back from the current one, days or not.
        span = views.month_span(now, released[0].starts_at if released else None)
        page = span[offset : offset + length]
        shown = [
            d for d in released if d.starts_at and (d.starts_at.year, d.starts_at.month) in page
        ]
        groups = await content.group_uids(session, [d.id for d in shown])
    next_ts = views.ts(upcoming[0].starts_at) if upcoming else -1
    return JSONResponse(
        {
            "monthList": views.months_json(page, shown, groups, now),
            "itemCount": len(span),
            "nextRequestTimestamp": next_ts,
            "relativeNextRequest": next_ts - int(now.timestamp()) if next_ts != -1 else -1,
        }
    )


async def _may_read(
    session: AsyncSession,
    svc: Services,
    competition: Competition,
    claims: dict[str, Any] | None,
) -> bool:
    """Whether a player reads this campaign, Track of the Day or board: when anonymous
    readers may (``core.public_competition``, the one rule of every dialect), or, for a
    club's own content, when the player is a member of that club. Nobody reads a
    non-public official campaign through Nadeo (every account is an official member)."""
    if await public_competition(session, competition.id) is not None:
        return True
    if claims is None:
        return False
    official = await content.find_official(session, svc.settings.nadeo_organization)
    return competition.organization_id != official and await _member(
        session, await _caller(session, claims), competition.organization_id
    )


async def _readable(
    session: AsyncSession, svc: Services, rows: list[Competition], claims: dict[str, Any] | None
) -> list[Competition]:
    return [c for c in rows if await _may_read(session, svc, c, claims)]


async def _official_campaigns(
    session: AsyncSession, svc: Services, use_cases: tuple[int, ...]
) -> list[Competition]:
    """Readable official campaigns of these kinds, newest first: a club's own campaign
    is never one of Nadeo's seasons or weeklies, whatever its use case."""
    official = await content.find_official(session, svc.settings.nadeo_organization)
    if official is None:
        return []
    found = await content.campaigns(session, use_cases, official)
    return await _readable(session, svc, found, None)


async def _campaign_page(request: Request, use_cases: tuple[int, ...]) -> Response:
    svc = services(request)
    await svc.claims(request, jwt.LIVE)
    length, offset = _page(request, 1)
    now = views.now_utc()
    async with svc.database.read() as session:
        every = await _official_campaigns(session, svc, use_cases)
        found = [c for c in every if c.starts_at and c.starts_at <= now]
        page = found[offset : offset + length]
        groups = await content.group_uids(session, [c.id for c in page])
    # The next campaign of the kind to start, as Nadeo announces the next week's.
    starts = [views.ts(c.starts_at) for c in every if c.starts_at and c.starts_at > now]
    upcoming = min(starts) if starts else -1
    return JSONResponse(
        {
            "itemCount": len(found),
            "campaignList": [views.campaign_json(c, groups.get(c.id, "")) for c in page],
            "nextRequestTimestamp": upcoming,
            "relativeNextRequest": upcoming - int(now.timestamp()) if upcoming != -1 else -1,
        }
    )


@live.get("/api/campaign/official")
async def seasonal(request: Request) -> Response:
    return await _campaign_page(request, (content.SEASONAL,))


@live.get("/api/campaign/weekly-shorts")
async def weekly_shorts(request: Request) -> Response:
    return await _campaign_page(request, (content.WEEKLY_SHORTS,))


@live.get("/api/campaign/weekly-grands")
async def weekly_grands(request: Request) -> Response:
    return await _campaign_page(request, (content.WEEKLY_GRANDS,))


async def _caller(session: AsyncSession, claims: dict[str, Any]) -> Person | None:
    return await identity.person_of(session, str(claims.get("sub", "")))


async def _member(session: AsyncSession, person: Person | None, club_id: int) -> bool:
    return person is not None and await identity.is_member(session, club_id, person.id)


@live.get("/api/token/club/{club_id}/campaign/{campaign_id}")
async def club_campaign(request: Request, club_id: WireId, campaign_id: WireId) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    async with svc.database.read() as session:
        campaign = await session.get(Competition, campaign_id)
        if (
            campaign is None
            or campaign.kind != content.CAMPAIGN
            or campaign.organization_id != club_id
            or campaign.attributes.get("useCase") != content.CLUB
        ):
            raise one(404, "activity:error-notFound")
        if not await _may_read(session, svc, campaign, claims):
            raise one(403, "clubMemberRole:error-notMember")
        club = await session.get(Organization, club_id)
        group = (await content.group_uids(session, [campaign.id]))[campaign.id]
    body = views.campaign_json(campaign, group)
    body.update(
        color="",
        leaderboardGroupUid=group,
        publicationTimestamp=views.ts(campaign.created_at),
        published=campaign.public,
        latestSeasons=[],
        categories=[],
        media=views.media(),
    )
    return JSONResponse(
        {
            "clubDecalUrl": "",
            "campaignId": campaign.id,
            "activityId": campaign.id,
            "campaign": body,
            "popularityLevel": 0,
            "publicationTimestamp": views.ts(campaign.created_at),
            "creationTimestamp": views.ts(campaign.created_at),
            "creatorAccountId": "",
            "latestEditorAccountId": "",
            "id": campaign.id,
            "clubId": club_id,
            "clubName": club.name if club else "",
            "name": campaign.name,
            "mapsCount": len(content.maps_of(campaign)),
            "mediaUrl": "",
            "mediaUrlPngLarge": "",
            "mediaUrlPngMedium": "",
            "mediaUrlPngSmall": "",
            "mediaUrlDds": "",
            "mediaTheme": "",
        }
    )


async def _group_board(session: AsyncSession, group: str, map_: Challenge) -> Competition | None:
    """The competition holding the records of ``map_`` in ``group``, else None."""
    if group == content.PERSONAL_BEST:
        return await content.find_pb(session, map_.organization_id)
    found = await content.find_group(session, group)
    if found is None or map_.code not in content.maps_of(found):
        return None
    return found


Resolved = tuple[Challenge | None, Competition | None, bool]


@dataclass(frozen=True)
class _Found:
    map_: Challenge | None
    board: Competition | None
    exists: bool  # the group exists
    guard_id: int | None  # the competition deciding who reads the board, if any


async def _resolve(svc: Services, group: str, map_uid: str, claims: dict[str, Any]) -> Resolved:
    """(map, board competition, whether the group exists for this caller). The lookup
    is remembered for a few seconds because every leaderboard page needs it and maps
    and groups rarely change; who may read it is decided on every request, and a
    group the caller may not read answers exactly as one that does not exist."""
    key = (group, map_uid)
    cached = svc.resolved.get(key)
    if cached is not None and cached[0] > time.monotonic():
        found: _Found = cached[1]
    else:
        found = await _lookup(svc, group, map_uid)
        if found.map_ is not None and found.board is not None:  # misses may fill any moment
            if len(svc.resolved) > 10_000:
                svc.resolved.clear()
            svc.resolved[key] = (time.monotonic() + RESOLVE_SECONDS, found)
    if found.guard_id is not None:
        async with svc.database.read() as session:
            guard = await session.get(Competition, found.guard_id)
            if guard is None or not await _may_read(session, svc, guard, claims):
                return None, None, False
    return found.map_, found.board, found.exists


async def _lookup(svc: Services, group: str, map_uid: str) -> _Found:
    async with svc.database.read() as session:
        map_ = await content.find_map(session, map_uid)
        if group == content.PERSONAL_BEST:
            board = await _group_board(session, group, map_) if map_ is not None else None
            return _Found(map_, board, True, board.id if board is not None else None)
        found = await content.find_group(session, group)
        if found is None:
            return _Found(map_, None, False, None)
        if map_ is None:
            return _Found(None, None, True, found.id)
        return _Found(map_, await _group_board(session, group, map_), True, found.id)


def _world(top: list[Any]) -> list[dict[str, Any]]:
    return [{"zoneId": identity.WORLD, "zoneName": "World", "top": top}]


@live.get("/api/token/leaderboard/group/{group}/map/{map_uid}/top")
async def map_top(request: Request, group: str, map_uid: str) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    only_world = request.query_params.get("onlyWorld", "").lower() == "true"
    length, offset = _page(request, 5)
    if not only_world:
        length, offset = 5, 0
    length = min(length, TOP_LIMIT, max(READABLE - offset, 0))
    map_, board_comp, exists = await _resolve(svc, group, map_uid, claims)
    if not exists:
        return JSONResponse({})
    if map_ is None or board_comp is None or length == 0:
        return JSONResponse({"groupUid": group, "mapUid": map_uid, "tops": _world([])})
    board, _fmt = await svc.leaderboards.board(BoardKey(board_comp.id, map_.id))
    rows = await board.top(offset, length, FIRST_SET)
    async with svc.database.read() as session:
        top = await views.entries(session, rows, cache=svc.players)
    return JSONResponse({"groupUid": group, "mapUid": map_uid, "tops": _world(top)})


@live.get("/api/token/leaderboard/group/{group}/map/{map_uid}/surround/{lower}/{upper}")
async def map_surround(
    request: Request, group: str, map_uid: str, lower: WireInt, upper: WireInt
) -> Response:
    """Records around a score; the requested score itself appears as the caller's entry."""
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    map_, board_comp, exists = await _resolve(svc, group, map_uid, claims)
    if not exists or map_ is None or board_comp is None:
        return JSONResponse({})
    board, _fmt = await svc.leaderboards.board(BoardKey(board_comp.id, map_.id))
    raw = request.query_params.get("score")
    async with svc.database.read() as session:
        caller = await _caller(session, claims)
        if raw in (None, ""):
            if caller is None:
                return JSONResponse({})
            own = await board.get(caller.id * 4 + 1, FIRST_SET)
            if own is None:
                return JSONResponse({})
            score, own_rank = own.score, own.rank
        else:
            own_rank = None
            try:
                score = int(str(raw))
            except ValueError:
                raise one(400, "score:error-notInteger") from None
        # As on Nadeo, at most one record above and one below.
        before, after = min(abs(lower), 1), min(abs(upper), 1)
        # The caller's own record keeps its place; a hypothetical score goes after equals.
        position = own_rank or await board.position_for(score, FIRST_SET)
        above = await board.top(max(position - 1 - before, 0), min(before, position - 1), FIRST_SET)
        below = await board.top(position if own_rank else position - 1, after, FIRST_SET)
        top = await views.entries(session, above)
        players = await views.Players.load(session, [caller.id] if caller else [])
        me = (
            players.entry(caller.id, position, score, None)
            if caller
            else {
                "accountId": claims.get("sub", ""),
                "zoneId": identity.WORLD,
                "zoneName": "World",
                "position": position,
                "score": score,
            }
        )
        me.pop("timestamp", None)
        top.append(me)
        top += await views.entries(session, below, shift=0 if own_rank else 1)
    return JSONResponse({"groupUid": group, "mapUid": map_uid, "tops": _world(top)})


@live.post("/api/token/leaderboard/group/map")
async def positions(request: Request) -> Response:
    """The rank a record with each given score would get (or the caller's own records)."""
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    body = await _json_body(request)
    raw_maps = body.get("maps")
    maps: list[Any] = raw_maps if isinstance(raw_maps, list) else []
    scores: dict[str, int] = {}
    for key, value in request.query_params.multi_items():
        found = re.match(r"^scores\[(.+)\]$", key)
        if found is not None:
            try:
                scores[found[1]] = int(value)
            except ValueError:
                raise one(400, "score:error-notInteger") from None
    out = []
    async with svc.database.read() as session:
        caller = await _caller(session, claims)
    for item in maps[:POSITION_MAPS]:
        if not isinstance(item, dict):
            continue
        map_uid, group = (
            str(item.get("mapUid", "")),
            str(item.get("groupUid", content.PERSONAL_BEST)),
        )
        map_, board_comp, exists = await _resolve(svc, group, map_uid, claims)
        if not exists or map_ is None or board_comp is None:
            continue
        board, _fmt = await svc.leaderboards.board(BoardKey(board_comp.id, map_.id))
        if map_uid in scores:
            score = scores[map_uid]
            position = await board.position_for(score, FIRST_SET)
        else:
            own = await board.get(caller.id * 4 + 1, FIRST_SET) if caller else None
            if own is None:
                continue
            score, position = own.score, own.rank
        out.append(
            {
                "groupUid": group,
                "mapUid": map_uid,
                "score": score,
                "zones": [
                    {
                        "zoneId": identity.WORLD,
                        "zoneName": "World",
                        "ranking": {"position": position, "length": 0},
                    }
                ],
            }
        )
    return JSONResponse(out)


async def _club_records(
    session: AsyncSession, board: Competition, map_: Challenge, club_id: int
) -> list[Result]:
    rows = await session.scalars(
        select(Result)
        .join(TeamMember, TeamMember.person_id == Result.person_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(
            Result.competition_id == board.id,
            Result.challenge_id == map_.id,
            Team.organization_id == club_id,
            Team.name == identity.MEMBERS,
            Result.elapsed_ms.is_not(None),
        )
        .order_by(Result.elapsed_ms, Result.recorded_at, Result.id)
    )
    return list(rows.all())


@live.get("/api/token/leaderboard/group/{group}/map/{map_uid}/club/{club_id}")
async def player_club_record(
    request: Request, group: str, map_uid: str, club_id: WireId
) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    if claims.get("usg") == "Server":
        raise one(403, "club_Join:error-notAllowed")
    map_, board_comp, exists = await _resolve(svc, group, map_uid, claims)
    if not exists or map_ is None or board_comp is None:
        return JSONResponse({})
    async with svc.database.read() as session:
        caller = await _caller(session, claims)
        if not await _member(session, caller, club_id):
            raise one(403, "clubMemberRole:error-notMember")
        assert caller is not None
        records = await _club_records(session, board_comp, map_, club_id)
    for position, record in enumerate(records, start=1):
        if record.person_id == caller.id:
            return JSONResponse(
                {
                    "groupUid": group,
                    "mapUid": map_uid,
                    "score": record.elapsed_ms,
                    "clubId": club_id,
                    "position": position,
                }
            )
    return JSONResponse({})


@live.get("/api/token/leaderboard/group/{group}/map/{map_uid}/club/{club_id}/top")
async def club_top(request: Request, group: str, map_uid: str, club_id: WireId) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    length, offset = _page(request, 5)
    length = min(length, TOP_LIMIT, max(READABLE - offset, 0))
    map_, board_comp, exists = await _resolve(svc, group, map_uid, claims)
    if not exists:
        return JSONResponse({})
    if map_ is None or board_comp is None:  # an unknown map is an empty board, as on Nadeo
        return JSONResponse(
            {"groupUid": group, "mapUid": map_uid, "clubId": club_id, "length": 0, "top": []}
        )
    async with svc.database.read() as session:
        records = await _club_records(session, board_comp, map_, club_id)
        page = records[offset : offset + length]
        players = await views.Players.load(session, [r.person_id for r in page if r.person_id])
    top = [
        players.entry(
            r.person_id or 0,
            offset + i + 1,
            r.elapsed_ms or 0,
            int(r.recorded_at.timestamp() * 1000),
        )
        for i, r in enumerate(page)
    ]
    return JSONResponse(
        {
            "groupUid": group,
            "mapUid": map_uid,
            "clubId": club_id,
            "length": len(records),
            "top": top,
        }
    )


@live.get("/api/token/leaderboard/group/{group}/map/{map_uid}/medals")
async def medals(request: Request, group: str, map_uid: str) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    map_, _board, exists = await _resolve(svc, group, map_uid, claims)
    if not exists or map_ is None:
        return JSONResponse({})
    a = map_.attributes
    return JSONResponse(
        {
            "groupUid": group,
            "mapUid": map_uid,
            "medals": [
                {
                    "medal": name,
                    "accountId": a.get("author"),
                    "zoneId": identity.WORLD,
                    "zoneName": "World",
                    "score": a.get(key),
                }
                for name, key in (
                    ("Author", "authorTime"),
                    ("Gold", "goldTime"),
                    ("Silver", "silverTime"),
                    ("Bronze", "bronzeTime"),
                )
            ],
        }
    )


async def _season_points(session: AsyncSession, group: Competition) -> list[tuple[int, int]]:
    """(person, points) best first: on each map, a record is worth the number of
    records it beats or equals from below (the last place earns 1)."""
    rows = await session.execute(
        select(Result.challenge_id, Result.person_id)
        .where(
            Result.competition_id == group.id,
            Result.elapsed_ms.is_not(None),
            Result.person_id.is_not(None),
        )
        .order_by(Result.challenge_id, Result.elapsed_ms, Result.recorded_at, Result.id)
    )
    by_map: dict[int, list[int]] = {}
    for challenge_id, person_id in rows.all():
        if challenge_id is not None and person_id is not None:
            by_map.setdefault(challenge_id, []).append(person_id)
    points: dict[int, int] = {}
    for people in by_map.values():
        for index, person_id in enumerate(people):
            points[person_id] = points.get(person_id, 0) + len(people) - index
    return sorted(points.items(), key=lambda item: (-item[1], item[0]))


@live.get("/api/token/leaderboard/group/{group}/top")
async def season_top(request: Request, group: str) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    if group == content.PERSONAL_BEST:
        raise one(400, "leaderboard:error-personalBestNotAllowed")
    length, offset = _page(request, 5)
    length = min(length, TOP_LIMIT)
    async with svc.database.read() as session:
        found = await content.find_group(session, group)
        if found is None or not await _may_read(session, svc, found, claims):
            return JSONResponse({})
        ranked = await _season_points(session, found)
        page = ranked[offset : offset + length]
        players = await views.Players.load(session, [p for p, _ in page])
    top = []
    for index, (person_id, sp) in enumerate(page):
        entry = players.entry(person_id, offset + index + 1, 0, None)
        entry.pop("score")
        entry["sp"] = str(sp)
        top.append(entry)
    return JSONResponse({"groupUid": group, "tops": _world(top)})


@live.get("/api/token/leaderboard/group/{group}")
async def season_rank(request: Request, group: str) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    account = request.query_params.get("accountId") or str(claims.get("sub", ""))
    async with svc.database.read() as session:
        found = await content.find_group(session, group)
        person = await identity.person_of(session, account)
        if found is None or person is None or not await _may_read(session, svc, found, claims):
            return JSONResponse({})
        ranked = await _season_points(session, found)
    for position, (person_id, sp) in enumerate(ranked, start=1):
        if person_id == person.id:
            return JSONResponse(
                {
                    "groupUid": group,
                    "sp": str(sp),
                    "zones": [
                        {
                            "zoneId": identity.WORLD,
                            "zoneName": "World",
                            # Nadeo does not count the ranking here (always 0).
                            "ranking": {"position": position, "length": 0},
                        }
                    ],
                }
            )
    return JSONResponse({})


def _review(review_type: str, *, text: bool) -> None:
    if review_type not in REVIEW_TYPES:
        if text:
            raise NadeoError(403, "Only official MapReview", text=True)
        raise one(404, "mapReview:error-notFound")


async def _submitted(
    svc: Services, review_type: str, submitter: str | None = None
) -> list[Challenge]:
    """The review queue (everyone's maps), or only ``submitter``'s own."""
    async with svc.database.read() as session:
        return await content.submitted_maps(session, review_type, submitter)


@live.get("/api/token/map-review/{review_type}/connect")
async def review_connect(request: Request, review_type: str) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    _review(review_type, text=True)
    if claims.get("usg") == "Server":
        raise NadeoError(
            403,
            {
                "error": "NLS::Player::MissingRule",
                "message": f"{claims.get('sub')} does not have rule map_AccessServerReview",
                "traceId": str(uuid.uuid4()),
            },
        )
    maps = await _submitted(svc, review_type)
    return JSONResponse(
        {
            "joinLink": f"#qjoin=review-{review_type}@podium",
            "noMap": not maps,
            "starting": False,
            "submissionWaitTimer": 0,
        }
    )


@live.get("/api/token/map-review/{review_type}/submitted-map")
@live.get("/api/token/map/map-review/{review_type}/submitted-map")
async def review_submitted(request: Request, review_type: str) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    _review(review_type, text=False)
    length, offset = _page(request, 144)
    # "Retrieves your maps": the caller's own submissions, counted alone in itemCount.
    maps = await _submitted(svc, review_type, str(claims.get("sub", "")))
    return JSONResponse(
        {
            "submittedMaps": [
                {
                    "mapUid": m.code,
                    "feedbackCount": 0,
                    "creationTimestamp": views.ts(m.created_at),
                    "latestSubmissionTimestamp": views.ts(m.updated_at),
                    "nominated": False,
                    "map": views.map_live_json(m),
                    "noteInfo": {
                        "countTotal": 0,
                        "average": 0.0,
                        "countStar1": 0,
                        "countStar2": 0,
                        "countStar3": 0,
                        "countStar4": 0,
                        "countStar5": 0,
                        "countStarMax": 0,
                    },
                    "nadeoNote": 0,
                    "labels": [],
                    "mapStyles": [],
                    "messagingOpen": False,
                }
                for m in maps[offset : offset + length]
            ],
            "itemCount": len(maps),
        }
    )


@live.get("/api/token/map-review/{review_type}/waiting-time")
async def review_waiting(request: Request, review_type: str) -> Response:
    svc = services(request)
    await svc.claims(request, jwt.LIVE)
    _review(review_type, text=True)
    # Each map in the queue is reviewed for three minutes.
    return JSONResponse({"seconds": 180 * len(await _submitted(svc, review_type))})


@live.get("/api/token/server/player-server/account")
async def server_accounts(request: Request) -> Response:
    svc = services(request)
    claims = await svc.claims(request, jwt.LIVE)
    async with svc.database.read() as session:
        rows: list[Credential] = await identity.server_accounts(session, str(claims.get("sub", "")))
    accounts = [
        {
            "accountId": r.attributes.get("account_id"),
            "login": r.identifier,
            "alreadyUsed": False,
            "clubRoomId": None,
            "clubRoomName": None,
        }
        for r in rows
    ]
    return JSONResponse({"playerServerAccount": accounts, "itemCount": len(accounts)})


@live.get("/api/token/map/get-multiple")
async def maps_multiple(request: Request) -> Response:
    svc = services(request)
    await svc.claims(request, jwt.LIVE)
    uids = content.map_uids(request.query_params.get("mapUidList", ""), 100)
    async with svc.database.read() as session:
        found = await session.scalars(
            select(Challenge).where(Challenge.code.in_(uids), Challenge.kind == "map")
        )
        by_uid = {c.code: c for c in found}
    listed = [views.map_live_json(by_uid[u]) for u in uids if u in by_uid]
    return JSONResponse({"mapList": listed, "itemCount": len(listed)})


@live.get("/api/token/map/{map_uid}")
async def map_info(request: Request, map_uid: str) -> Response:
    svc = services(request)
    await svc.claims(request, jwt.LIVE)
    async with svc.database.read() as session:
        found = await content.find_map(session, map_uid)
    if found is None:
        raise one(404, "map:error-notFound")
    return JSONResponse(views.map_live_json(found))


@live.get("/api/campaign/map/{map_uid}")
async def map_campaigns(request: Request, map_uid: str) -> Response:
    svc = services(request)
    await svc.claims(request, jwt.LIVE)
    out: dict[str, Any] = {
        "officialYear": -1,
        "season": -1,
        "officialMaps": [],
        "totdYear": -1,
        "week": -1,
        "totdMaps": [],
    }
    async with svc.database.read() as session:
        for campaign in await _official_campaigns(session, svc, (content.SEASONAL,)):
            if map_uid in content.maps_of(campaign):
                out.update(
                    officialYear=campaign.attributes.get("year", -1),
                    season=campaign.name,
                    officialMaps=content.maps_of(campaign),
                )
                break
        for day in await _readable(session, svc, await content.totd_days(session, False), None):
            if map_uid in content.maps_of(day) and day.starts_at is not None:
                out.update(
                    totdYear=day.starts_at.year,
                    week=day.starts_at.isocalendar().week,
                    totdMaps=[map_uid],
                )
    return JSONResponse(out)


def create_nadeo(
    settings: Settings, database: Database, leaderboards: Leaderboards
) -> tuple[FastAPI, FastAPI]:
    """The Core and Live apps, sharing one state."""
    state = Services(
        settings, database, leaderboards, jwt.signing_key(settings.resolved_secret_key())
    )
    apps = []
    for title, router in (
        ("Nadeo Core services (Podium)", core),
        ("Nadeo Live services (Podium)", live),
    ):
        app = FastAPI(title=title, openapi_url=None, docs_url=None, redoc_url=None)
        app.state.nadeo = state
        _install(app)
        app.include_router(router)
        apps.append(app)
    return apps[0], apps[1]
