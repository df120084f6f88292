"""Signed native webhooks against a real receiver on loopback: signatures, retries,
dead letters and replay, and a server killed mid-delivery (SIGKILL) that redelivers
after a restart and never repeats an acknowledged delivery."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from podium.api import verify_webhook
from podium.config import Settings
from podium.store.database import Database
from tests.api.helpers import make_competition, make_org, make_person, make_result, ok
from tests.conftest import PATIENT, LiveServer, free_port

SECRET = "s3cret-s3cret-s3cret"


@dataclass
class Hit:
    headers: dict[str, str]
    raw: bytes


class Receiver:
    """A real HTTP server: fails the first ``fail_next`` POSTs with 503 (or all of
    them with ``always_fail``), can hold requests unanswered, records the rest."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[Hit] = []
        self.attempts: list[Hit] = []
        self.fail_next = 0
        self.always_fail = False
        self.hold = threading.Event()
        self.hold.set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hit = Hit(dict(self.headers), raw)
                with owner.lock:
                    owner.attempts.append(hit)
                owner.hold.wait(30)
                with owner.lock:
                    failing = owner.always_fail or owner.fail_next > 0
                    if owner.fail_next > 0:
                        owner.fail_next -= 1
                    if not failing:
                        owner.accepted.append(hit)
                self.send_response(503 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, what: str, count: int, seconds: float = 15) -> list[Hit]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(getattr(self, what)) >= count:
                    break
            time.sleep(0.02)
        with self.lock:
            return list(getattr(self, what))

    def close(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        redis_url=None,
        log_json=False,
        webhook_retry_base_seconds=0.05,
        webhook_retry_max_seconds=0.2,
        webhook_max_attempts=4,
        webhook_timeout_seconds=20,
        webhook_lease_seconds=1.0,
    )


async def _subscribe(
    api: httpx.AsyncClient, receiver: Receiver, **fields: Any
) -> tuple[dict[str, Any], int, int]:
    org = await make_org(api, "hooks")
    comp = await make_competition(api, org["id"], "Hook Race")
    person = await make_person(api, "Rider", organization_id=org["id"])
    hook = ok(
        await api.post(
            "/webhooks",
            json={
                "url": receiver.url,
                "event_types": ["result.created"],
                "competition_id": comp["id"],
                "secret": SECRET,
                **fields,
            },
        ),
        201,
    )
    return hook, comp["id"], person["id"]


async def test_signed_delivery_verifies(
    settings: Settings, database: Database, admin_token: str, receiver: Receiver
) -> None:
    with LiveServer(settings) as server:
        headers = {"Authorization": f"Bearer {admin_token}"}
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            hook, comp, person = await _subscribe(api, receiver)
            assert hook["secret"] == SECRET and hook["kind"] == "native"
            await make_person(api, "Not a result")  # filtered out
            result = await make_result(api, comp, person_id=person, elapsed_ms=12_345)
            (hit,) = receiver.wait("accepted", 1)
            shown = ok(await api.get(f"/webhooks/{hook['id']}"))
    assert "secret" not in shown
    assert verify_webhook(hit.headers, hit.raw, SECRET)
    assert not verify_webhook(hit.headers, hit.raw + b" ", SECRET)
    assert not verify_webhook(hit.headers, hit.raw, "another-secret-entirely")
    body = orjson.loads(hit.raw)
    assert body["type"] == "result.created" and hit.headers["Podium-Event"] == "result.created"
    assert hit.headers["Podium-Delivery"] == body["id"]
    assert body["data"]["id"] == str(result["id"])
    assert body["data"]["data"]["elapsed_ms"] == 12_345


async def test_three_failures_then_exactly_one_accepted_delivery(
    settings: Settings, database: Database, admin_token: str, receiver: Receiver
) -> None:
    receiver.fail_next = 3
    with LiveServer(settings) as server:
        headers = {"Authorization": f"Bearer {admin_token}"}
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            hook, comp, person = await _subscribe(api, receiver)
            await make_result(api, comp, person_id=person, elapsed_ms=1)
            accepted = receiver.wait("accepted", 1)
            await asyncio.sleep(1.0)  # a second accepted delivery would arrive in this time
            rows = ok(await api.get(f"/webhooks/{hook['id']}/deliveries"))
    assert len(accepted) == 1 and len(receiver.accepted) == 1
    assert len(receiver.attempts) == 4
    assert len({h.headers["Podium-Delivery"] for h in receiver.attempts}) == 1
    assert [(r["state"], r["attempts"], r["last_status"]) for r in rows] == [("delivered", 4, 204)]


async def test_always_failing_ends_in_the_dead_letter_list_and_replays(
    settings: Settings, database: Database, admin_token: str, receiver: Receiver
) -> None:
    receiver.always_fail = True
    with LiveServer(settings) as server:
        headers = {"Authorization": f"Bearer {admin_token}"}
        async with httpx.AsyncClient(
            base_url=f"{server.url}/api/v1", headers=headers, timeout=PATIENT
        ) as api:
            hook, comp, person = await _subscribe(api, receiver)
            await make_result(api, comp, person_id=person, elapsed_ms=1)
            receiver.wait("attempts", 4)
            deadline = time.monotonic() + 10
            dead: list[dict[str, Any]] = []
            while not dead and time.monotonic() < deadline:
                dead = ok(await api.get(f"/webhooks/{hook['id']}/deliveries?state=dead"))
                await asyncio.sleep(0.05)
            assert len(dead) == 1 and dead[0]["attempts"] == 4 and dead[0]["last_status"] == 503
            assert ok(await api.get(f"/webhooks/{hook['id']}"))["dead"] == 1
            receiver.always_fail = False
            replayed = ok(
                await api.post(f"/webhooks/{hook['id']}/deliveries/{dead[0]['id']}/replay")
            )
            assert replayed["state"] == "pending"
            (hit,) = receiver.wait("accepted", 1)
            again = await api.post(f"/webhooks/{hook['id']}/deliveries/{dead[0]['id']}/replay")
            assert again.status_code == 409
    assert hit.headers["Podium-Delivery"] == dead[0]["idempotency_id"]
    assert len(receiver.attempts) == 5


class Served:
    """``podium serve`` in its own process, so it can be killed outright."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PODIUM_DATABASE_URL": settings.database_url,
            "PODIUM_DATA_DIR": str(settings.data_dir),
            "PODIUM_LOG_JSON": "false",
            "PODIUM_WEBHOOK_LEASE_SECONDS": "1",
            "PODIUM_WEBHOOK_RETRY_BASE_SECONDS": "0.05",
            "PODIUM_WEBHOOK_TIMEOUT_SECONDS": "60",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "podium", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("podium serve did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)


def test_a_server_killed_mid_delivery_redelivers_after_restart(
    settings: Settings, admin_token: str, receiver: Receiver
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    receiver.hold.clear()  # the first delivery is received but never answered
    first = Served(settings)
    try:
        with httpx.Client(base_url=f"{first.url}/api/v1", headers=headers, timeout=PATIENT) as api:
            org = ok(api.post("/organizations", json={"slug": "k", "name": "K"}), 201)
            comp = ok(
                api.post(
                    "/competitions",
                    json={"organization_id": org["id"], "name": "R", "status": "running"},
                ),
                201,
            )
            who = ok(api.post("/people", json={"name": "P", "organization_id": org["id"]}), 201)
            ok(
                api.post(
                    "/webhooks",
                    json={"url": receiver.url, "competition_id": comp["id"], "secret": SECRET},
                ),
                201,
            )
            result = {"person_id": who["id"], "elapsed_ms": 5}
            ok(api.post(f"/competitions/{comp['id']}/results", json=result), 201)
        (held,) = receiver.wait("attempts", 1)
    finally:
        first.kill()  # mid-delivery: the receiver has the request, the server no answer
    # The held request's handler now finishes into a dead connection; it proves nothing.
    receiver.hold.set()
    second = Served(settings)
    try:
        attempts = receiver.wait("attempts", 2)
        redelivered = attempts[1]
        assert redelivered.headers["Podium-Delivery"] == held.headers["Podium-Delivery"]
        assert redelivered.raw == held.raw
        deadline = time.monotonic() + 10
        while redelivered not in receiver.accepted and time.monotonic() < deadline:
            time.sleep(0.02)
        assert redelivered in receiver.accepted
        time.sleep(0.5)  # the outcome is recorded after the answer
    finally:
        second.kill()
    # An acknowledged delivery is never sent again, whatever restarts follow.
    third = Served(settings)
    try:
        time.sleep(2.5)  # over two leases
    finally:
        third.kill()
    assert len(receiver.attempts) == 2


async def test_webhook_routes_and_permissions(
    api: httpx.AsyncClient, client: httpx.AsyncClient, database: Database, receiver: Receiver
) -> None:
    from tests.conftest import make_token

    hook, _comp, _person = await _subscribe(api, receiver, description="scores")
    listed = ok(await api.get("/webhooks"))
    assert [h["id"] for h in listed] == [hook["id"]] and listed[0]["description"] == "scores"
    patched = ok(await api.patch(f"/webhooks/{hook['id']}", json={"active": False}))
    assert patched["active"] is False
    bad = await api.post("/webhooks", json={"url": "ftp://x.test/", "event_types": []})
    assert bad.status_code == 422
    bad_type = await api.post("/webhooks", json={"url": receiver.url, "event_types": ["Bad Type"]})
    assert bad_type.status_code == 422
    # Another organization's token sees none of it.
    other = await make_org(api, "others")
    token = await make_token(database, ["write"], organization_id=other["id"])
    scoped = {"Authorization": f"Bearer {token}"}
    base = "http://podium.test/api/v1"
    assert (await client.get(f"{base}/webhooks", headers=scoped)).json() == []
    assert (await client.get(f"{base}/webhooks/{hook['id']}", headers=scoped)).status_code == 404
    mine = await client.post(f"{base}/webhooks", headers=scoped, json={"url": receiver.url})
    assert mine.status_code == 201 and mine.json()["organization_id"] == other["id"]
    assert len(mine.json()["secret"]) >= 32
    assert (await client.post(f"{base}/webhooks", json={"url": receiver.url})).status_code == 401
    ok(await api.delete(f"/webhooks/{hook['id']}"), 204)
    assert (await api.get(f"/webhooks/{hook['id']}")).status_code == 404
