"""What the fuzz tests share: hostile values, a watch on the store, and findings.

The fuzz tests (``tests/api/test_fuzz_openapi.py``, ``tests/dialects/test_fuzz_bodies.py``,
``tests/feed/test_feed_hostile.py``) send requests to a real server and judge every
answer by the same rules:

- no 5xx, no hang (a 30 s read timeout: a hang is what is caught, not slowness), no
  connection dropped mid-answer;
- a refusal is in the platform's own error shape;
- a refused request stored nothing: the event log's ``max(seq)`` and the row count
  of every table are the same before and after it (``Store.snapshot``);
- a value the store cannot hold faithfully (NUL, an integer beyond 64 bits, text
  longer than the field, a list where text belongs) is refused, never stored
  altered or silently cut.

Each test collects every distinct failure (``Findings``) instead of stopping at the
first, so one run lists all that needs fixing; it fails at the end with that list.
Examples are bounded and derandomized; ``PODIUM_FUZZ_SCALE`` multiplies the counts
for a longer local run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import traceback
from collections import Counter
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from sqlalchemy import text

from podium.store.database import Database
from podium.store.tables import Base

T = TypeVar("T")

# Generous on purpose: a hang is what this catches, not slowness.
TIMEOUT = httpx.Timeout(30.0)
SCALE = float(os.environ.get("PODIUM_FUZZ_SCALE", "1"))
TEN_MB = 10 * 1024 * 1024
# Deliveries are inserted by the webhook worker on its own schedule, after an earlier
# accepted write: not something the request being judged stored.
UNWATCHED_TABLES = frozenset({"deliveries"})


def examples(count: int) -> int:
    return max(1, round(count * SCALE))


def fuzz_settings(count: int) -> settings:
    """Bounded, reproducible, no shrinking (failures are collected, not raised)."""
    return settings(
        max_examples=examples(count),
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


# ---- JSON with raw fragments ------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """JSON text spliced verbatim into a document (numbers no encoder would write)."""

    text: str


def dumps(value: Any) -> bytes:
    """``value`` as JSON, with ``Raw`` fragments as they are; NUL goes as ``\\u0000``."""
    return _encode(value).encode("utf-8", "surrogatepass")


def _encode(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Hostile):
        return _encode(value.value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value)


def concrete(value: Any) -> Any:
    """``value`` with ``Hostile`` wrappers removed (``Raw`` parts stay)."""
    if isinstance(value, Hostile):
        return concrete(value.value)
    if isinstance(value, dict):
        return {k: concrete(v) for k, v in value.items()}
    if isinstance(value, list):
        return [concrete(v) for v in value]
    return value


# ---- hostile values -------------------------------------------------------------------

# What a field holds, for judging whether a hostile value must be refused there:
# name: short stored text (names, titles, codes); text: free text; int: an integer
# that is stored or looked up; number: a stored number (floats allowed).
NAME, TEXT, INT, NUMBER = "name", "text", "int", "number"
EVERY_KIND = frozenset({NAME, TEXT, INT, NUMBER})


@dataclass(frozen=True)
class Hostile:
    """A value for one field; ``refuse`` names the field kinds that must refuse it."""

    label: str
    value: Any
    refuse: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return self.label


def _h(label: str, value: Any, *refuse: str) -> Hostile:
    return Hostile(label, value, frozenset(refuse))


# Built once: the Hostile that holds it prints as its label, never as 10 MB.
TEN_MB_TEXT = "x" * TEN_MB

DEEP_LIST = Raw("[" * 5000 + "]" * 5000)

HOSTILE_VALUES: tuple[Hostile, ...] = (
    _h("int 2**63", 2**63, INT),
    _h("int 2**64", 2**64, INT),
    _h("int -2**63-1", -(2**63) - 1, INT),
    _h("int 10**30", 10**30, INT),
    _h("5000-digit integer (raw JSON)", Raw("9" * 5000), INT, NUMBER),
    _h("-5000-digit integer (raw JSON)", Raw("-" + "9" * 5000), INT, NUMBER),
    _h("5000-digit fraction (raw JSON)", Raw("0." + "3" * 5000)),
    _h("float 1e308", 1e308, INT),
    # A float beyond 64-bit integers: PostgreSQL's jsonb reads it back as an integer.
    _h("float 1e20", 1e20, INT),
    _h("1e309 (raw JSON, overflows to inf)", Raw("1e309"), INT, NUMBER),
    _h("NaN (raw JSON)", Raw("NaN"), INT, NUMBER),
    _h("Infinity (raw JSON)", Raw("Infinity"), INT, NUMBER),
    _h("-Infinity (raw JSON)", Raw("-Infinity"), INT, NUMBER),
    _h("string with NUL", "ab\x00cd", *EVERY_KIND),
    _h("NUL only", "\x00", *EVERY_KIND),
    _h("digits then NUL", "12\x00", *EVERY_KIND),
    _h("whitespace only", "   "),
    _h("tabs and newlines only", "\t\n\r "),
    _h("ideographic space only", "\u3000\u2003"),
    _h("5000 characters", "x" * 5000, NAME),
    _h("10 MB string", TEN_MB_TEXT, NAME, TEXT),
    _h("lone surrogate (raw JSON)", Raw('"\\ud800"'), NAME, TEXT),
    _h("empty list", [], *EVERY_KIND),
    _h("empty object", {}, *EVERY_KIND),
    _h("list of text", ["a"], *EVERY_KIND),
    _h("object", {"a": 1}, *EVERY_KIND),
    _h("list nested 5000 deep (raw JSON)", DEEP_LIST, *EVERY_KIND),
    _h("superscript digit '²'", "²", INT),
    _h("Arabic-Indic digits", "\u0661\u0662\u0663"),
    _h("digit string 2**64", str(2**64), INT),
    _h("digit string 10**30", "1" + "0" * 30, INT),
    _h("5000-digit string", "9" * 5000, INT),
    _h("null", None),
    _h("true", True),
    _h("-1", -1),
    _h("0", 0),
    _h("empty string", ""),
)


@dataclass(frozen=True)
class Whole:
    """A whole request body, raw bytes, with the content type it is sent as."""

    label: str
    body: bytes
    content_type: str | None = "application/json"

    def __repr__(self) -> str:
        return self.label


HOSTILE_BODIES: tuple[Whole, ...] = (
    Whole("array nested 5000 deep", b"[" * 5000 + b"]" * 5000),
    Whole("object nested 5000 deep", b'{"a":' * 5000 + b"1" + b"}" * 5000),
    Whole("invalid UTF-8", b'{"name": "\xff\xfe\xc3"}'),
    Whole("UTF-16", '{"name": "x"}'.encode("utf-16")),
    Whole("empty body", b""),
    Whole("null", b"null"),
    Whole("empty array", b"[]"),
    Whole("a JSON string", b'"text"'),
    Whole("5000-digit number", b"9" * 5000),
    Whole("NaN", b"NaN"),
    Whole("truncated JSON", b'{"name": "unterminated'),
    Whole("NUL bytes", b"\x00\x00\x00"),
    Whole("form-encoded junk", b"a=%FF%00&b=\x00", "application/x-www-form-urlencoded"),
    Whole("multipart without boundary", b"--x\r\n\r\n", "multipart/form-data"),
    Whole("multipart garbage", b"garbage\x00\xff", "multipart/form-data; boundary=zzz"),
    Whole("XML", b"<a>1</a>", "application/xml"),
)

# Content types a valid body may wrongly arrive with.
WRONG_CONTENT_TYPES: tuple[str | None, ...] = (
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/json; charset=latin-1",
    None,
)

# Path and query values (text on the wire). Percent-escapes are sent as they are.
HOSTILE_PARAMS: tuple[str, ...] = (
    str(2**63),
    str(2**64),
    "1" + "0" * 30,
    "9" * 5000,
    "-1",
    "0",
    "-" + str(2**63 + 1),
    "1e3",
    "1.5",
    " 7 ",
    "²",
    "\u0661\u0662",
    "%00",
    "a%00b",
    "%FF%FE",
    "NaN",
    "inf",
    "",
)

# Query values that httpx percent-encodes itself.
HOSTILE_QUERY_TEXT: tuple[str, ...] = (
    *(p for p in HOSTILE_PARAMS if "%" not in p),
    "\x00",
    "x\x00y",
    "   ",
    "x" * 5000,
)


# ---- the store ------------------------------------------------------------------------


class Store:
    """The test database opened on an event loop of its own thread, for sync tests.

    Sync tests drive the real server with blocking HTTP and Hypothesis; this gives
    them the store without touching pytest's event loop.
    """

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.db: Database = self.run(self._open(url))
        self.tables = sorted(
            t.name for t in Base.metadata.sorted_tables if t.name not in UNWATCHED_TABLES
        )
        counts = ", ".join(f'(SELECT COUNT(*) FROM "{name}") AS "{name}"' for name in self.tables)
        self._snapshot_sql = text(
            f'SELECT (SELECT COALESCE(MAX(seq), 0) FROM "events") AS max_seq, {counts}'
        )

    @staticmethod
    async def _open(url: str) -> Database:
        return Database(url)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _snapshot(self) -> dict[str, int]:
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(self._snapshot_sql)).mappings().one()
        return {k: int(v) for k, v in row.items()}

    def snapshot(self) -> dict[str, int]:
        """``max_seq`` of the event log and the row count of every watched table."""
        return self.run(self._snapshot())

    def close(self) -> None:
        try:
            self.run(self.db.dispose())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def changes(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (before[k], after[k]) for k in before if after.get(k) != before[k]}


# ---- what the server logged ------------------------------------------------------------


class ServerLog:
    """The errors the server logged (it runs in this process): tracebacks for findings."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def mark(self) -> int:
        return len(self.caplog.records)

    def await_error(self, mark: int, seconds: float = 2.0) -> None:
        """Wait (bounded) until an error with a traceback is logged after ``mark``.

        The server logs an unhandled exception after its 500 has gone out, so the
        client can be ahead of the log line; this waits for the event, not a time.
        """
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(r.exc_info and r.levelno >= logging.ERROR for r in self.caplog.records[mark:]):
                return
            time.sleep(0.01)

    def since(self, mark: int) -> str:
        """``Type: message at file:line`` of each error logged with a traceback since ``mark``."""
        found = []
        for record in self.caplog.records[mark:]:
            if record.levelno < logging.ERROR or not record.exc_info:
                continue
            _type, exc, tb = record.exc_info
            frames = traceback.extract_tb(tb)
            ours = [f for f in frames if "/podium/" in f.filename] or frames
            where = (
                f" at {ours[-1].filename.rsplit('/podium/', 1)[-1]}:{ours[-1].lineno}"
                if ours
                else ""
            )
            found.append(f"{type(exc).__name__}: {short(str(exc), 160)}{where}")
        return "; ".join(dict.fromkeys(found))


# ---- findings -------------------------------------------------------------------------


def short(value: Any, limit: int = 200) -> str:
    """A repr cut to ``limit`` characters, with the full length said."""
    if isinstance(value, str):
        shown = value if value.isprintable() else repr(value)[1:-1]  # NUL shows as \x00
    else:
        shown = repr(value)
    if len(shown) <= limit:
        return shown
    return f"{shown[:limit]}…({len(shown)} chars)"


def body_head(response: httpx.Response | None, lines: int = 4, limit: int = 300) -> str:
    if response is None:
        return ""
    try:
        content = response.text
    except Exception as exc:  # a body that cannot be read is itself worth saying
        return f"<unreadable body: {type(exc).__name__}: {exc}>"
    head = "\n".join(content.splitlines()[:lines])
    return short(head, limit)


@dataclass
class Finding:
    """One distinct failure: where, what kind, and the inputs that showed it."""

    where: str  # dialect or API and route family
    kind: str  # 5xx, hang, connection, error shape, stored on refusal, ...
    status: int | None
    place: str  # the part of the request that was spoiled
    route: str
    detail: str  # the first example: request, answer
    inputs: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)  # what the server logged, distinct
    count: int = 0
    backend: str = ""

    def render(self) -> str:
        status = "-" if self.status is None else str(self.status)
        shown = ", ".join(self.inputs[:8]) + (" …" if len(self.inputs) > 8 else "")
        lines = [
            f"[{self.kind}] {self.where}: {self.route} status={status} x{self.count}",
            f"      inputs: {shown}",
            f"      first: {self.detail}",
        ]
        lines += [f"      server logged: {cause}" for cause in self.causes[:4]]
        return "\n".join(lines)


def place_of(label: str) -> str:
    """The spoiled part of an input label: ``data.cycle = int 2**64`` -> ``data.cycle``."""
    for sep in (" = ", "="):
        if sep in label:
            return label.split(sep, 1)[0]
    return label.split(":", 1)[0] if label.startswith("whole body") else label


@dataclass
class Findings:
    """Distinct failures, keyed by where, what kind, status and the part spoiled.

    With a ``ServerLog``, the errors the server logged while handling a request are
    added to the findings that request made. A server logs some of them after the
    answer has gone out, so they are collected when the next request begins
    (``begin``) or the run ends (``end``).
    """

    backend: str
    log: ServerLog | None = None
    items: dict[tuple[str, str, int | None, str], Finding] = field(default_factory=dict)
    requests: int = 0
    started: float = field(default_factory=time.monotonic)
    # (what was sent, status) -> how often: shows the fuzzing reached past the door.
    statuses: Counter[tuple[str, int | None]] = field(default_factory=Counter)
    # Accepted requests that changed the store: shows the watch on the store works.
    writes_seen: int = 0
    _mark: int = 0
    _fresh: list[Finding] = field(default_factory=list)

    def begin(self) -> None:
        """Before each request: the previous one's late log lines go to its findings."""
        self.end()
        self._mark = self.log.mark() if self.log is not None else 0

    def end(self) -> None:
        if self.log is not None and self._fresh:
            if any(f.status is None or f.status >= 500 for f in self._fresh):
                self.log.await_error(self._mark)
            logged = self.log.since(self._mark)
            for finding in self._fresh if logged else ():
                if logged not in finding.causes:
                    finding.causes.append(logged)
        self._fresh = []

    def count(self, what: str, status: int | None) -> None:
        self.requests += 1
        self.statuses[(what, status)] += 1

    def summary(self) -> str:
        by_what: dict[str, list[str]] = {}
        for (what, status), n in sorted(self.statuses.items(), key=lambda i: str(i[0])):
            by_what.setdefault(what, []).append(f"{status}x{n}")
        return "; ".join(f"{what}: {' '.join(parts)}" for what, parts in by_what.items())

    def add(
        self,
        where: str,
        kind: str,
        status: int | None,
        input_class: str,
        route: str,
        detail: str,
    ) -> None:
        place = place_of(input_class)
        key = (where, kind, status, place)
        finding = self.items.get(key)
        if finding is None:
            finding = Finding(where, kind, status, place, route, detail, backend=self.backend)
            self.items[key] = finding
        finding.count += 1
        shown = short(input_class, 80)
        if shown not in finding.inputs:
            finding.inputs.append(shown)
        self._fresh.append(finding)

    def __bool__(self) -> bool:
        return bool(self.items)

    def report(self, title: str) -> str:
        self.end()
        elapsed = time.monotonic() - self.started
        lines = [
            f"{title} on {self.backend}: {len(self.items)} distinct failure(s) "
            f"in {self.requests} requests ({elapsed:.0f} s)"
        ]
        for finding in sorted(self.items.values(), key=lambda f: (f.where, f.kind, f.place)):
            lines.append("  " + finding.render())
        return "\n".join(lines)


@dataclass
class Outcome:
    """One exchange: the response, or why there was none."""

    response: httpx.Response | None
    failure: str | None = None  # "hang" or "connection"
    detail: str = ""
    seconds: float = 0.0

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status_code


def exchange(client: httpx.Client, request: httpx.Request) -> Outcome:
    """Send ``request``; a timeout is a hang, a broken connection is said as such."""
    started = time.monotonic()
    # One connection per request: a server that drops a connection after a failure
    # must not make the next request look broken.
    request.headers["Connection"] = "close"
    try:
        response = client.send(request)
        response.read()
    except httpx.TimeoutException as exc:
        return Outcome(None, "hang", f"no answer in {TIMEOUT.read} s: {exc!r}")
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        return Outcome(None, "connection", f"{type(exc).__name__}: {short(str(exc))}")
    return Outcome(response, seconds=time.monotonic() - started)


def feed_after(http: httpx.Client, base_url: str, findings: Findings, token: str = "") -> None:
    """Everything a fuzz run stored still streams: the whole event feed, to its end.

    ``token`` is an admin token for the native API (else ``http`` already sends one).
    """
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for accept in ("application/x-ndjson", "text/event-stream"):
        request = http.build_request(
            "GET",
            f"{base_url}/api/v1/event-feed",
            params={"stream": "false"},
            headers={**headers, "Accept": accept},
        )
        findings.begin()
        got = exchange(http, request)
        if got.response is None or got.response.status_code != 200:
            answer = got.detail if got.response is None else body_head(got.response)
            findings.add(
                "event feed after the fuzz",
                got.failure or "not 200",
                got.status,
                accept,
                "GET /api/v1/event-feed",
                f"everything the run stored, as {accept}: {answer}",
            )
