"""HEAD wherever GET answers, and complete ``Allow`` headers on 405s, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route
from starlette.types import Message

from podium.config import Settings
from podium.http_head import HeadMiddleware
from podium.store.database import Database
from tests.conftest import LiveServer
from tests.dialects.nadeo.conftest import Nadeo

# Headers that may differ between two answers to the same request.
VOLATILE = {"date", "transfer-encoding"}
# A safety net, not a measure: a HEAD that waited for an endless stream would hit it.
PATIENCE = httpx.Timeout(60.0)


def _same_headers(got: httpx.Headers, want: httpx.Headers) -> dict[str, str]:
    return {k: v for k, v in want.items() if k not in VOLATILE and got.get(k) != v}


@pytest.fixture
async def routes(live_server: LiveServer, database: Database, settings: Settings) -> dict[str, str]:
    """One GET route of every mount, with the credentials it needs."""
    nadeo = Nadeo(live_server, database, settings)
    author = await nadeo.account("Author")
    uid = await nadeo.map("H01", author)
    core = (await nadeo.tokens(author, audience=None))["accessToken"]
    live = (await nadeo.tokens(author))["accessToken"]
    return {
        "/healthz": "",
        "/static/podium.css": "",
        "/": "",
        "/api/v1/organizations": "admin",
        "/polympics/accounts/signups": "",
        "/Rest/races?format=json": "",
        "/rest/races?format=json": "",
        "/mgp/multigpwebservice/race/view": "",
        "/mooshak/api/data/contests": "",
        "/nadeo/core/zones/": f"nadeo_v1 t={core}",
        f"/nadeo/live/api/token/map/{uid}": f"nadeo_v1 t={live}",
    }


def _auth(value: str, admin_token: str) -> dict[str, str]:
    if value == "admin":
        return {"Authorization": f"Bearer {admin_token}"}
    return {"Authorization": value} if value else {}


async def test_head_answers_as_get_on_every_mount(
    live_server: LiveServer, routes: dict[str, str], admin_token: str
) -> None:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=PATIENCE) as http:
        for path, credential in routes.items():
            headers = _auth(credential, admin_token)
            got = await http.get(path, headers=headers)
            head = await http.head(path, headers=headers)
            assert head.status_code == got.status_code, path
            assert head.content == b"", path
            assert head.headers["content-length"] == str(len(got.content)), path
            assert _same_headers(head.headers, got.headers) == {}, path


async def test_head_of_an_endless_feed_ends_at_once(
    live_server: LiveServer, admin_token: str
) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=live_server.url, timeout=PATIENCE) as http:
        for path, accept, kind in (
            ("/api/v1/event-feed", "application/x-ndjson", "application/x-ndjson"),
            ("/api/v1/event-feed", "text/event-stream", "text/event-stream"),
            ("/api/v1/event-feed/sse", "*/*", "text/event-stream"),
        ):
            head = await http.head(path, headers={**auth, "Accept": accept})
            assert head.status_code == 200 and head.content == b"", path
            assert head.headers["content-type"].startswith(kind), path
            assert head.headers["cache-control"] == "no-cache"
        # The connection is still good for the next request: nothing was left half sent.
        assert (await http.get("/healthz")).status_code == 200
        denied = await http.head("/api/v1/event-feed")
        assert denied.status_code == 401 and denied.content == b""


async def test_405_names_every_method_of_the_path(
    live_server: LiveServer, admin_token: str
) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    cases = [
        # (method, path, Allow): no GET route, so no HEAD either.
        ("HEAD", "/nadeo/core/v2/authentication/token/basic", "POST"),
        ("GET", "/nadeo/core/v2/authentication/token/basic", "POST"),
        ("POST", "/nadeo/live/api/token/campaign/month", "GET, HEAD"),
        ("POST", "/healthz", "GET, HEAD"),
        ("POST", "/static/podium.css", "GET, HEAD"),
        ("PUT", "/", "GET, HEAD"),
        # Several routes share the path: all of them count, not the first only.
        ("DELETE", "/api/v1/organizations", "GET, HEAD, POST"),
        ("DELETE", "/mooshak/api/data/contests", "GET, HEAD, POST"),
        ("POST", "/polympics/accounts/signups", "GET, HEAD"),
        # A dispatcher that takes the method and refuses it for this action.
        ("GET", "/mgp/multigpwebservice/race/view", "POST, PUT"),
        ("HEAD", "/mgp/multigpwebservice/race/view", "POST, PUT"),
    ]
    async with httpx.AsyncClient(base_url=live_server.url, timeout=PATIENCE) as http:
        for method, path, allow in cases:
            response = await http.request(method, path, headers=auth)
            assert (response.status_code, response.headers.get("allow")) == (405, allow), (
                method,
                path,
            )
            if method == "HEAD":
                assert response.content == b""


@pytest.mark.parametrize("spec_version", ["2.3", "2.4"])
async def test_head_stops_an_endless_stream_while_the_client_stays(spec_version: str) -> None:
    """The app itself ends, not only the answer: a client that keeps its connection open
    must not leave a stream running on the server, whatever ASGI version it speaks."""
    never = anyio.Event()

    async def endless(_request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"first\n"
            await never.wait()  # like a feed waiting for the next event
            yield b"never\n"

        return StreamingResponse(body(), media_type="application/x-ndjson")

    app = HeadMiddleware(Starlette(routes=[Route("/feed", endless)]))
    sent: list[Message] = []

    async def receive() -> Message:
        await never.wait()  # the client never leaves
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "method": "HEAD",
        "scheme": "http",
        "path": "/feed",
        "raw_path": b"/feed",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"podium.test")],
        "server": ("podium.test", 80),
        "client": ("127.0.0.1", 1),
    }
    with anyio.fail_after(60):  # a safety net: the call returns at once
        await app(scope, receive, send)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200 and sent[1] == {
        "type": "http.response.body",
        "body": b"",
        "more_body": False,
    }
