"""The app as a whole: health, landing page, secret key, access logs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from podium import demo
from podium.app import create_app
from podium.config import Settings
from podium.store.database import Database
from tests.conftest import closed_port


async def _get(app: Any, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
        return await c.get(path)


async def test_health_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


async def test_health_with_redis(settings: Settings, database: Database, redis_url: str) -> None:
    app = create_app(settings.model_copy(update={"redis_url": redis_url}), database=database)
    body = (await _get(app, "/healthz")).json()
    assert body["redis"] == "ok" and body["status"] == "ok"


async def test_health_degraded_when_redis_is_down(settings: Settings, database: Database) -> None:
    with closed_port() as port:
        down = f"redis://127.0.0.1:{port}/0"
        app = create_app(settings.model_copy(update={"redis_url": down}), database=database)
        response = await _get(app, "/healthz")
    assert response.status_code == 503 and response.json()["status"] == "degraded"


async def test_landing_page_lists_demo(client: httpx.AsyncClient, database: Database) -> None:
    await demo.load(database)
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Harbor Running Club" in page.text and "Harbor Lights 10K" in page.text
    assert '<html lang="en">' in page.text


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key=None)
    first = settings.resolved_secret_key()
    assert len(first) >= 40 and settings.resolved_secret_key() == first
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Settings(data_dir=tmp_path / "data", secret_key="given").resolved_secret_key() == "given"


async def test_access_log_has_path_without_query(
    api: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, admin_token: str
) -> None:
    with caplog.at_level(logging.INFO, logger="podium.access"):
        await api.get("/organizations", params={"api_secret": "hunter2"})
    records = [r for r in caplog.records if r.name == "podium.access"]
    assert records and records[-1].__dict__["path"] == "/api/v1/organizations"
    assert records[-1].__dict__["status"] == 200
    logged = " ".join(str(vars(r)) for r in caplog.records)
    assert "hunter2" not in logged and admin_token not in logged
