"""The many-machine layout as real processes: two ``podium serve --no-background`` and two
``podium worker`` on one PostgreSQL and one Redis. Servers alone deliver and judge
nothing; once workers run, every webhook delivery arrives exactly once and every
submission is judged exactly once, though both workers claim from the same queues."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from podium.core import organizations
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin
from podium.feed import signing
from podium.store.database import Database
from podium.store.tables import Delivery, Event, JudgeJob, Result
from tests.api.helpers import make_competition, make_org, make_person, make_result, ok
from tests.conftest import PATIENT, free_port, make_token

RESULTS = 20
SUBMISSIONS = 4
CONTEST = "layout_cup"
SOURCE = b"a, b = map(int, input().split())\nprint(a + b)\n"
# Slow enough to stop a worker while it judges (problem B allows it).
SLOW = b"import time\ntime.sleep(2)\n" + SOURCE
# How long the servers alone are watched doing nothing: past the 1 s poll of the
# delivery and judge loops, so a server that did background work would have begun.
IDLE_SECONDS = 2.5


class Podium:
    """One ``python -m podium <args>`` process logging JSON to a file; entering waits
    (against a deadline) until it logged ``started_msg``, leaving sends SIGTERM."""

    def __init__(self, tmp_path: Path, env: dict[str, str], args: list[str], msg: str) -> None:
        self.args = args
        self.msg = msg
        self.log_path = tmp_path / f"{args[0]}-{free_port()}.log"
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Podium:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "podium", *self.args],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        return self

    def log_lines(self) -> list[dict[str, Any]]:
        raw = self.log_path.read_bytes().splitlines()
        return [orjson.loads(line) for line in raw if line.startswith(b"{")]

    def logged(self, msg: str) -> bool:
        return any(line.get("msg") == msg for line in self.log_lines())

    def wait_started(self, seconds: float = 60) -> None:
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while not self.logged(self.msg):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"podium {self.args[0]} did not start:\n{tail}")
            time.sleep(0.05)

    def stop(self) -> int:
        """SIGTERM, then the exit code (SIGKILL only if it hangs)."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


class Server(Podium):
    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["serve", "--no-background", "--port", str(self.port)]
        super().__init__(tmp_path, env, args, "started")


class Receiver:
    """A real threaded HTTP receiver counting deliveries by their delivery id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with owner.lock:
                    owner.ids[self.headers.get(signing.DELIVERY_HEADER, "")] += 1
                    owner.events[self.headers.get(signing.EVENT_HEADER, "")] += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        with self.lock:
            return Counter(self.ids), Counter(self.events)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


@contextlib.contextmanager
def running(processes: list[Podium]) -> Iterator[list[Podium]]:
    """Start all at once, wait for each, stop all on the way out (servers last)."""
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_started()
        yield processes
    finally:
        for process in processes:
            process.stop()


async def _poll(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _contest(database: Database) -> None:
    async with database.write() as session:
        org = await organizations.create_organization(
            session, SYSTEM, organizations.OrganizationCreate(slug="layout", name="Layout")
        )
        await admin.create_contest(
            session, SYSTEM, contest_id=CONTEST, designation="Layout", organization_id=org.id
        )
        await admin.add_problem(
            session,
            SYSTEM,
            CONTEST,
            problem_id="A",
            label="A",
            title="sum",
            tests=[("1 2\n", "3\n")],
        )
        await admin.add_problem(
            session,
            SYSTEM,
            CONTEST,
            problem_id="B",
            label="B",
            title="slow sum",
            timeout_seconds=20,
            tests=[("1 2\n", "3\n")],
        )
        await admin.create_user(
            session, SYSTEM, username="team1", password="pw", contest_id=CONTEST
        )


async def _submit(
    http: httpx.AsyncClient, url: str, problem: str = "A", source: bytes = SOURCE
) -> int:
    login = await http.post(
        f"{url}/mooshak/api/auth/login",
        json={"username": "team1", "password": "pw", "contest": CONTEST},
    )
    token = ok(login)["token"]
    response = await http.post(
        f"{url}/mooshak/api/data/contests/{CONTEST}/problems/{problem}/evaluate",
        headers={"Authorization": f"Bearer {token}"},
        files={"program": ("sum.py", source)},
    )
    return int(ok(response)["id"])


def _env(tmp_path: Path, postgres_url: str, redis_url: str, redis_prefix: str) -> dict[str, str]:
    return {
        "PODIUM_DATABASE_URL": postgres_url,
        "PODIUM_REDIS_URL": redis_url,
        "PODIUM_REDIS_PREFIX": redis_prefix,
        "PODIUM_DATA_DIR": str(tmp_path / "data"),
        # Both servers must accept each other's Mooshak tokens.
        "PODIUM_SECRET_KEY": "layout-test-secret-layout-test-secret",
        "PODIUM_LOG_JSON": "true",
        "PODIUM_JUDGE_WORKERS": "2",
    }


async def _judged(database: Database, ids: list[int]) -> dict[int, int]:
    """Per submission: how many judge verdicts (system ``result.updated`` events that
    make it final) were logged."""
    async with database.read() as session:
        events = await session.scalars(
            select(Event).where(Event.type == "result.updated", Event.object_id.in_(ids))
        )
        counts = Counter(
            event.object_id
            for event in events
            if (event.payload or {}).get("attributes", {}).get("state") == "final"
        )
    return {result_id: counts[result_id] for result_id in ids}


@pytest.mark.postgres
async def test_servers_alone_do_no_background_work_and_workers_do_each_job_once(
    tmp_path: Path,
    postgres_store: Database,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
    receiver: Receiver,
) -> None:
    database = postgres_store
    await _contest(database)
    token = await make_token(database, ["admin"])
    env = _env(tmp_path, postgres_url, redis_url, redis_prefix)
    servers = [Server(tmp_path, env), Server(tmp_path, env)]
    workers = [Podium(tmp_path, env, ["worker"], "worker started") for _ in range(2)]
    with running(list(servers)):
        async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=PATIENT
        ) as http:
            apis = [
                httpx.AsyncClient(base_url=f"{s.url}/api/v1", headers=http.headers, timeout=PATIENT)
                for s in servers
            ]
            try:
                org = await make_org(apis[0], "racing")
                comp = await make_competition(apis[0], org["id"], "Layout Race")
                ok(
                    await apis[1].post(
                        "/webhooks",
                        json={
                            "url": receiver.url,
                            "event_types": ["result.created"],
                            "competition_id": comp["id"],
                            "secret": "layout-secret-layout-secret",
                        },
                    ),
                    201,
                )
                for n in range(RESULTS):
                    api = apis[n % 2]
                    person = await make_person(api, f"Rider {n}", organization_id=org["id"])
                    await make_result(api, comp["id"], person_id=person["id"], elapsed_ms=1000 + n)
            finally:
                for api in apis:
                    await api.aclose()
            submitted = [await _submit(http, servers[n % 2].url) for n in range(SUBMISSIONS)]

        # Servers alone: no delivery is even made from the log, no job is claimed.
        deadline = time.monotonic() + IDLE_SECONDS
        while time.monotonic() < deadline:
            async with database.read() as session:
                made = await session.scalar(select(func.count()).select_from(Delivery))
                tried = await session.scalar(select(func.sum(JudgeJob.attempts)))
            assert (made, tried) == (0, 0)
            assert receiver.snapshot()[0] == Counter()
            await asyncio.sleep(0.1)

        with running(workers):

            async def delivered() -> bool:
                """Received, and each answer recorded (so none is owed again)."""
                async with database.read() as session:
                    states = Counter((await session.scalars(select(Delivery.state))).all())
                return states == {"delivered": RESULTS} and len(receiver.snapshot()[0]) >= RESULTS

            async def all_judged() -> bool:
                return all(count >= 1 for count in (await _judged(database, submitted)).values())

            await _poll(delivered, f"{RESULTS} webhook deliveries")
            await _poll(all_judged, f"{SUBMISSIONS} verdicts")
        for worker in workers:
            assert worker.process is not None
            assert worker.process.returncode == 0, worker.log_path.read_text()[-2000:]
            assert worker.logged("worker stopped")

    ids, events = receiver.snapshot()
    assert len(ids) == RESULTS and set(ids.values()) == {1}, ids
    assert events == {"result.created": RESULTS}
    assert await _judged(database, submitted) == {result_id: 1 for result_id in submitted}
    async with database.read() as session:
        jobs = (await session.execute(select(JudgeJob.state, JudgeJob.attempts))).all()
        verdicts = {
            row.attributes.get("verdict")
            for row in await session.scalars(select(Result).where(Result.id.in_(submitted)))
        }
    assert sorted(jobs) == [("done", 1)] * SUBMISSIONS
    assert verdicts == {"Accepted"}
    # Both workers took part in the work (each logs what it runs; judging is shared).
    for worker in workers:
        runs = [line for line in worker.log_lines() if line.get("msg") == "worker started"]
        assert runs and set(runs[0]["runs"]) == {"deliveries", "judging", "leaderboards"}


async def _job(database: Database, result_id: int) -> JudgeJob:
    async with database.read() as session:
        job = await session.scalar(select(JudgeJob).where(JudgeJob.result_id == result_id))
    assert job is not None
    return job


@pytest.mark.postgres
async def test_a_stopping_worker_releases_or_finishes_the_judgement_in_hand(
    tmp_path: Path,
    postgres_store: Database,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
) -> None:
    """SIGTERM mid-judgement: with no grace the job is given back at once (not left to
    its lease, its try not counted); with grace the verdict is recorded before exit."""
    database = postgres_store
    await _contest(database)
    env = _env(tmp_path, postgres_url, redis_url, redis_prefix)
    server = Server(tmp_path, env)
    hasty = Podium(tmp_path, env, ["worker", "--grace", "0"], "worker started")
    patient = Podium(tmp_path, env, ["worker"], "worker started")

    async def taken(result_id: int) -> bool:
        return (await _job(database, result_id)).attempts == 1

    with running([server, hasty]):
        async with httpx.AsyncClient(timeout=PATIENT) as http:
            submitted = await _submit(http, server.url, "B", SLOW)
        await _poll(lambda: taken(submitted), "the hasty worker to take the job")
        assert hasty.stop() == 0
        job = await _job(database, submitted)
        assert (job.state, job.attempts) == ("queued", 0)
        assert job.run_after <= datetime.now(UTC)
        assert await _judged(database, [submitted]) == {submitted: 0}

        with running([patient]):
            await _poll(lambda: taken(submitted), "the patient worker to take the job")
            assert patient.stop() == 0
        job = await _job(database, submitted)
        assert (job.state, job.attempts) == ("done", 1)
        assert await _judged(database, [submitted]) == {submitted: 1}
