"""Open feeds end cleanly when the server is told to stop, instead of holding the
shutdown until uvicorn's graceful timeout cancels them mid-stream."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import httpx
import pytest

from podium.feed import closing
from podium.store.database import Database
from tests.conftest import PATIENT, free_port, make_token


@pytest.fixture
def clean_closing() -> Iterator[None]:
    before = {sig: signal.getsignal(sig) for sig in closing.SIGNALS}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)
    closing.CLOSING.clear()


def test_the_signal_ends_feeds_and_still_reaches_the_servers_handler(clean_closing: None) -> None:
    seen: list[int] = []

    def server_handler(sig: int, _frame: FrameType | None) -> None:
        seen.append(sig)

    signal.signal(signal.SIGTERM, server_handler)
    restore = closing.end_feeds_on_exit_signals()
    assert not closing.CLOSING.is_set()
    signal.raise_signal(signal.SIGTERM)
    assert closing.CLOSING.is_set() and seen == [signal.SIGTERM]
    restore()
    assert signal.getsignal(signal.SIGTERM) is server_handler


def test_off_the_main_thread_nothing_is_touched(clean_closing: None) -> None:
    before = signal.getsignal(signal.SIGTERM)
    restores: list[closing.Restore] = []
    thread = threading.Thread(target=lambda: restores.append(closing.end_feeds_on_exit_signals()))
    thread.start()
    thread.join()
    restores[0]()
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_ends_an_open_sse_stream_cleanly(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'podium.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    env = {
        **os.environ,
        "PODIUM_DATABASE_URL": url,
        "PODIUM_DATA_DIR": str(tmp_path / "data"),
        "PODIUM_LOG_JSON": "false",
    }
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "podium", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "podium serve did not start"
                time.sleep(0.1)
        database = Database(url)
        token = asyncio.run(make_token(database, ["admin"]))
        asyncio.run(database.dispose())
        with httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
        ) as api:
            org = api.post("/organizations", json={"slug": "stop", "name": "Stop"}).json()
            comp = api.post(
                "/competitions",
                json={"organization_id": org["id"], "name": "R", "status": "running"},
            ).json()

        opened = threading.Event()
        outcome: list[object] = []

        def follow() -> None:
            try:
                with httpx.stream(
                    "GET", f"{base}/api/v1/event-feed/sse", params={"competition_id": comp["id"]},
                    timeout=60,
                ) as response:  # fmt: skip
                    frames = []
                    for frame in response.iter_lines():
                        frames.append(frame)
                        opened.set()
                    outcome.append(frames)
            except httpx.HTTPError as exc:
                outcome.append(exc)

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        assert opened.wait(20), "the feed did not open"
        server.send_signal(signal.SIGTERM)
        reader.join(60)
        server.wait(60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    output = log_path.read_text()
    (frames,) = outcome
    assert isinstance(frames, list), f"the stream broke: {frames!r}"
    assert frames[0] == "retry: 1000" and any(f == "event: competitions" for f in frames)
    assert "graceful shutdown exceeded" not in output
    assert "Application shutdown complete" in output
