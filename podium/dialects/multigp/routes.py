"""The RaceSync web service, mounted at ``/mgp/multigpwebservice`` like the real one.

Every endpoint answers POST and PUT; parameters come from the query string or as
path pairs (``/race/assignslot/id/7/cycle/1/heat/2/slot/3``); controller and action
names match in any case; the ``apiKey`` is in the JSON body. Every answer, errors
included, is JSON with a ``status`` key.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import FastAPI, Request
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import JSONResponse, Response

from podium.config import Settings
from podium.core import credentials, external_ids, limits, resources
from podium.core.competitions import COMPETITIONS, CompetitionUpdate
from podium.core.entries import ENTRIES
from podium.core.errors import DomainError
from podium.core.principal import Principal
from podium.dialects.multigp import auth, pushes, races, views, wire, zippyq
from podium.store.database import Database
from podium.store.tables import Competition, ExternalId, Organization, Person

log = logging.getLogger("podium.multigp")


class Refused(Exception):
    def __init__(self, message: str, field: str = "general", http_status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.http_status = http_status


@dataclass
class Call:
    params: dict[str, str]
    body: dict[str, Any]
    chapter_id: int
    database: Database
    # The chapter key's name, so the audit trail says which timer's key wrote.
    key_name: str = ""

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def principal(self) -> Principal:
        return Principal(
            kind="multigp",
            label=credentials.actor("multigp:chapter", str(self.chapter_id), self.key_name),
            organization_id=self.chapter_id,
            scopes=frozenset({"read", "write"}),
        )

    def int_param(self, name: str, *, fallback: Any = None) -> int:
        """A number from the query or path, else ``fallback`` (a body field: int or string)."""
        raw: Any = self.params.get(name.lower())
        if raw in (None, "") and fallback not in (None, ""):
            raw = fallback
        number = wire.whole_number(raw)
        if number is None:
            raise Refused(f"Parameter {name} must be a number.", name)
        return number

    def page_param(self, name: str, default: int, most: int) -> int:
        """A paging parameter: ``default`` when absent, refused when not a number."""
        if self.params.get(name.lower()) in (None, ""):
            return default
        return min(self.int_param(name), most)

    async def pilot_id(self) -> str:
        """``data.pilotId``, else the pilot logged in by ``sessionId``."""
        data = self.data if isinstance(self.data, dict) else {}
        raw = data.get("pilotId")
        if raw in (None, "") and self.body.get("sessionId"):
            async with self.database.read() as session:
                person_id = await auth.session_pilot(session, self.body.get("sessionId"))
                if person_id is not None:
                    ids = await external_ids.for_objects(session, "person", [person_id])
                    raw = ids[person_id].get(races.SCHEME)
        pilot_id = wire.pilot_id(raw)
        if pilot_id is None:
            raise Refused("data.pilotId is required.", "pilotId")
        return pilot_id


Handler = Callable[[Call], Awaitable[dict[str, Any]]]


async def _race(call: Call, session: Any, race_id: int) -> Competition:
    race = await races.find_race(session, race_id)
    if race is None:
        raise Refused(f"Race {race_id} does not exist.", "id", 404)
    if race.organization_id != call.chapter_id:
        raise Refused("This race belongs to another chapter.", "id", 403)
    return race


# ---- chapter ----------------------------------------------------------------------


async def find_chapter(call: Call) -> dict[str, Any]:
    async with call.database.read() as session:
        org = await session.get(Organization, call.chapter_id)
    assert org is not None
    return wire.ok(chapterId=str(org.id), chapterName=org.name)


async def chapter_list(call: Call) -> dict[str, Any]:
    async with call.database.read() as session:
        org = await session.get(Organization, call.chapter_id)
    return wire.ok(data=[views.chapter_json(org)] if org else [])


async def chapter_users(call: Call) -> dict[str, Any]:
    chapter = call.int_param("id", fallback=call.chapter_id)
    if chapter != call.chapter_id:
        raise Refused("This chapter is not the API key's chapter.", "id", 403)
    async with call.database.read() as session:
        people = list(
            (
                await session.scalars(
                    select(Person)
                    .join(ExternalId, ExternalId.object_id == Person.id)
                    .where(
                        ExternalId.object_kind == "person",
                        ExternalId.scheme == races.SCHEME,
                        Person.organization_id == chapter,
                    )
                    .order_by(Person.id)
                )
            ).all()
        )
        pilots = await views.Pilots.load(session, {p.id for p in people})
    data = []
    for person in people:
        fields = pilots.fields(person.id)
        data.append(
            {
                "id": fields["pilotId"],
                **fields,
                "city": "",
                "state": "",
                "country": person.country or "",
            }
        )
    return wire.ok(data=data)


# ---- race reads ---------------------------------------------------------------------


async def list_for_chapter(call: Call) -> dict[str, Any]:
    chapter = call.int_param("chapterId", fallback=call.chapter_id)
    if chapter != call.chapter_id:
        raise Refused("This chapter is not the API key's chapter.", "chapterId", 403)
    return wire.ok(data=await _summaries(call, None, 0, 10_000))


async def _summaries(call: Call, name: str | None, page: int, size: int) -> list[dict[str, Any]]:
    async with call.database.read() as session:
        org = await session.get(Organization, call.chapter_id)
        query = select(Competition).where(
            Competition.organization_id == call.chapter_id,
            Competition.kind == races.RACE,
            Competition.parent_id.is_(None),
        )
        if name:
            query = query.where(Competition.name.icontains(name, autoescape=True))
        found = list(
            (
                await session.scalars(
                    query.order_by(Competition.starts_at.desc(), Competition.id.desc())
                    .offset(page * size)
                    .limit(size)
                )
            ).all()
        )
        children = await races.child_counts(session, [race.id for race in found])
        return [views.summary_json(race, org, children.get(race.id, 0)) for race in found]


async def race_list(call: Call) -> dict[str, Any]:
    data = call.data if isinstance(call.data, dict) else {}
    wanted = data.get("chapterId")
    if wanted not in (None, ""):
        ids = {str(v) for v in (wanted if isinstance(wanted, list) else [wanted])}
        if str(call.chapter_id) not in ids:
            return wire.ok(data=[])
    page = call.page_param("currentPage", 0, 1_000_000)
    size = call.page_param("pageSize", 100, 1000)
    name = data.get("name") if isinstance(data.get("name"), str) else None
    return wire.ok(data=await _summaries(call, name, page, size))


async def race_view(call: Call) -> dict[str, Any]:
    async with call.database.read() as session:
        race = await _race(call, session, call.int_param("id"))
        return wire.ok(data=await views.race_json(session, race))


async def race_view_simple(call: Call) -> dict[str, Any]:
    async with call.database.read() as session:
        race = await _race(call, session, call.int_param("id"))
        return wire.ok(data=await views.race_json(session, race, schedule=False))


async def pilots_for_race(call: Call) -> dict[str, Any]:
    async with call.database.read() as session:
        race = await _race(call, session, call.int_param("id"))
        entries = await races.entries(session, race.id)
        pilots = await views.Pilots.load(session, {e.person_id for e in entries if e.person_id})
    data = []
    for entry in entries:
        fields = pilots.fields(entry.person_id)
        data.append({k: fields[k] for k in ("pilotId", "userName", "firstName", "lastName")})
    return wire.ok(data=data)


async def rounds_min(call: Call) -> dict[str, Any]:
    async with call.database.read() as session:
        race = await _race(call, session, call.int_param("id"))
        return wire.ok(data=await views.rounds_min(session, race))


async def additional_rounds(call: Call) -> dict[str, Any]:
    race_id = call.int_param("id")
    start = call.int_param("startFromRound", fallback=1)
    async with call.database.write() as session:
        race = await _race(call, session, race_id)
        rounds, current = await zippyq.next_rounds(session, call.principal, race, max(start, 1))
        data = await views.schedule_rounds(session, race, rounds, current) if rounds else []
    return wire.ok(data={"rounds": data})


# ---- race writes --------------------------------------------------------------------


async def assign_slot(call: Call) -> dict[str, Any]:
    race_id = call.int_param("id")
    cycle, heat, slot = (call.int_param(n) for n in ("cycle", "heat", "slot"))
    if min(cycle, heat, slot) < 1:
        raise Refused("cycle, heat and slot start at 1.", "cycle")
    try:
        pushed = pushes.parse_slot(call.data)
        async with call.database.write() as session:
            race = await _race(call, session, race_id)
            await pushes.assign_slot(session, call.principal, race, cycle, heat, slot, pushed)
    except pushes.PushError as exc:
        raise Refused(str(exc), "data") from None
    return wire.ok(statusDescription="Slot result saved.")


async def capture_overall(call: Call) -> dict[str, Any]:
    data = call.data if isinstance(call.data, dict) else {}
    race_id = call.int_param("id", fallback=data.get("raceId"))
    try:
        async with call.database.write() as session:
            race = await _race(call, session, race_id)
            placed, unplaced = await pushes.capture_overall(
                session, call.principal, race, data.get("bracketResults")
            )
    except pushes.PushError as exc:
        raise Refused(str(exc), "bracketResults") from None
    described = f"Overall results saved: {placed} placed, {unplaced} unplaced."
    return wire.ok(statusDescription=described)


async def join(call: Call) -> dict[str, Any]:
    pilot_id = await call.pilot_id()
    data = call.data if isinstance(call.data, dict) else {}
    async with call.database.write() as session:
        race = await _race(call, session, call.int_param("id"))
        person = await races.pilot(session, pilot_id)
        if person is None or person.organization_id not in (race.organization_id, None):
            raise Refused(f"Pilot {pilot_id} is not known to this chapter.", "pilotId")
        await races.enter(session, call.principal, race, person, _aircraft(data))
        if races.is_zippyq(race):
            try:
                waiting = await zippyq.join(session, call.principal, race, pilot_id)
            except zippyq.QueueFull as exc:
                raise Refused(str(exc), "pilotId") from None
            return wire.ok(statusDescription=f"Queued; {waiting} pack(s) waiting.")
    return wire.ok(statusDescription="Joined.")


def _aircraft(data: dict[str, Any]) -> str | None:
    """``aircraftName`` (or an ``aircraftId``, int or string) as the entry's equipment."""
    raw = data.get("aircraftName")
    if raw in (None, ""):
        raw = data.get("aircraftId")
    if raw in (None, ""):
        return None
    number = wire.whole_number(raw)
    if number is not None:
        return str(number)
    if not isinstance(raw, str) or len(raw) > 200:
        raise Refused("data.aircraftName must be a name of at most 200 characters.", "aircraft")
    return raw


async def resign(call: Call) -> dict[str, Any]:
    pilot_id = await call.pilot_id()
    async with call.database.write() as session:
        race = await _race(call, session, call.int_param("id"))
        person = await races.pilot(session, pilot_id)
        entry = await races.entry_of(session, race.id, person.id) if person else None
        if entry is None:
            raise Refused(f"Pilot {pilot_id} is not in this race.", "pilotId")
        if races.is_zippyq(race):
            await zippyq.leave(session, call.principal, race, pilot_id)
        await resources.delete(session, call.principal, ENTRIES, entry.id)
    return wire.ok(statusDescription="Resigned.")


async def start_heat(call: Call) -> dict[str, Any]:
    data = call.data if isinstance(call.data, dict) else {}
    cycle = call.int_param("cycle", fallback=data.get("cycle"))
    heat = call.int_param("heat", fallback=data.get("heat"))
    async with call.database.write() as session:
        race = await _race(call, session, call.int_param("id"))
        await races.update_settings(
            session, call.principal, race, currentCycle=cycle, currentHeat=heat
        )
        if _heat_number(cycle) and _heat_number(heat):
            assert cycle is not None and heat is not None
            await races.start_heat(session, call.principal, race, cycle, heat)
    return wire.ok(statusDescription=f"Heat {heat} of round {cycle} is starting.")


def _heat_number(value: int | None) -> bool:
    """A round or heat number the store keeps (RotorHazard counts from 1)."""
    return value is not None and 1 <= value <= 10_000


async def finalize(call: Call) -> dict[str, Any]:
    async with call.database.write() as session:
        race = await _race(call, session, call.int_param("id"))
        await resources.update(
            session, call.principal, COMPETITIONS, race.id, CompetitionUpdate(status="finished")
        )
    return wire.ok(statusDescription="Race finalized.")


ACTIONS: dict[tuple[str, str], Handler] = {
    ("chapter", "findchapterfromapikey"): find_chapter,
    ("chapter", "list"): chapter_list,
    ("chapter", "users"): chapter_users,
    ("race", "listforchapter"): list_for_chapter,
    ("race", "list"): race_list,
    ("race", "view"): race_view,
    ("race", "viewsimple"): race_view_simple,
    ("race", "getpilotsforrace"): pilots_for_race,
    ("race", "viewroundsmin"): rounds_min,
    ("race", "getadditionalrounds"): additional_rounds,
    ("race", "assignslot"): assign_slot,
    ("race", "captureoverallraceresult"): capture_overall,
    ("race", "join"): join,
    ("race", "forcejoinpilot"): join,
    ("race", "resign"): resign,
    ("race", "startheat"): start_heat,
    ("race", "finalize"): finalize,
}


def _params(request: Request, rest: list[str]) -> dict[str, str]:
    """Query parameters and ``/name/value`` path pairs, names in lower case."""
    params = {k.lower(): v for k, v in request.query_params.items()}
    for name, value in zip(rest[0::2], rest[1::2], strict=False):
        params.setdefault(name.lower(), value)
    return params


async def _login(database: Database, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """``user/login``: ``status`` is the int 1 here, as RaceSync sends it."""
    user_name, password = body.get("username"), body.get("password")
    if not isinstance(user_name, str) or not isinstance(password, str):
        return wire.failure("username and password are required.", "username"), 400
    async with database.write() as session:
        found = await auth.login(session, user_name, password)
        if found is None:
            message = "Incorrect username or password."
            return wire.failure(message, "password", 401), 401
        user, session_id = found
        person = await session.get(Person, user.person_id) if user.person_id else None
        pilots = await views.Pilots.load(session, {person.id} if person else set())
    fields = pilots.fields(person.id if person else None)
    data = {
        "id": fields["pilotId"] or "",
        "authType": "User",
        "userName": fields["userName"] or user.name,
        "displayName": fields["displayName"] or user.name,
        "firstName": fields["firstName"],
        "lastName": fields["lastName"],
    }
    return {"status": 1, "sessionId": session_id, "data": data}, 200


async def _bounded_body(request: Request, limit: int) -> bytes:
    """The body, refused while it is read once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused("The request body is too large.", "body", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _encodable(body: dict[str, Any]) -> None:
    """Refuse text no store can keep: a lone surrogate (``"\\ud800"``) is valid JSON
    but not UTF-8, and would fail in the database driver instead (a 500)."""
    try:
        orjson.dumps(body)
    except orjson.JSONEncodeError:
        raise Refused("The body has text that is not valid Unicode.", "body") from None


def _reply(body: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


def create_multigp(settings: Settings, database: Database) -> FastAPI:
    app = FastAPI(
        title="MultiGP RaceSync web service (Podium)",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
    async def dispatch(request: Request, path: str) -> Response:
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2:
            return _reply(wire.failure("Unknown endpoint.", "path", 404), 404)
        key = (parts[0].lower(), parts[1].lower())
        try:
            raw = await _bounded_body(request, settings.max_body_bytes)
            body = limits.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise Refused("The body must be a JSON object.", "body")
            _encodable(body)
        except limits.PayloadError as exc:  # not JSON, or JSON beyond the core's limits
            message = "The body is not valid JSON." if exc.malformed else exc.message
            return _reply(wire.failure(message, "body"), 400)
        except Refused as exc:
            return _reply(wire.failure(exc.message, exc.field, exc.http_status), exc.http_status)
        if key == ("user", "logout"):
            async with database.write() as session:
                await auth.logout(session, body.get("sessionId"))
            return _reply({"status": True})
        if key == ("user", "login") and request.method != "GET":
            return _reply(*await _login(database, body))
        handler = ACTIONS.get(key)
        if handler is None:
            return _reply(
                wire.failure(f"Unknown endpoint {parts[0]}/{parts[1]}.", "path", 404), 404
            )
        if request.method == "GET":
            return _reply(wire.failure("Use POST or PUT.", "method", 405), 405)
        async with database.read() as session:
            opened = await auth.key_of(session, body.get("apiKey"))
        if opened is None:
            return _reply(wire.failure("Invalid API key.", "apiKey", 401), 401)
        call = Call(_params(request, parts[2:]), body, opened[0], database, opened[1])
        try:
            return _reply(await handler(call))
        except Refused as exc:
            return _reply(wire.failure(exc.message, exc.field, exc.http_status), exc.http_status)
        except DomainError as exc:  # a core rule: the caller's fault, told in RaceSync's shape
            field = str(exc.details.get("field") or "general")
            return _reply(wire.failure(exc.message, field, exc.status), exc.status)
        except ValidationError as exc:  # a value a core command cannot take (too long, ...)
            errors = exc.errors()
            where = ".".join(str(p) for p in errors[0]["loc"]) if errors else "data"
            message = f"{where}: {errors[0]['msg']}" if errors else "Invalid data."
            return _reply(wire.failure(message, where or "data", 400), 400)
        except Exception:
            log.exception("multigp request failed")
            return _reply(
                wire.failure("The server could not complete the request.", "general", 500), 500
            )

    return app
