"""A real ``podium serve`` under ``/podium`` behind a small real reverse proxy.

The proxy (written here: a threaded HTTP server) strips ``/podium``, connects from
127.0.0.2, the one trusted address, and sets ``X-Forwarded-For/-Proto/-Host/-Prefix``,
streaming responses as they come (server-sent events included). Chromium then uses
the site only through the proxy: the live page must follow a result recorded
meanwhile, and the console's links, forms, redirects and cookies must stay under
``/podium``. Requests straight from 127.0.0.1 are not from a trusted proxy, so their
forwarding headers must change nothing.
"""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import ValidationError
from sqlalchemy import select

from podium import demo
from podium.config import Settings
from podium.core import accounts
from podium.core.principal import SYSTEM
from podium.dialects.runsignup import auth
from podium.proxy import Forwarded
from podium.store.database import Database
from podium.store.tables import Competition
from tests.browsing import DESKTOP, in_thread
from tests.conftest import PATIENT
from tests.processes import ServeProcess

PREFIX = "/podium"
PROXY_SOURCE = "127.0.0.2"  # Linux answers the whole of 127/8 on loopback
OWNER, PASSWORD = "owner@harbor.example", "owner password 1"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"}


class Proxy:
    """Forwards ``/podium/...`` to ``backend`` without the prefix, as nginx or Caddy would."""

    def __init__(self, backend_port: int, proto: str = "http") -> None:
        self.backend_port = backend_port
        self.proto = proto
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            # One response per connection: the end of a stream is the end of the body.
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: Any) -> None:
                pass

            def forward(self) -> None:
                proxy.relay(self)

            do_GET = do_POST = do_HEAD = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{PREFIX}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def relay(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path != PREFIX and not handler.path.startswith(PREFIX + "/"):
            handler.send_error(404)
            return
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        earlier = handler.headers.get("X-Forwarded-For")
        client = handler.client_address[0]
        headers["X-Forwarded-For"] = f"{earlier}, {client}" if earlier else client
        headers["X-Forwarded-Proto"] = self.proto
        headers["X-Forwarded-Host"] = handler.headers.get("Host", "")
        headers["X-Forwarded-Prefix"] = PREFIX
        upstream = http.client.HTTPConnection(
            "127.0.0.1", self.backend_port, timeout=60, source_address=(PROXY_SOURCE, 0)
        )
        try:
            upstream.request(
                handler.command, handler.path[len(PREFIX) :] or "/", body=body, headers=headers
            )
            response = upstream.getresponse()
            handler.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    handler.send_header(name, value)
            handler.end_headers()
            while chunk := response.read1(65536):
                handler.wfile.write(chunk)
                handler.wfile.flush()
        except (OSError, http.client.HTTPException):
            pass  # the browser left (a closed live page), or the server did
        finally:
            upstream.close()

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Site:
    server: ServeProcess
    proxy: Proxy
    ids: dict[str, int]
    key: dict[str, str]

    def record(self, bib: int, clock: str) -> None:
        """A finish time through RunSignup, through the proxy (``/rest`` in lower case)."""
        request = {"results": [{"bib": bib, "clock_time": clock}]}
        response = httpx.post(
            f"{self.proxy.url}/rest/race/{self.ids['Harbor Lights 10K']}/results/full-results",
            params={"format": "json", **self.key},
            data={
                "event_id": str(self.ids["10K"]),
                "request_format": "json",
                "request": json.dumps(request),
            },
            timeout=30,
        )
        assert response.status_code == 200 and "results" in response.json(), response.text

    def requests_logged(self, path: str) -> list[dict[str, Any]]:
        lines = self.server.log_lines()
        return [line for line in lines if line.get("msg") == "request" and line["path"] == path]


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("proxy")
    path = folder / "podium.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> tuple[dict[str, int], dict[str, str]]:
        database = Database(url)
        try:
            await demo.load(database)
            async with database.write() as session:
                ids = dict((await session.execute(select(Competition.name, Competition.id))).all())
                race = await session.get(Competition, ids["Harbor Lights 10K"])
                assert race is not None
                api_key, api_secret = await auth.create_key(session, race.id, race.organization_id)
                user = accounts.UserCreate(email=OWNER, password=PASSWORD)
                await accounts.create_user(session, SYSTEM, user)
        finally:
            await database.dispose()
        return ids, {"api_key": api_key, "api_secret": api_secret}

    ids, key = in_thread(prepare)
    env = {
        "PODIUM_DATABASE_URL": url,
        "PODIUM_ROOT_PATH": PREFIX,
        "PODIUM_TRUSTED_PROXIES": PROXY_SOURCE,
        "PODIUM_REDIS_URL": "",
    }
    with ServeProcess(folder, env) as server, Proxy(server.port) as proxy:
        yield Site(server, proxy, ids, key)


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def test_live_page_follows_a_result_through_the_proxy(page: Page, site: Site) -> None:
    page.goto(f"{site.proxy.url}/competitions/{site.ids['10K']}")
    board = page.locator("#live-board")
    fragment = board.get_attribute("data-fragment") or ""
    feed = board.get_attribute("data-feed") or ""
    assert fragment.startswith(f"{PREFIX}/competitions/") and feed.startswith(f"{PREFIX}/api/v1/")
    sheets = page.locator("link[rel=stylesheet]").evaluate_all(
        "links => links.map(l => l.getAttribute('href'))"
    )
    assert f"{PREFIX}/static/podium.css" in sheets
    assert all(sheet.startswith(f"{PREFIX}/static/") for sheet in sheets), sheets
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=10000)
    tom = page.locator("#live-board tbody tr", has_text="Tom Walsh")
    expect(tom).to_contain_text("DNF")
    site.record(108, "0:39:00.000")
    expect(tom).to_contain_text("39:00.0", timeout=5000)
    assert page.evaluate("window.podiumLive.events") >= 1  # the SSE feed, through the proxy
    for href in page.locator("a[href^='/']").evaluate_all("els => els.map(e => e.pathname)"):
        assert href.startswith(PREFIX + "/"), href


def test_console_stays_under_the_prefix(page: Page, site: Site) -> None:
    page.goto(f"{site.proxy.url}/console/account")
    # Sent to log in first, under the prefix, and back to the page after.
    assert page.url.endswith(f"{PREFIX}/console/login?next=/console/account"), page.url
    form = page.locator("form[method=post]")
    assert form.get_attribute("action") == f"{PREFIX}/console/login"
    paths = page.locator("a[href^='/'], link[href^='/'], script[src^='/']").evaluate_all(
        "els => els.map(e => new URL(e.href || e.src, location.href).pathname)"
    )
    assert paths and all(p.startswith(PREFIX + "/") for p in paths), paths
    page.fill("input[name=email]", OWNER)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[method=post] button[type=submit]")
    expect(page.locator("h1")).to_be_visible()
    assert page.url.endswith(f"{PREFIX}/console/account"), page.url
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["podium_console"]["path"] == f"{PREFIX}/console"
    assert cookies["podium_console"]["secure"] is False  # the proxy said http


def test_https_from_the_trusted_proxy_makes_cookies_secure(site: Site) -> None:
    with Proxy(site.server.port, proto="https") as secure:
        response = httpx.get(f"{secure.url}/console/login", timeout=PATIENT)
    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 200
    assert "secure" in cookie and f"path={PREFIX}/console" in cookie


def test_forwarding_headers_from_anyone_else_change_nothing(site: Site) -> None:
    forged = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Prefix": "/evil",
    }
    # Straight from 127.0.0.1, which is not a trusted proxy here; the prefix setting
    # still holds, and the path works with the prefix kept or stripped.
    for path in (f"{PREFIX}/console/login", "/console/login"):
        response = httpx.get(f"{site.server.url}{path}", headers=forged, timeout=PATIENT)
        assert response.status_code == 200
        assert f'action="{PREFIX}/console/login"' in response.text and "/evil" not in response.text
        assert "secure" not in response.headers["set-cookie"].lower()
    logged = site.requests_logged(f"{PREFIX}/console/login")
    assert logged and all(line["client"] == "127.0.0.1" for line in logged), logged
    # Through the proxy a forged hop is also ignored: the proxy's own word is believed.
    proxied = httpx.get(
        f"{site.proxy.url}/healthz", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=PATIENT
    )
    assert proxied.status_code == 200
    assert [line["client"] for line in site.requests_logged(f"{PREFIX}/healthz")][-1] == "127.0.0.1"


def test_redirects_and_dialects_under_the_prefix(site: Site) -> None:
    response = httpx.get(f"{site.proxy.url}/console/", timeout=PATIENT)
    assert response.status_code == 303
    assert response.headers["location"] == f"{PREFIX}/console/login?next=/console/"
    openapi = httpx.get(f"{site.proxy.url}/api/v1/openapi.json", timeout=PATIENT)
    assert openapi.status_code == 200
    races = httpx.get(
        f"{site.proxy.url}/Rest/races", params={"format": "json", **site.key}, timeout=PATIENT
    )
    assert races.status_code == 200, races.text


async def _seen(middleware_args: dict[str, str], client: str, headers: dict[str, str]) -> Any:
    """The scope the app sees behind ``Forwarded``, for a request to ``/x`` from ``client``."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)

    scope = {
        "type": "http",
        "path": "/x",
        "raw_path": b"/x",
        "scheme": "http",
        "client": (client, 1234),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }

    async def nothing() -> Any:
        return {}

    async def ignore(message: Any) -> None:
        pass

    await Forwarded(app, **middleware_args)(scope, nothing, ignore)
    return seen


def test_the_client_is_the_nearest_hop_no_trusted_proxy_added() -> None:
    # Sync, with the loop in a thread: Playwright's sync API holds this module's loop.
    chain = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5, 10.0.0.7", "X-Forwarded-Proto": "https"}
    seen = in_thread(lambda: _seen({"trusted": "127.0.0.1, 10.0.0.0/8"}, "127.0.0.1", chain))
    assert seen["client"][0] == "203.0.113.5" and seen["scheme"] == "https"
    seen = in_thread(lambda: _seen({"trusted": "*", "root_path": "/p/"}, "192.0.2.1", chain))
    # Everyone trusted: every hop was a proxy, so the first address is the client.
    assert seen["client"][0] == "198.51.100.1" and seen["root_path"] == "/p"
    assert seen["path"] == "/p/x" and seen["raw_path"] == b"/p/x"
    seen = in_thread(lambda: _seen({"trusted": "10.0.0.0/8"}, "127.0.0.1", chain))
    assert seen["client"][0] == "127.0.0.1" and seen["scheme"] == "http"


def test_settings_refuse_a_bad_proxy_list_or_root_path() -> None:
    assert Settings(trusted_proxies="10.0.0.0/8, ::1", root_path="podium/").root_path == "/podium"
    with pytest.raises(ValidationError):
        Settings(trusted_proxies="10.0.0.300")
    with pytest.raises(ValidationError):
        Settings(root_path="/a b")
