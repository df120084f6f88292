"""How soon a recorded result reaches a live page: POST a result, time its SSE event.

A real ``podium serve`` on loopback; a browser-like reader follows one competition's
Server-Sent Events while results are posted one at a time. Measured: the time from
sending the POST to receiving its event. Baseline: the POST's own round trip, the
least any notification could take. Target: p50 within 20 ms and p95 within 50 ms
(this process's commits wake its feed readers; there is no tick to wait for).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.common import Outcome
from bench.server import podium_cli, serve


def run(events: int = 200, pause: float = 0.05) -> list[Outcome]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            "PODIUM_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "PODIUM_LOG_LEVEL": "warning",
        }
        podium_cli(["migrate"], env, work)
        token = json.loads(
            podium_cli(["token", "create", "--scopes", "admin", "--json"], env, work)
        )["token"]
        with serve(["-m", "podium", "serve"], env, work) as base:
            api = httpx.Client(
                base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token}"}
            )
            org = api.post("/organizations", json={"slug": "bench", "name": "Bench"}).json()
            race = api.post("/competitions", json={"organization_id": org["id"], "name": "R"})
            comp = race.json()["id"]
            person = api.post("/people", json={"name": "P", "organization_id": org["id"]}).json()
            start = api.get("/event-feed", params={"stream": "false"}).text.splitlines()[-1]
            arrived: list[float] = []
            ready = threading.Event()

            def follow() -> None:
                params = {"competition_id": comp, "since_token": json.loads(start)["token"]}
                with (
                    httpx.Client(timeout=60) as reader,
                    reader.stream("GET", f"{base}/api/v1/event-feed/sse", params=params) as r,
                ):
                    ready.set()
                    for line in r.iter_lines():
                        # Only results: the first one also moves the competition to
                        # running, an event that must not be paired with a POST.
                        if line.startswith("data: ") and '"op":"result.created"' in line:
                            arrived.append(time.perf_counter())
                            if len(arrived) >= events:
                                return

            thread = threading.Thread(target=follow, daemon=True)
            thread.start()
            ready.wait(30)
            time.sleep(0.3)
            sent: list[float] = []
            round_trips: list[float] = []
            for n in range(events):
                sent.append(time.perf_counter())
                api.post(
                    f"/competitions/{comp}/results",
                    json={"person_id": person["id"], "elapsed_ms": 60_000 + n},
                ).raise_for_status()
                round_trips.append(time.perf_counter() - sent[-1])
                time.sleep(pause)
            thread.join(30)
            api.close()
    latencies = sorted(a - s for a, s in zip(arrived, sent, strict=False))
    if len(latencies) < events:
        return [
            Outcome("feed latency", f"{len(latencies)}/{events} events", "-", 0.0, "all", False)
        ]
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    base_ms = statistics.median(round_trips) * 1000
    median_ms = statistics.median(latencies) * 1000
    return [
        Outcome(
            f"result to SSE event ({events} results, p95 {p95 * 1000:.0f} ms)",
            f"median {median_ms:.0f} ms",
            f"POST round trip {base_ms:.0f} ms",
            median_ms / base_ms,
            "p50 <= 20 ms and p95 <= 50 ms",
            median_ms <= 20 and p95 <= 0.05,
        )
    ]
