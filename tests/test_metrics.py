"""``/metrics`` (Prometheus text) and the split health checks ``/healthz/live|ready``."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from starlette.routing import Mount, Route

from podium import demo
from podium.app import create_app
from podium.config import Settings
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin
from podium.metrics import FAMILY_NAMES, family
from podium.store.database import Database
from podium.store.tables import Delivery, JudgeJob, Result, Webhook
from podium.web import competitions, home, organizations, people
from tests.conftest import LiveServer

SUM = b"a, b = map(int, input().split())\nprint(a + b)\n"


def parse(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, by name and labels; parsing is itself the format check."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for metric in text_string_to_metric_families(text)
        for s in metric.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient, **headers: str) -> dict[Any, float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def requests(samples: dict[Any, float], fam: str, status: str) -> float:
    return value(samples, "podium_http_requests_total", family=fam, status=status)


async def test_api_requests_are_counted_exactly(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    before = await scrape(client)
    auth = {"Authorization": f"Bearer {admin_token}"}
    for _ in range(5):
        assert (await client.get("/api/v1/organizations", headers=auth)).status_code == 200
    after = await scrape(client)
    assert requests(after, "api", "200") - requests(before, "api", "200") == 5
    counted = "podium_http_request_duration_seconds_count"
    assert value(after, counted, family="api") - value(before, counted, family="api") == 5
    # The scrapes themselves are "other", never "api".
    assert requests(after, "other", "200") - requests(before, "other", "200") == 1


async def test_not_found_is_counted_with_its_status_and_no_path(
    client: httpx.AsyncClient,
) -> None:
    before = await scrape(client)
    assert (await client.get("/api/v1/no-such-route-xyz")).status_code == 404
    assert (await client.get("/no-such-page-xyz")).status_code == 404
    response = await client.get("/metrics")
    after = parse(response.text)
    assert requests(after, "api", "404") - requests(before, "api", "404") == 1
    assert requests(after, "other", "404") - requests(before, "other", "404") == 1
    assert "no-such" not in response.text


def test_every_mount_has_its_family(settings: Settings, database: Database) -> None:
    """The family table follows the app's mounts: none of them falls into "other"."""
    app = create_app(settings, database=database, run_migrations=False)
    mounts = [r.path for r in app.routes if isinstance(r, Mount)]
    assert mounts and all(family(path + "/x") != "other" for path in mounts)
    modules = (home, organizations, competitions, people)
    pages = [r.path for m in modules for r in m.router.routes if isinstance(r, Route)]
    assert pages and all(family(path) == "web" for path in pages)
    assert family("/api/v1/event-feed") == family("/api/v1/event-feed/sse") == "feed"
    assert family("/api/v1/event-feeds") == "api"
    assert family("/REST/race/1") == "runsignup" and family("/") == "web"
    assert set(FAMILY_NAMES) == {
        "api", "console", "web", "polympics", "mooshak", "multigp", "nadeo",
        "runsignup", "feed", "static", "other",
    }  # fmt: skip


async def test_store_gauges_follow_the_rows(client: httpx.AsyncClient, database: Database) -> None:
    await demo.load(database)
    empty = await scrape(client)
    assert value(empty, "podium_metrics_store_up") == 1
    assert value(empty, "podium_webhook_deliveries", state="pending") == 0
    assert value(empty, "podium_judge_queue_jobs") == 0
    async with database.write() as session:
        hook = Webhook(kind="native", url="https://hooks.example/x", secret="s", event_types=[])
        session.add(hook)
        await session.flush()
        for state in ("pending", "pending", "pending", "dead", "dead", "delivered"):
            session.add(Delivery(webhook_id=hook.id, event_type="x", body={}, state=state))
        results = (await session.scalars(select(Result.id).limit(4))).all()
        assert len(results) == 4
        for result_id, state in zip(results, ("queued", "queued", "queued", "done"), strict=True):
            session.add(JudgeJob(result_id=result_id, state=state))
    filled = await scrape(client)
    assert value(filled, "podium_webhook_deliveries", state="pending") == 3
    assert value(filled, "podium_webhook_deliveries", state="dead") == 2
    assert value(filled, "podium_judge_queue_jobs") == 3


async def test_judge_time_and_board_builds_are_observed(
    app: Any, client: httpx.AsyncClient, database: Database
) -> None:
    async with database.write() as session:
        await admin.create_contest(session, SYSTEM, contest_id="cup", designation="Cup")
        await admin.add_problem(
            session, SYSTEM, "cup", problem_id="A", label="A", title="sum", tests=[("1 2\n", "3\n")]
        )
        await admin.create_user(session, SYSTEM, username="team1", password="pw", contest_id="cup")
    login = await client.post(
        "/mooshak/api/auth/login", json={"username": "team1", "password": "pw", "contest": "cup"}
    )
    submitted = await client.post(
        "/mooshak/api/data/contests/cup/problems/A/evaluate",
        headers={"Authorization": f"Bearer {login.json()['token']}"},
        files={"program": ("sum.py", SUM)},
    )
    assert submitted.status_code == 200, submitted.text
    before = await scrape(client)
    assert value(before, "podium_judge_queue_jobs") == 1
    assert value(before, "podium_judge_duration_seconds_count") == 0
    assert await app.state.judging.judge_ready() == 1
    judged = await scrape(client)
    assert value(judged, "podium_judge_queue_jobs") == 0
    assert value(judged, "podium_judge_duration_seconds_count") == 1

    await demo.load(database)
    await app.state.leaderboards.warm()
    built = await scrape(client)
    boards = value(built, "podium_leaderboard_boards")
    assert boards >= 1 and boards == app.state.leaderboards.held
    assert value(built, "podium_leaderboard_build_duration_seconds_count") == boards


async def test_open_feeds_show_in_the_gauge(live_server: LiveServer, admin_token: str) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as http:
        assert value(await scrape(http), "podium_feed_connections") == 0
        async with (
            http.stream("GET", "/api/v1/event-feed", headers=auth) as ndjson,
            http.stream("GET", "/api/v1/event-feed/sse", headers=auth) as sse,
        ):
            assert ndjson.status_code == sse.status_code == 200
            assert sse.headers["content-type"].startswith("text/event-stream")
            opened = await scrape(http)
            assert value(opened, "podium_feed_connections") == 2
            assert requests(opened, "feed", "200") == 2
        # The server learns that the clients left at its next tick.
        deadline = time.monotonic() + 10
        while value(await scrape(http), "podium_feed_connections") != 0:
            assert time.monotonic() < deadline, "closed feeds still counted"
            await asyncio.sleep(0.05)


async def test_token_is_required_when_set(settings: Settings, database: Database) -> None:
    app = create_app(
        settings.model_copy(update={"metrics_token": "s3cret"}),
        database=database,
        run_migrations=False,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
        missing = await c.get("/metrics")
        assert (
            missing.status_code == 401 and "bearer" in missing.headers["www-authenticate"].lower()
        )
        assert (
            await c.get("/metrics", headers={"Authorization": "Bearer nope"})
        ).status_code == 401
        assert (
            await c.get("/metrics", headers={"Authorization": "Basic s3cret"})
        ).status_code == 401
        await scrape(c, Authorization="Bearer s3cret")


async def test_without_a_token_only_loopback_clients_are_served(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database, run_migrations=False)
    remote = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://podium.test") as c:
        assert (await c.get("/metrics")).status_code == 403
    local = httpx.ASGITransport(app=app, client=("::1", 40000))
    async with httpx.AsyncClient(transport=local, base_url="http://podium.test") as c:
        await scrape(c)


async def test_ready_only_after_start_up(settings: Settings, database: Database) -> None:
    app = create_app(settings, database=database, run_migrations=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
        assert (await c.get("/healthz/live")).status_code == 200
        waiting = await c.get("/healthz/ready")
        assert waiting.status_code == 503
        # The schema is at head already; the boards wait for the start-up.
        assert list(waiting.json()["pending"]) == ["leaderboards"]
        async with app.router.lifespan_context(app):
            deadline = time.monotonic() + 10
            while (ready := await c.get("/healthz/ready")).status_code != 200:
                assert time.monotonic() < deadline, ready.text
                await asyncio.sleep(0.02)
            assert ready.json() == {"status": "ready"}
            assert (await c.get("/healthz/live")).status_code == 200
            assert (await c.get("/healthz")).status_code == 200
        stopped = await c.get("/healthz/ready")
        assert stopped.status_code == 503 and "stopping" in stopped.json()["pending"]


async def test_not_ready_while_the_schema_is_behind(settings: Settings, tmp_path: Path) -> None:
    empty = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        app = create_app(settings, database=empty, run_migrations=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
            response = await c.get("/healthz/ready")
            assert response.status_code == 503
            assert "no revision" in response.json()["pending"]["migrations"]
            assert (await c.get("/healthz/live")).status_code == 200
    finally:
        await empty.dispose()


@pytest.mark.parametrize("path", ["/healthz/live", "/healthz/ready", "/metrics"])
async def test_head_is_answered(client: httpx.AsyncClient, path: str) -> None:
    response = await client.head(path)
    assert response.status_code in (200, 503) and response.content == b""
