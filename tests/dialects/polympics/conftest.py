"""Fixtures for the Polympics dialect: a live server, apps, a stand-in Discord, a receiver.

Discord's API cannot be reached from the test machines, so ``discord`` is a real
HTTP server on loopback that answers ``GET /oauth2/@me`` like Discord does. The
callback ``receiver`` is a real HTTP server too, recording what it is sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from podium.config import Settings
from podium.dialects.polympics import auth, wire
from podium.store.database import Database
from tests.conftest import LiveServer


class _Loopback:
    """A ThreadingHTTPServer on 127.0.0.1 with an ephemeral port, run in a thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.owner = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _DiscordHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        fake: FakeDiscord = self.server.owner  # type: ignore[attr-defined]
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        user = fake.users.get(token)
        content_type = "application/json"
        if fake.failure is not None:
            status, body, content_type = fake.failure
        elif self.path != "/oauth2/@me" or user is None:
            body, status = b'{"message": "401: Unauthorized", "code": 0}', 401
        else:
            body, status = json.dumps({"scopes": ["identify"], "user": user}).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


class FakeDiscord(_Loopback):
    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        # (status, body, content type) answered to every request while set.
        self.failure: tuple[int, bytes, str] | None = None
        super().__init__(_DiscordHandler)

    def add_user(
        self, token: str, user_id: int, username: str, discriminator: str, avatar: str | None
    ) -> None:
        self.users[token] = {
            "id": str(user_id),
            "username": username,
            "discriminator": discriminator,
            "avatar": avatar,
        }


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]
    # What ``Receiver.probe_url`` answered while this delivery was being received.
    probe: Any = None


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.owner  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        probe = None
        if receiver.probe_url is not None:
            probe = httpx.get(receiver.probe_url, timeout=10).json()
        with receiver.lock:
            receiver.attempts += 1
            failing = receiver.fail_next > 0
            if failing:
                receiver.fail_next -= 1
            else:
                receiver.received.append(Received(dict(self.headers), json.loads(raw), probe))
        self.send_response(503 if failing else 200)
        if failing and receiver.retry_after is not None:
            self.send_header("Retry-After", receiver.retry_after)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


class Receiver(_Loopback):
    """Answers 503 to the first ``fail_next`` POSTs, then 200, keeping what it accepted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.attempts = 0
        self.fail_next = 0
        self.probe_url: str | None = None
        self.retry_after: str | None = None
        super().__init__(_ReceiverHandler)

    def wait_for(self, count: int, seconds: float = 10.0) -> list[Received]:
        """The first ``count`` accepted deliveries, waiting a bounded time for them."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self.lock:
            return list(self.received)


@pytest.fixture
def discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord()
    yield fake
    fake.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, discord: FakeDiscord) -> Settings:
    """The base test settings, with Discord on loopback and quick webhook retries."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        redis_url=None,
        log_json=False,
        polympics_discord_api_url=discord.url,
        polympics_discord_cdn_url="https://cdn.example",
        webhook_retry_base_seconds=0.05,
        webhook_retry_max_seconds=0.2,
        webhook_max_attempts=4,
        webhook_timeout_seconds=5,
    )


@dataclass
class Polympics:
    """A live Podium server and ways to make Polympics credentials on its store."""

    server: LiveServer
    database: Database
    apps: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.server.url}/polympics"

    async def app(self, permissions: int = wire.APP_PERMISSIONS, name: str = "bot") -> Any:
        """Username/password of a new app (a ``Credentials``-shaped object)."""
        async with self.database.write() as session:
            row, token = await auth.create_app(session, name, permissions)
        return _Creds(row.identifier, token)


@dataclass
class _Creds:
    username: str
    password: str


@pytest.fixture
def polympics(live_server: LiveServer, database: Database) -> Polympics:
    return Polympics(live_server, database)
