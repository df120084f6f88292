"""Event-feed routes: content negotiation, SSE resume headers, parameters, scoping."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from podium.store.database import Database
from tests.api.helpers import (
    acting_as,
    make_competition,
    make_org,
    make_person,
    make_result,
    problem,
    with_token,
)


def _sse(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    frames = response.text.split("\n\n")
    assert frames[0] == "retry: 1000"
    out = []
    for frame in frames[1:]:
        if not frame:
            continue
        fields = dict(line.split(": ", 1) for line in frame.split("\n"))
        body = orjson.loads(fields["data"])
        assert fields["id"] == body["token"] and fields["event"] == body["type"]
        out.append(body)
    return out


async def _race(api: httpx.AsyncClient) -> tuple[int, int, int]:
    org = await make_org(api, "routes")
    # Running already, so the first result adds no status event to what is counted.
    comp = await make_competition(api, org["id"], "Routes Race", status="running")
    person = await make_person(api, "Routes Runner", organization_id=org["id"])
    for ms in (1, 2, 3):
        await make_result(api, comp["id"], person_id=person["id"], elapsed_ms=ms)
    return org["id"], comp["id"], person["id"]


async def test_accept_header_selects_sse_and_last_event_id_resumes(api: httpx.AsyncClient) -> None:
    _org, comp, _ = await _race(api)
    params = {"stream": "false", "types": "result.created"}
    plain = await api.get("/event-feed", params=params)
    assert plain.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(x) for x in plain.content.splitlines()]
    sse = _sse(await api.get("/event-feed", params=params, headers={"Accept": "text/event-stream"}))
    assert sse == lines
    assert _sse(await api.get("/event-feed/sse", params=params)) == lines
    after_first = {"Last-Event-ID": lines[0]["token"]}
    for path, extra in (("/event-feed", {"Accept": "text/event-stream"}), ("/event-feed/sse", {})):
        resumed = _sse(await api.get(path, params=params, headers={**after_first, **extra}))
        assert resumed == lines[1:]
    # An explicit since_token wins over the header.
    chosen = {**params, "since_token": lines[1]["token"]}
    assert _sse(await api.get("/event-feed/sse", params=chosen, headers=after_first)) == lines[2:]
    # NDJSON ignores Last-Event-ID: only SSE clients send it.
    again = await api.get("/event-feed", params=params, headers=after_first)
    assert [orjson.loads(x) for x in again.content.splitlines()] == lines
    assert [e["data"]["elapsed_ms"] for e in lines] == [1, 2, 3]
    assert {e["competition_id"] for e in lines} == {comp}


async def test_parameters_are_checked(api: httpx.AsyncClient) -> None:
    for params in (
        {"keepalive": "0"},
        {"keepalive": "61"},
        {"competition_id": "0"},
        {"organization_id": "-1"},
        {"since_token": "p"},
        {"since_token": "p1x"},
        {"since_token": "1"},
    ):
        problem(await api.get("/event-feed", params={"stream": "false", **params}), 422)
    problem(await api.get("/event-feed/sse", params={"since_token": "nope"}), 422)
    problem(
        await api.get(
            "/event-feed/sse", params={"stream": "false"}, headers={"Last-Event-ID": "x"}
        ),
        422,
    )
    missing = await api.get("/event-feed", params={"stream": "false", "competition_id": 99999})
    problem(missing, 404)
    nothing = await api.get("/event-feed", params={"stream": "false", "types": "nosuchkind"})
    assert nothing.status_code == 200 and nothing.content == b""


async def test_anonymous_and_scoped_readers(
    api: httpx.AsyncClient, app: Any, database: Database
) -> None:
    org, comp, _ = await _race(api)
    other = await make_org(api, "elsewhere")
    theirs = await make_competition(api, other["id"], "Theirs")
    async with acting_as(app, None) as anonymous:
        problem(await anonymous.get("/event-feed/sse", params={"stream": "false"}), 401)
        by_org = {"stream": "false", "organization_id": org}
        problem(await anonymous.get("/event-feed", params=by_org), 401)
        seen = _sse(
            await anonymous.get(
                "/event-feed/sse", params={"stream": "false", "competition_id": comp}
            )
        )
        assert len(seen) == 4 and {e["competition_id"] for e in seen} == {comp}
    async with with_token(app, database, ["read"], organization_id=org) as reader:
        own = await reader.get("/event-feed", params={"stream": "false"})
        assert {orjson.loads(x)["organization_id"] for x in own.content.splitlines()} == {org}
        asked = await reader.get(
            "/event-feed", params={"stream": "false", "organization_id": other["id"]}
        )
        assert asked.status_code in (403, 404)
        foreign = await reader.get(
            "/event-feed", params={"stream": "false", "competition_id": theirs["id"]}
        )
        assert foreign.status_code in (403, 404)
    async with acting_as(app, "not-a-real-token") as bad:
        problem(
            await bad.get("/event-feed", params={"stream": "false", "competition_id": comp}), 401
        )
