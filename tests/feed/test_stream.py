"""The event feed: NDJSON and SSE over real HTTP, resume by token across a restart,
gap-free under concurrent writers, filters and visibility."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson

from podium.config import Settings
from podium.feed import stream
from podium.store.database import Database
from tests.api.helpers import make_competition, make_org, make_person, make_result, ok
from tests.conftest import PATIENT, LiveServer, make_token


async def setup(api: httpx.AsyncClient, public: bool = True) -> tuple[int, int, int]:
    org = await make_org(api, "feed-club")
    # Running already: the first result adds no status event to what is counted.
    comp = await make_competition(api, org["id"], "Feed Race", public=public, status="running")
    person = await make_person(api, "Runner", organization_id=org["id"])
    return org["id"], comp["id"], person["id"]


async def lines(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/event-feed", params={"stream": "false", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [orjson.loads(line) for line in response.content.splitlines() if line.strip()]


async def test_lines_and_resume(api: httpx.AsyncClient) -> None:
    _org, comp, person = await setup(api)
    first = await lines(api)
    ops = [e["op"] for e in first]
    assert ops[-3:] == ["organization.created", "competition.created", "person.created"]
    seqs = [stream.parse_token(e["token"]) for e in first]
    assert seqs == list(range(1, len(first) + 1))
    result = await make_result(api, comp, person_id=person, elapsed_ms=61_000)
    ok(await api.delete(f"/results/{result['id']}"), 204)
    later = await lines(api, since_token=first[-1]["token"])
    assert [(e["type"], e["op"], e["id"]) for e in later] == [
        ("results", "result.created", str(result["id"])),
        ("results", "result.deleted", str(result["id"])),
    ]
    assert later[0]["data"]["elapsed_ms"] == 61_000 and later[0]["competition_id"] == comp
    assert later[1]["data"] is None
    assert await lines(api, since_token=later[-1]["token"]) == []


async def test_filters(api: httpx.AsyncClient) -> None:
    org, comp, person = await setup(api)
    other = await make_competition(api, org, "Other Race")
    await make_result(api, comp, person_id=person, elapsed_ms=1000)
    await make_result(api, other["id"], person_id=person, elapsed_ms=2000)
    mine = await lines(api, competition_id=comp)
    assert {e["competition_id"] for e in mine} == {comp}
    results = await lines(api, types="results")
    assert [e["data"]["elapsed_ms"] for e in results] == [1000, 2000]
    assert await lines(api, types="result.*") == results
    assert await lines(api, types="result.created,person") == [
        *[e for e in await lines(api) if e["op"] in ("person.created", "result.created")]
    ]


async def test_bad_token_and_visibility(
    api: httpx.AsyncClient, client: httpx.AsyncClient, database: Database
) -> None:
    org, comp, _person = await setup(api)
    hidden = await make_competition(api, org, "Hidden", public=False)
    bad = await api.get("/event-feed", params={"since_token": "nope", "stream": "false"})
    assert bad.status_code == 422 and "since_token" in bad.text
    anonymous = httpx.AsyncClient(transport=client._transport, base_url="http://podium.test/api/v1")
    async with anonymous:
        assert (await anonymous.get("/event-feed", params={"stream": "false"})).status_code == 401
        missing = await anonymous.get(
            "/event-feed", params={"stream": "false", "competition_id": hidden["id"]}
        )
        assert missing.status_code == 404
        # A public round of a hidden season stays hidden too.
        round_ = await make_competition(api, org, "Round", parent_id=hidden["id"])
        params = {"stream": "false", "competition_id": round_["id"]}
        assert (await anonymous.get("/event-feed", params=params)).status_code == 404
        seen = await lines(anonymous, competition_id=comp)
        assert {e["competition_id"] for e in seen} == {comp}
    # An organization's token sees its own organization only.
    elsewhere = await make_org(api, "elsewhere")
    await make_competition(api, elsewhere["id"], "Theirs")
    token = await make_token(database, ["read"], organization_id=org)
    scoped = httpx.AsyncClient(
        transport=client._transport,
        base_url="http://podium.test/api/v1",
        headers={"Authorization": f"Bearer {token}"},
    )
    async with scoped:
        assert {e["organization_id"] for e in await lines(scoped)} == {org}


async def test_concurrent_writers_give_a_gap_free_ordered_feed(api: httpx.AsyncClient) -> None:
    _org, comp, person = await setup(api)
    before = await lines(api)

    async def writer(offset: int) -> None:
        for n in range(15):
            await make_result(api, comp, person_id=person, elapsed_ms=offset + n)

    await asyncio.gather(writer(10_000), writer(20_000), writer(30_000))
    feed = await lines(api, since_token=before[-1]["token"])
    seqs = [stream.parse_token(e["token"]) for e in feed]
    assert seqs == list(range(seqs[0], seqs[0] + 45)) and seqs[0] == len(before) + 1
    times = sorted(e["data"]["elapsed_ms"] for e in feed)
    assert times == sorted([o + n for o in (10_000, 20_000, 30_000) for n in range(15)])


def _read_until(response: httpx.Response, wanted: int, timeout: float = 10) -> list[bytes]:
    """Raw lines from a streaming response until ``wanted`` non-empty ones arrived."""
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    for raw in response.iter_lines():
        got.append(raw.encode())
        if sum(1 for g in got if g.strip()) >= wanted or time.monotonic() > deadline:
            break
    return got


async def test_resume_after_a_restart_returns_exactly_the_missing_events(
    settings: Settings, database: Database, admin_token: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with LiveServer(settings) as server:
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            _org, comp, person = await setup(api)
            await make_result(api, comp, person_id=person, elapsed_ms=1)
            seen = await lines(api)
    # Changes made while no server runs (another worker, the CLI) ...
    with LiveServer(settings) as server:
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            for n in range(2, 5):
                await make_result(api, comp, person_id=person, elapsed_ms=n)
    # ... and a client that comes back to a restarted server gets exactly those.
    with LiveServer(settings) as server:
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            missed = await lines(api, since_token=seen[-1]["token"])
    assert [e["data"]["elapsed_ms"] for e in missed] == [2, 3, 4]
    assert stream.parse_token(missed[0]["token"]) == stream.parse_token(seen[-1]["token"]) + 1


async def test_live_ndjson_and_keepalive(
    settings: Settings, database: Database, admin_token: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with LiveServer(settings) as server:
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            _org, comp, person = await setup(api)
            start = (await lines(api))[-1]["token"]

        def watch() -> tuple[list[bytes], float]:
            with (
                httpx.Client(headers=headers, timeout=10) as http,
                http.stream(
                    "GET",
                    f"{server.url}/api/v1/event-feed",
                    params={"since_token": start, "keepalive": "0.3"},
                ) as response,
            ):
                got = _read_until(response, 1)
                return got, time.monotonic()

        watcher = asyncio.create_task(asyncio.to_thread(watch))
        await asyncio.sleep(1.0)  # long enough for keep-alives before the change
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            written = time.monotonic()
            await make_result(api, comp, person_id=person, elapsed_ms=5)
        got, arrived = await asyncio.wait_for(watcher, 15)
    assert b"" in got  # keep-alive newlines came first
    event = orjson.loads(next(g for g in got if g.strip()))
    assert event["op"] == "result.created"
    assert arrived - written < 1.0


async def test_sse_for_a_public_competition_anonymously(
    settings: Settings, database: Database, admin_token: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    with LiveServer(settings) as server:
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            _org, comp, person = await setup(api)
            await make_result(api, comp, person_id=person, elapsed_ms=7)
            await make_result(api, comp, person_id=person, elapsed_ms=8)

        def read(last_event_id: str | None) -> list[str]:
            extra = {"Last-Event-ID": last_event_id} if last_event_id else {}
            with (
                httpx.Client(timeout=10) as http,
                http.stream(
                    "GET",
                    f"{server.url}/api/v1/event-feed/sse",
                    params={"competition_id": comp},
                    headers=extra,
                ) as response,
            ):
                assert response.headers["content-type"].startswith("text/event-stream")
                frames: list[str] = []
                for text in response.iter_lines():
                    frames.append(text)
                    if sum(1 for f in frames if f.startswith("data: ")) >= 2:
                        break
                return frames

        frames = await asyncio.to_thread(read, None)
        assert frames[0] == "retry: 1000"
        ids = [f.removeprefix("id: ") for f in frames if f.startswith("id: ")]
        events = [f.removeprefix("event: ") for f in frames if f.startswith("event: ")]
        data = [orjson.loads(f.removeprefix("data: ")) for f in frames if f.startswith("data: ")]
        assert events == ["competitions", "results"]
        assert [d["token"] for d in data] == ids
        # EventSource reconnects with Last-Event-ID and continues after it.
        resumed = await asyncio.to_thread(read, ids[0])
        payloads = [orjson.loads(f[6:]) for f in resumed if f.startswith("data: ")]
        assert [p["data"]["elapsed_ms"] for p in payloads] == [7, 8]
