"""Process-wide settings of the Nadeo client: base URLs, rate limit, test transport."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from podium.dialects.nadeo.errors import ParameterError

DEFAULT_CORE_BASE_URL = "https://prod.trackmania.core.nadeo.online"
DEFAULT_LIVE_BASE_URL = "https://live-services.trackmania.nadeo.live"
DEFAULT_RATE_LIMIT = 2.0
DEFAULT_TIMEOUT = 30.0

core_base_url: str = DEFAULT_CORE_BASE_URL
live_base_url: str = DEFAULT_LIVE_BASE_URL
rate_limit: float = DEFAULT_RATE_LIMIT
timeout: float = DEFAULT_TIMEOUT
transport: httpx.BaseTransport | None = None

_lock = threading.Lock()
_next_slot = 0.0


def use_base(base: str) -> None:
    """Point both APIs at one server: ``{base}/nadeo/core`` and ``{base}/nadeo/live``."""
    global core_base_url, live_base_url
    root = base.rstrip("/")
    core_base_url = f"{root}/nadeo/core"
    live_base_url = f"{root}/nadeo/live"


def set_rate_limit(per_second: float) -> None:
    """Allow at most ``per_second`` requests per second, shared by the whole process."""
    global rate_limit
    if not per_second > 0:
        raise ParameterError("the rate limit must be a positive number of requests per second")
    rate_limit = float(per_second)


def set_transport(value: httpx.BaseTransport | None) -> None:
    """Send requests through ``value`` (e.g. ``httpx.MockTransport``); None for the network."""
    global transport
    transport = value


def reset() -> None:
    """Restore the public hosts, the default rate limit and the network transport."""
    global core_base_url, live_base_url, rate_limit, timeout, transport, _next_slot
    core_base_url = DEFAULT_CORE_BASE_URL
    live_base_url = DEFAULT_LIVE_BASE_URL
    rate_limit = DEFAULT_RATE_LIMIT
    timeout = DEFAULT_TIMEOUT
    transport = None
    with _lock:
        _next_slot = 0.0


def wait_turn() -> None:
    """Block until the process-wide rate limit allows one more request."""
    global _next_slot
    with _lock:
        now = time.monotonic()
        start = max(now, _next_slot)
        _next_slot = start + 1.0 / rate_limit
    if start > now:
        time.sleep(start - now)


@contextmanager
def client() -> Iterator[httpx.Client]:
    """An HTTP client on the configured transport; a caller's transport is left open."""
    http = httpx.Client(transport=transport, timeout=timeout)
    if transport is not None:
        yield http
        return
    with http:
        yield http
