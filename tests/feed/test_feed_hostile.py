"""The event feed against hostile filters and odd stored events, over real HTTP.

A bad filter (NUL bytes, integers beyond 64 bits, 5000 digits, NaN) must be refused
with a problem+json 4xx *before* any 200 headers go out: a feed that answers 200 and
then fails while streaming leaves the client with a broken connection and no reason.
And an event whose stored payload is odd (NUL, an integer of 30 digits, nesting
deeper than the serialiser's limit, a lone surrogate, an array instead of an object,
a kind with a line break) must not stop the feed: every event is still sent, the
odd one and those after it, as well-formed NDJSON lines and SSE frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from podium.store.database import Database
from podium.store.tables import Event
from tests.conftest import LiveServer, make_token
from tests.fuzzing import TIMEOUT, ServerLog, Store, body_head, short

PROBLEM = "application/problem+json"

# Filters every feed route must refuse up front.
HOSTILE_FILTERS: list[dict[str, str]] = [
    {"types": "result\x00"},
    {"types": "\x00"},
    {"types": "result.created,a\x00b"},
    {"types": "result.*\x00"},
    {"since_token": "p1\x00"},
    {"since_token": "p\x00"},
    {"since_token": "p" + "9" * 19},
    {"since_token": "p" + "9" * 5000},
    {"organization_id": str(2**63)},
    {"organization_id": str(2**64)},
    {"organization_id": "9" * 5000},
    {"organization_id": "1\x00"},
    {"organization_id": "²"},
    {"competition_id": str(2**64)},
    {"competition_id": "-" + str(2**63 + 1)},
    {"competition_id": "\x00"},
    {"keepalive": "NaN"},
    {"keepalive": "inf"},
    {"keepalive": "1e309"},
    {"keepalive": "9" * 5000},
    {"stream": "\x00"},
]
# Filters that may be answered either way, but never with a 5xx or a broken stream.
ODD_FILTERS: list[dict[str, str]] = [
    {"types": "x" * 5000},
    {"types": "," * 1000},
    {"types": "é,ü.*,😀"},
    {"since_token": "p0"},
    {"since_token": "p" + "9" * 18},
]


@dataclass(frozen=True)
class Route:
    label: str
    path: str
    headers: dict[str, str]


ROUTES = [
    Route("NDJSON", "/api/v1/event-feed", {}),
    Route("SSE by Accept", "/api/v1/event-feed", {"Accept": "text/event-stream"}),
    Route("SSE route", "/api/v1/event-feed/sse", {}),
]


@pytest.fixture
def http(live_server: LiveServer, database: Database) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as client:
        yield client


def _admin(database_url: str) -> str:
    with Store(database_url) as store:
        return store.run(make_token(store.db, ["admin"]))


def _answer(
    http: httpx.Client,
    route: Route,
    params: dict[str, str],
    extra: dict[str, str],
    *,
    follow: bool = False,
) -> str:
    """What the feed answered, as a problem for the report, or "" when it is right.

    ``follow``: the request follows the feed, so a 200 would never end; only its
    headers are looked at.
    """
    headers = {**route.headers, **extra}
    try:
        with http.stream("GET", route.path, params=params, headers=headers) as response:
            status = response.status_code
            if status < 400 and follow:
                return f"{status}: a following feed started instead of refusing"
            if status < 400:
                # Headers went out as a success: read what follows (the stream ends, or breaks).
                try:
                    head = response.read()[:300]
                except httpx.HTTPError as exc:
                    return (
                        f"{status} then the stream broke: {type(exc).__name__}: {short(str(exc))}"
                    )
                return f"{status} before refusing: {head!r}"
            response.read()
            ctype = response.headers.get("content-type", "")
            if status >= 500 or not ctype.startswith(PROBLEM):
                return f"{status} {ctype}: {body_head(response)}"
            problem = response.json()
            if problem.get("status") != status:
                return f"{status} with problem status {problem.get('status')}"
            return ""
    except httpx.TimeoutException as exc:
        return f"no answer in {TIMEOUT.read} s: {exc!r}"
    except httpx.TransportError as exc:
        return f"connection failed: {type(exc).__name__}: {short(str(exc))}"


def test_hostile_filters_are_refused_before_any_200(
    http: httpx.Client, database_url: str, database: Database
) -> None:
    auth = {"Authorization": f"Bearer {_admin(database_url)}"}
    failures = []
    for route in ROUTES:
        for params in HOSTILE_FILTERS:
            # Once as a snapshot (stream=false ends a 200), once following (the default):
            # a follow that answered 200 would never end, so only its headers are read.
            for follow in (False, True):
                query = dict(params)
                if not follow:
                    query.setdefault("stream", "false")
                problem = _answer(
                    http, route, query, auth, follow=follow and "stream" not in params
                )
                if problem:
                    failures.append(f"{route.label} {short(query, 120)}: {problem}")
        # Anonymous readers name one public competition; a hostile one is refused as well.
        for params in ({"competition_id": str(2**64)}, {"competition_id": "1\x00"}):
            if (problem := _answer(http, route, {**params, "stream": "false"}, {})) != "":
                failures.append(f"{route.label} anonymous {short(params, 120)}: {problem}")
        last_event = {"Last-Event-ID": "p" + "9" * 5000}
        query = {"stream": "false"}
        if route.label != "NDJSON" and (
            problem := _answer(http, route, query, {**auth, **last_event})
        ):
            failures.append(f"{route.label} Last-Event-ID of 5000 digits: {problem}")
    assert not failures, f"{len(failures)} feed answers were wrong:\n" + "\n".join(failures)


def test_odd_filters_never_fail(http: httpx.Client, database_url: str, database: Database) -> None:
    auth = {"Authorization": f"Bearer {_admin(database_url)}"}
    failures = []
    for route in ROUTES:
        for params in ODD_FILTERS:
            query = {**params, "stream": "false"}
            try:
                response = http.get(route.path, params=query, headers={**route.headers, **auth})
            except httpx.HTTPError as exc:
                failures.append(f"{route.label} {short(query, 80)}: {type(exc).__name__}: {exc}")
                continue
            fine = response.status_code == 200 or (
                400 <= response.status_code < 500
                and response.headers.get("content-type", "").startswith(PROBLEM)
            )
            if not fine:
                failures.append(
                    f"{route.label} {short(query, 80)}: {response.status_code} "
                    f"{body_head(response)}"
                )
    assert not failures, "\n".join(failures)


# ---- odd stored events -----------------------------------------------------------------


@dataclass(frozen=True)
class Odd:
    label: str
    payload: str  # JSON text, stored as it is
    kind: str = "person"
    sqlite_only: bool = False  # PostgreSQL's jsonb cannot hold it at all


ODD_EVENTS = [
    Odd("NUL in text", '{"id": 1, "name": "a\\u0000b"}', sqlite_only=True),
    Odd("30-digit integer", '{"id": 2, "n": 100000000000000000000000000000}'),
    Odd("number beyond float", '{"id": 3, "n": 1e400}'),
    Odd("nested 300 deep", '{"id": 4, "a": ' + "[" * 300 + "]" * 300 + "}"),
    Odd("lone surrogate", '{"id": 5, "name": "\\ud800"}', sqlite_only=True),
    Odd("array payload", "[1, 2, 3]"),
    Odd("text payload", '"just text"'),
    Odd("attributes not an object", '{"id": 6, "attributes": [1]}', kind="result"),
    Odd("kind with a line break", '{"id": 7}', kind="person\nevent: injected"),
]


async def _insert(db: Database, odd: Odd) -> int | None:
    """Store one event with ``odd.payload`` as its JSON text; its seq, or None if refused."""
    sqlite = db.backend == "sqlite"
    try:
        async with db.write() as session:
            seq = int((await session.scalar(select(func.coalesce(func.max(Event.seq), 0)))) or 0)
            seq += 1
            now = datetime.now(UTC)
            values: tuple[Any, ...] = (
                seq,
                "person.updated",
                odd.kind,
                1,
                None,
                None,
                "fuzz",
                odd.payload,
                now.replace(tzinfo=None).isoformat(sep=" ") if sqlite else now,
            )
            marks = (
                "?, ?, ?, ?, ?, ?, ?, ?, ?"
                if sqlite
                else "$1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9"
            )
            connection = await session.connection()
            await connection.exec_driver_sql(
                'INSERT INTO "events" (seq, type, object_kind, object_id, organization_id, '
                f"competition_id, actor, payload, created_at) VALUES ({marks})",
                values,
            )
    except DBAPIError:
        return None
    return seq


def _ndjson(response: httpx.Response) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in response.content.splitlines() if line.strip()]


def _sse(response: httpx.Response) -> list[dict[str, Any]]:
    frames = [f for f in response.text.split("\n\n") if f and not f.startswith(("retry:", ":"))]
    out = []
    for frame in frames:
        fields: dict[str, str] = {}
        for line in frame.split("\n"):
            name, _, value = line.partition(": ")
            assert name in ("id", "event", "data"), f"a stray line in an SSE frame: {frame!r}"
            assert name not in fields, f"a field twice in one SSE frame: {frame!r}"
            fields[name] = value
        body = orjson.loads(fields["data"])
        assert fields["id"] == body["token"], frame
        out.append(body)
    return out


def _read(http: httpx.Client, route: Route, params: dict[str, str], auth: dict[str, str]) -> Any:
    """The feed's events, or a text saying what went wrong."""
    try:
        response = http.get(route.path, params=params, headers={**route.headers, **auth})
        response.read()
    except httpx.HTTPError as exc:
        return f"the stream broke: {type(exc).__name__}: {short(str(exc), 120)}"
    if response.status_code != 200:
        return f"{response.status_code} {body_head(response)}"
    try:
        if "event-stream" in response.headers["content-type"]:
            return _sse(response)
        return _ndjson(response)
    except (AssertionError, ValueError, KeyError) as exc:
        return f"a malformed line or frame: {short(str(exc), 200)}"


def test_odd_stored_events_still_stream(
    http: httpx.Client, database_url: str, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    auth = {"Authorization": f"Bearer {_admin(database_url)}"}
    log = ServerLog(caplog)
    failures = []
    stored = []
    with Store(database_url) as store:
        for odd in ODD_EVENTS:
            if odd.sqlite_only and database.backend != "sqlite":
                continue
            seq = store.run(_insert(store.db, odd))
            if seq is None:
                continue  # this backend cannot hold it: it can never be in the feed
            stored.append(odd.label)
            for route in ROUTES:
                mark = log.mark()
                events = _read(http, route, {"stream": "false", "since_token": f"p{seq - 1}"}, auth)
                if isinstance(events, str):
                    log.await_error(mark)
                    logged = log.since(mark)
                    failures.append(
                        f"{odd.label} ({route.label}): {events}"
                        + (f"\n    server logged: {logged}" if logged else "")
                    )
                elif [e["token"] for e in events] != [f"p{seq}"]:
                    failures.append(f"{odd.label} ({route.label}): sent {short(events, 200)}")
    assert stored, "no odd event could be stored"
    after = http.post(
        "/api/v1/organizations", json={"slug": "after-odd", "name": "After"}, headers=auth
    )
    assert after.status_code == 201, after.text
    for route in ROUTES:  # the whole feed, odd events and all, up to the newest
        events = _read(http, route, {"stream": "false"}, auth)
        if isinstance(events, str):
            failures.append(f"the whole feed ({route.label}): {events}")
        elif not any(e["op"] == "organization.created" and e["id"] == str(after.json()["id"])
                     for e in events):  # fmt: skip
            failures.append(
                f"the whole feed ({route.label}): the event after the odd ones is missing"
            )
    assert not failures, (
        f"feed with odd stored events on {database.backend} "
        f"(stored: {', '.join(stored)}):\n" + "\n".join(failures)
    )
