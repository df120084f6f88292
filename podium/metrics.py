"""Prometheus metrics of one app: ``/metrics`` in the Prometheus text format.

Each app owns its ``CollectorRegistry`` (never the global default), so several apps in
one process (tests, embedded servers) keep their own counts. Counters and histograms
are per process: with several workers, Prometheus scrapes each one (or sums them).
What lives in the store (webhook deliveries, the judge queue) is read at scrape time
with two small indexed counts, so every worker reports the same shared numbers.

Requests are labelled by route family (the mounted prefix, never the raw path) and
status, which keeps the number of series bounded whatever clients ask for.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.metrics_core import Metric
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from podium.proxy import app_path
from podium.store.database import Database
from podium.store.tables import Delivery, JudgeJob

log = logging.getLogger("podium.metrics")

# The first path segment of each mount (podium/app.py) and page, to its family.
FAMILIES: dict[str, str] = {
    "api": "api",
    "console": "console",
    "": "web",
    "competitions": "web",
    "organizations": "web",
    "people": "web",
    "polympics": "polympics",
    "mooshak": "mooshak",
    "mgp": "multigp",
    "nadeo": "nadeo",
    "Rest": "runsignup",
    "static": "static",
}
FAMILY_NAMES = (*dict.fromkeys(FAMILIES.values()), "feed", "other")
FEED_PATH = "/api/v1/event-feed"
DELIVERY_STATES = ("pending", "dead")

JUDGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
BUILD_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def family(path: str) -> str:
    """The route family of a request path: its mount, ``feed`` for the event feed."""
    if path.startswith(FEED_PATH) and path[len(FEED_PATH) : len(FEED_PATH) + 1] in ("", "/"):
        return "feed"
    head = path[1:].partition("/")[0]
    found = FAMILIES.get(head)
    if found is None:
        # RunSignup clients vary the case of /Rest (see CaseInsensitivePrefix).
        return "runsignup" if head.lower() == "rest" else "other"
    return found


class StoreCollector:
    """Gauges read from the store: ``refresh()`` before each scrape, ``collect()`` after.

    The registry collects synchronously while the store is async, so the scrape
    handler awaits the counts first and the collector serves that snapshot.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self.deliveries: dict[str, int] = dict.fromkeys(DELIVERY_STATES, 0)
        self.judge_queue = 0
        self.up = 0

    async def refresh(self) -> None:
        try:
            async with self.database.read() as session:
                rows = await session.execute(
                    select(Delivery.state, func.count())
                    .where(Delivery.state.in_(DELIVERY_STATES))
                    .group_by(Delivery.state)
                )
                counts = {str(state): int(n) for state, n in rows.all()}
                queued = await session.scalar(
                    select(func.count()).select_from(JudgeJob).where(JudgeJob.state == "queued")
                )
        except Exception:  # a scrape must still answer when the database does not
            log.warning("metrics could not read the store", exc_info=True)
            self.up = 0
            return
        self.deliveries = {state: counts.get(state, 0) for state in DELIVERY_STATES}
        self.judge_queue = int(queued or 0)
        self.up = 1

    def describe(self) -> Iterable[Metric]:
        return self._families(with_values=False)

    def collect(self) -> Iterable[Metric]:
        return self._families(with_values=True)

    def _families(self, *, with_values: bool) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "podium_metrics_store_up", "1 when this scrape read the store's gauges, else 0."
        )
        deliveries = GaugeMetricFamily(
            "podium_webhook_deliveries",
            "Outbound webhook deliveries by state (pending: to send or retry; dead: given up).",
            labels=["state"],
        )
        queue = GaugeMetricFamily(
            "podium_judge_queue_jobs", "Submissions queued for judging, in every process."
        )
        if with_values:
            up.add_metric([], self.up)
            if self.up:
                for state, count in self.deliveries.items():
                    deliveries.add_metric([state], count)
                queue.add_metric([], self.judge_queue)
        yield up
        yield deliveries
        yield queue


class Metrics:
    """The registry of one app and the instruments the rest of Podium reports to."""

    def __init__(self, database: Database, *, boards: Callable[[], float] | None = None) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        self.requests = Counter(
            "podium_http_requests",
            "HTTP requests answered, by route family and status code.",
            ["family", "status"],
            registry=self.registry,
        )
        duration = Histogram(
            "podium_http_request_duration_seconds",
            "Time until the response head was sent, by route family.",
            ["family"],
            registry=self.registry,
        )
        self._durations = {name: duration.labels(name) for name in FAMILY_NAMES}
        self._counted: dict[tuple[str, int], Any] = {}
        self.feed_connections = Gauge(
            "podium_feed_connections",
            "Event feed streams (SSE and NDJSON) open in this process.",
            registry=self.registry,
        )
        self.judge_seconds = Histogram(
            "podium_judge_duration_seconds",
            "Time to compile and run one submission against its tests.",
            buckets=JUDGE_BUCKETS,
            registry=self.registry,
        )
        self.board_build_seconds = Histogram(
            "podium_leaderboard_build_duration_seconds",
            "Time to build one leaderboard from the store and register it.",
            buckets=BUILD_BUCKETS,
            registry=self.registry,
        )
        boards_gauge = Gauge(
            "podium_leaderboard_boards",
            "Leaderboards this process holds (in memory, or handles on Redis boards).",
            registry=self.registry,
        )
        if boards is not None:
            boards_gauge.set_function(boards)
        self.store = StoreCollector(database)
        self.registry.register(self.store)

    def observe(self, family: str, status: int, seconds: float) -> None:
        """Count one request and its latency; children are cached (one dict lookup)."""
        counter = self._counted.get((family, status))
        if counter is None:
            counter = self._counted[(family, status)] = self.requests.labels(family, str(status))
        counter.inc()
        self._durations[family].observe(seconds)

    async def exposition(self) -> bytes:
        await self.store.refresh()
        return generate_latest(self.registry)


class RequestMetrics:
    """ASGI middleware counting every request by family and status, with its latency.

    Latency runs to the response head, so a stream (the event feed, a file) is counted
    as soon as it starts, never buffered, and its lifetime does not pose as latency.
    An open feed stream holds ``podium_feed_connections`` up until it ends.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics = self.metrics
        name = family(app_path(scope))
        started = time.perf_counter()
        answered = streaming = False

        async def counting_send(message: Message) -> None:
            nonlocal answered, streaming
            if message["type"] == "http.response.start" and not answered:
                answered = True
                status = message["status"]
                metrics.observe(name, status, time.perf_counter() - started)
                if name == "feed" and status == 200:
                    streaming = True
                    metrics.feed_connections.inc()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if streaming:
                metrics.feed_connections.dec()
            if not answered:  # failed (or the client left) before any answer
                metrics.observe(name, 500, time.perf_counter() - started)


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def serve(request: Request, metrics: Metrics, token: str | None) -> Response:
    """``/metrics``: with a token set, only for ``Authorization: Bearer <token>``;
    without one, only for loopback clients (a Prometheus on the same host)."""
    if token:
        sent = request.headers.get("authorization", "")
        scheme, _, given = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return Response(
                "Send the metrics token as a Bearer token.\n",
                status_code=401,
                media_type="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    elif not _loopback(request):
        return Response(
            "Metrics are served to loopback clients only; set PODIUM_METRICS_TOKEN.\n",
            status_code=403,
            media_type="text/plain",
        )
    return Response(await metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
