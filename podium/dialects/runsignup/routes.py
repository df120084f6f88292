"""The RunSignup REST server, mounted at ``/Rest`` (any case).

One catch-all route dispatches on a table of paths so that RunSignup's own answers
for an unknown method (code 1) or a wrong HTTP verb (code 2) come out in band, like
every other error, as HTTP 200 in the caller's ``format``.

A caller who may not read a race's non-public parts (``Caller.may_read``) sees only
what ``core.public_competition`` shows anonymous readers, the rule every dialect,
the feed and the pages share: a hidden race or event answers exactly as an id that
does not exist, and is left out of every list.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from podium.config import Settings
from podium.core import limits, resources
from podium.core.competitions import public_competition
from podium.core.errors import DomainError, Forbidden, NotFound, Unauthenticated
from podium.core.principal import Principal
from podium.core.result_sets import RESULT_SETS
from podium.dialects.runsignup import auth, races, sets, uploads, views, wire
from podium.dialects.runsignup.auth import Caller
from podium.dialects.runsignup.params import Params, collect
from podium.dialects.runsignup.problems import RsuError, denied, invalid, render, render_error
from podium.logs import ASGIApp, Receive, Scope, Send
from podium.proxy import app_path
from podium.store.database import Database
from podium.store.tables import Competition, Entry, ResultSet

log = logging.getLogger("podium.runsignup")

MAX_PAGE = 2500
Reply = tuple[Any, str]  # (data, XML root element)
Handler = Callable[["Call"], Awaitable[Reply]]


@dataclass
class Call:
    """One request: its parameters, the caller, and the store."""

    params: Params
    caller: Caller
    database: Database
    settings: Settings
    race_id: int | None = None

    def principal(self, organization_id: int) -> Principal:
        return Principal(
            kind="runsignup",
            label=self.caller.label,
            organization_id=organization_id,
            scopes=frozenset({"read", "write"}),
        )


# ---- helpers ------------------------------------------------------------------


async def _shown(
    session: AsyncSession, caller: Caller, race: Competition, competition: Competition
) -> bool:
    """Whether the caller sees ``competition`` (the race or one of its events)."""
    if caller.may_read(race.id, race.organization_id):
        return True
    return await public_competition(session, competition.id) is not None


async def _shown_events(
    session: AsyncSession, caller: Caller, race: Competition
) -> list[Competition]:
    return [
        e for e in await races.events_of(session, race.id) if await _shown(session, caller, race, e)
    ]


async def _race(call: Call) -> Competition:
    race_id = (
        call.race_id
        if call.race_id is not None
        else call.params.int_param("race_id", required=True)
    )
    assert race_id is not None
    async with call.database.read() as session:
        race = await races.find_race(session, race_id)
        if race is None or not await _shown(session, call.caller, race, race):
            raise RsuError(wire.RACE_NOT_FOUND, "Race not found.")
    return race


async def _event(call: Call, race: Competition) -> Competition:
    event_id = call.params.int_param("event_id", required=True)
    assert event_id is not None
    async with call.database.read() as session:
        event = await races.find_event(session, race, event_id)
        if event is None or not await _shown(session, call.caller, race, event):
            raise RsuError(wire.EVENT_NOT_VALID, "Event id not valid.")
    return event


def _require_write(call: Call, race: Competition) -> None:
    if not call.caller.may_write(race.id, race.organization_id):
        raise denied("Permission denied: a key of this race is required.")


def _number(text: str | None) -> int:
    return int(text) if text is not None and text.isdigit() else 0


# Pages past this one are empty whatever the page size: no offset overflows a column.
LAST_PAGE = 1_000_000_000


def _paging(params: Params, default: int, maximum: int) -> tuple[int, int]:
    page = params.int_param("page") or 1
    per_page = params.int_param("results_per_page") or default
    return min(page, LAST_PAGE), min(per_page, maximum)


# ---- auth ---------------------------------------------------------------------


async def login(call: Call) -> Reply:
    email, password = call.params.get("email"), call.params.get("password")
    if not email or not password:
        raise invalid("email and password are required.")
    async with call.database.write() as session:
        user, tmp_key, tmp_secret = await auth.login(session, email, password)
    body = {
        "tmp_key": tmp_key,
        "tmp_secret": tmp_secret,
        "user": {
            "user_id": user.id,
            "first_name": user.attributes.get("first_name"),
            "last_name": user.attributes.get("last_name"),
            "email": user.identifier,
        },
    }
    return body, "login"


async def logout(call: Call) -> Reply:
    tmp_key, tmp_secret = call.params.get("tmp_key"), call.params.get("tmp_secret")
    if not tmp_key or not tmp_secret:
        raise invalid("tmp_key and tmp_secret are required.")
    async with call.database.write() as session:
        await auth.logout(session, tmp_key, tmp_secret)
    return {"success": "T"}, "logout"


# ---- races and participants -----------------------------------------------------


async def list_races(call: Call) -> Reply:
    page, per_page = _paging(call.params, 50, 1000)
    name = call.params.get("name")
    with_events = call.params.flag("events")
    async with call.database.read() as session:
        query = select(Competition).where(
            Competition.kind == races.RACE,
            Competition.parent_id.is_(None),
        )
        # Drafts (non-public races) are listed only to a caller who may read them.
        caller = call.caller
        if caller.kind == "anonymous":
            query = query.where(Competition.public.is_(True))
        elif caller.any_race:
            if caller.organization_id is not None:
                query = query.where(
                    Competition.public.is_(True)
                    | (Competition.organization_id == caller.organization_id)
                )
        else:
            query = query.where(
                Competition.public.is_(True) | Competition.id.in_(sorted(caller.race_ids))
            )
        # The query narrows the page; the rule itself decides each race shown.
        if name:
            query = query.where(Competition.name.icontains(name, autoescape=True))
        found = list(
            (
                await session.scalars(
                    query.order_by(Competition.starts_at, Competition.id)
                    .offset((page - 1) * per_page)
                    .limit(per_page)
                )
            ).all()
        )
        out = []
        for race in found:
            if not await _shown(session, caller, race, race):
                continue
            events = await _shown_events(session, caller, race) if with_events else None
            out.append(views.race_json(race, events))
    if call.params.fmt == "xml":
        return out, "races"
    return {"races": [{"race": race} for race in out]}, "races"


async def get_race(call: Call) -> Reply:
    race = await _race(call)
    async with call.database.read() as session:
        events = await _shown_events(session, call.caller, race)
    body = views.race_json(race, events)
    return ({"race": body}, "race") if call.params.fmt == "json" else (body, "race")


async def participants(call: Call) -> Reply:
    race = await _race(call)
    _require_write(call, race)
    raw = call.params.get("event_id")
    if raw is None:
        raise invalid("Missing required parameter: event_id.")
    parts = [part for part in raw.split(",") if part.strip()]
    if not parts or any(not limits.digits(part.strip()) for part in parts):
        raise invalid("event_id must be a comma-separated list of ids.")
    # An id no event can have (beyond 64 bits) is an unknown event, like any other.
    event_ids = [limits.id_of(part) or 0 for part in parts]
    page, per_page = _paging(call.params, 50, MAX_PAGE)
    after = call.params.int_param("after_registration_id")
    out = []
    async with call.database.read() as session:
        for event_id in event_ids:
            event = await races.find_event(session, race, event_id)
            if event is None:
                raise RsuError(wire.EVENT_NOT_VALID, f"Event id {event_id} not valid.")
            query = select(Entry).where(Entry.competition_id == event.id)
            entries = list((await session.scalars(query)).all())
            entries.sort(key=lambda e: (_number(e.registration_id), e.id))
            if after is not None:
                entries = [e for e in entries if _number(e.registration_id) > after]
            entries = entries[(page - 1) * per_page : page * per_page]
            people = await races.people_of(session, entries)
            out.append(
                {
                    "event": {"event_id": event.id, "participants": []},
                    "participants": [
                        views.participant_json(e, people.get(e.person_id or 0)) for e in entries
                    ],
                }
            )
    return out, "event_participants"


# ---- results --------------------------------------------------------------------


async def user_results(call: Call) -> Reply:
    race = await _race(call)
    _require_write(call, race)
    event = await _event(call, race)
    if not races.is_virtual(event):
        raise invalid("event_id must be for a virtual event.")
    set_id = call.params.int_param("individual_result_set_id")
    rows = uploads.rows_of(call.params.payload(), "virtual_results", "virtual_result")
    principal = call.principal(race.organization_id)
    async with call.database.write() as session:
        result_set = await sets.resolve(session, principal, event, set_id, "Virtual Results")
        receipts = await uploads.post_user_results(session, principal, event, result_set, rows)
    return {"virtual_results": receipts}, "event_individual_results_user_upload"


async def full_results(call: Call) -> Reply:
    race = await _race(call)
    _require_write(call, race)
    event = await _event(call, race)
    set_id = call.params.int_param("individual_result_set_id")
    rows = uploads.rows_of(call.params.payload(), "results", "result")
    principal = call.principal(race.organization_id)
    async with call.database.write() as session:
        result_set = await sets.resolve(session, principal, event, set_id, "Results")
        stored = await uploads.post_full_results(session, principal, race, event, result_set, rows)
    return {
        "individual_result_set_id": result_set.id,
        "results": stored,
    }, "event_individual_results_upload"


async def _readable_sets(call: Call, race: Competition, event: Competition) -> list[ResultSet]:
    async with call.database.read() as session:
        found = await sets.sets_of(session, event.id)
    set_id = call.params.int_param("individual_result_set_id")
    if set_id is not None:
        found = [s for s in found if s.id == set_id]
        if not found:
            raise RsuError(
                wire.INVALID_ID, f"Invalid individual_result_set_id {set_id} for this event."
            )
    if call.caller.may_read(race.id, race.organization_id):
        return found
    return [s for s in found if s.public]


async def _alt_events(call: Call, race: Competition, result_set: ResultSet) -> list[int] | None:
    """The set's alternate events the caller sees (None: all, for a reader of the race)."""
    if call.caller.may_read(race.id, race.organization_id):
        return None
    async with call.database.read() as session:
        shown = {e.id for e in await _shown_events(session, call.caller, race)}
    return [i for i in sets.set_settings(result_set)["alt_event_ids"] if i in shown]


async def _totals(call: Call, payload: dict[str, Any], result_set: ResultSet) -> None:
    if call.params.flag("include_total_finishers"):
        async with call.database.read() as session:
            payload["num_finishers"] = (await sets.counts(session, [result_set.id])).get(
                result_set.id, 0
            )


async def get_result_sets(call: Call) -> Reply:
    race = await _race(call)
    event = await _event(call, race)
    out = []
    for result_set in await _readable_sets(call, race, event):
        item = views.set_json(
            result_set, views.headers_for(event, []), [], await _alt_events(call, race, result_set)
        )
        await _totals(call, item, result_set)
        out.append(item)
    return _sets_reply(call, out)


async def get_results(call: Call) -> Reply:
    race = await _race(call)
    event = await _event(call, race)
    page, per_page = _paging(call.params, 100, MAX_PAGE)
    out = []
    for result_set in await _readable_sets(call, race, event):
        async with call.database.read() as session:
            rows, split_names, divisions = await views.result_rows(
                session,
                event,
                result_set,
                page=page,
                per_page=per_page,
                first_name=call.params.get("first_name"),
                last_name=call.params.get("last_name"),
                bib=call.params.get("bib_num"),
                search=call.params.get("search"),
            )
        item = views.set_json(
            result_set,
            views.headers_for(event, split_names, divisions),
            rows,
            await _alt_events(call, race, result_set),
        )
        await _totals(call, item, result_set)
        if call.params.flag("include_total_finishers") and call.params.flag(
            "include_division_finishers"
        ):
            item["num_division_finishers"] = {str(k): n for k, n in divisions.counts.items()}
        out.append(item)
    return _sets_reply(call, out)


def _sets_reply(call: Call, out: list[Any]) -> Reply:
    if call.params.fmt == "xml":
        return out, "event_individual_results"
    return {"individual_results_sets": out}, "event_individual_results"


async def _writable_event(call: Call) -> tuple[Competition, Competition, Principal]:
    race = await _race(call)
    _require_write(call, race)
    event = await _event(call, race)
    return race, event, call.principal(race.organization_id)


def _set_request(call: Call) -> dict[str, Any]:
    payload = call.params.payload()
    if (
        isinstance(payload, dict)
        and len(payload) == 1
        and isinstance(next(iter(payload.values())), dict)
    ):
        inner = next(iter(payload.values()))
        if "individual_result_set_name" not in payload:
            payload = inner  # <request>…</request>
    if not isinstance(payload, dict):
        raise invalid("The request must be an object.")
    return payload


async def new_result_set(call: Call) -> Reply:
    _race_row, event, principal = await _writable_event(call)
    name, public, settings = sets.settings_from(_set_request(call))
    if not name:
        raise invalid("individual_result_set_name is required.")
    async with call.database.write() as session:
        created = await sets.create(session, principal, event, name, public, settings)
    return {"individual_result_set_id": created.id}, "new_result_set"


async def edit_result_set(call: Call) -> Reply:
    _race_row, event, principal = await _writable_event(call)
    set_id = call.params.int_param("individual_result_set_id", required=True)
    assert set_id is not None
    name, public, settings = sets.settings_from(_set_request(call))
    async with call.database.write() as session:
        found = await sets.find(session, event, set_id)
        await sets.update(session, principal, found, name, public, settings)
    return {"individual_result_set_id": set_id}, "edit_result_set"


async def delete_result_set(call: Call) -> Reply:
    _race_row, event, principal = await _writable_event(call)
    set_id = call.params.int_param("individual_result_set_id", required=True)
    assert set_id is not None
    async with call.database.write() as session:
        found = await sets.find(session, event, set_id)
        await uploads.clear(session, principal, found)
        await resources.delete(session, principal, RESULT_SETS, found.id)
    return {"individual_result_set_id": set_id, "success": "T"}, "delete_result_set"


async def clear_results(call: Call) -> Reply:
    _race_row, event, principal = await _writable_event(call)
    set_id = call.params.int_param("individual_result_set_id", required=True)
    assert set_id is not None
    async with call.database.write() as session:
        found = await sets.find(session, event, set_id)
        cleared = await uploads.clear(session, principal, found)
    return {"individual_result_set_id": set_id, "num_results_cleared": cleared}, "clear_results"


_RESULT_ACTIONS: dict[str, tuple[str, Handler]] = {
    "user-results": ("POST", user_results),
    "full-results": ("POST", full_results),
    "get-results": ("GET", get_results),
    "get-result-sets": ("GET", get_result_sets),
    "new-result-set": ("POST", new_result_set),
    "edit-result-set": ("POST", edit_result_set),
    "delete-result-set": ("POST", delete_result_set),
    "clear-results": ("POST", clear_results),
}

ROUTES: list[tuple[re.Pattern[str], tuple[str, ...], Handler]] = [
    (re.compile(r"^login$"), ("POST",), login),
    (re.compile(r"^logout$"), ("GET", "POST"), logout),
    (re.compile(r"^races$"), ("GET",), list_races),
    (re.compile(r"^race$"), ("GET",), get_race),
    (re.compile(r"^race/([0-9]+)$"), ("GET",), get_race),
    (re.compile(r"^race/([0-9]+)/participants$"), ("GET",), participants),
]


def _match(path: str, method: str, params: Params) -> tuple[Handler, int | None]:
    path = path.strip("/").lower()
    found = re.match(r"^race/([0-9]+)/results(?:/([a-z-]+))?$", path)
    if found is not None:
        action = found[2] or params.get("request_type")  # the legacy dispatch by request_type
        if action is None or action not in _RESULT_ACTIONS:
            raise RsuError(wire.UNKNOWN_METHOD, "Unknown method.")
        verb, handler = _RESULT_ACTIONS[action]
        if method != verb:
            raise RsuError(
                wire.METHOD_NOT_SUPPORTED, "HTTP method not supported for this REST method."
            )
        return handler, _path_id(found[1])
    for pattern, verbs, handler in ROUTES:
        hit = pattern.match(path)
        if hit is None:
            continue
        if method not in verbs:
            raise RsuError(
                wire.METHOD_NOT_SUPPORTED, "HTTP method not supported for this REST method."
            )
        return handler, _path_id(hit[1]) if hit.groups() else None
    raise RsuError(wire.UNKNOWN_METHOD, "Unknown method.")


def _path_id(text: str) -> int:
    """A race id from the path; one no race can have is answered as an unknown race."""
    race_id = limits.id_of(text)
    if race_id is None:
        raise RsuError(wire.RACE_NOT_FOUND, "Race not found.")
    return race_id


_DOMAIN_CODES: dict[type[DomainError], int] = {
    NotFound: wire.INVALID_ID,
    Unauthenticated: wire.KEY_AUTH_FAILED,
    Forbidden: wire.PERMISSION_DENIED,
}


def _in_band(error: DomainError) -> RsuError:
    """The RunSignup error for a core refusal: an invalid value, an unknown id, ..."""
    code = next(
        (c for kind, c in _DOMAIN_CODES.items() if isinstance(error, kind)),
        wire.INVALID_PARAMETERS,
    )
    return RsuError(code, error.message)


def create_runsignup(settings: Settings, database: Database) -> FastAPI:
    app = FastAPI(
        title="RunSignup REST API (Podium)", openapi_url=None, docs_url=None, redoc_url=None
    )

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def dispatch(request: Request, path: str) -> Response:
        fmt = (request.query_params.get("format") or "xml").lower()
        fmt = fmt if fmt in ("json", "xml") else "xml"
        try:
            params = await collect(request, settings.max_body_bytes)
            fmt = params.fmt
            handler, race_id = _match(path, request.method, params)
            async with database.read() as session:
                caller, bump = await auth.authenticate(session, params)
            if bump is not None:
                async with database.write() as session:
                    await auth.touch(session, bump.id)
            call = Call(params, caller, database, settings, race_id)
            data, root = await handler(call)
            return render(data, fmt, root)
        except RsuError as error:
            return render_error(error, fmt)
        except DomainError as error:  # a core rule, told in RunSignup's in-band shape
            return render_error(_in_band(error), fmt)
        except Exception:
            log.exception("runsignup request failed")
            return render_error(
                RsuError(wire.UNKNOWN_ERROR, "Unknown error.", http_status=500), fmt
            )

    return app


class CaseInsensitivePrefix:
    """Route ``/rest/...``, ``/REST/Race/1/Results`` and friends to ``/Rest/...``.

    RunSignup's paths are all lower case after the prefix; clients vary the case.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = app_path(scope)
            lowered = path.lower()
            if lowered == "/rest" or lowered.startswith("/rest/"):
                scope = {k: v for k, v in scope.items() if k != "raw_path"}
                scope["path"] = scope["path"][: -len(path)] + "/Rest" + lowered[5:]
        await self.app(scope, receive, send)
