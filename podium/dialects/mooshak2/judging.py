"""The persistent judging queue: submissions wait in ``judge_jobs`` until a worker judges them.

``submit`` writes the submission and its job in one transaction, so a submission
the API accepted is judged even if the server stops before a worker takes it. A
worker claims a job with a lease (``run_after`` pushed out), compiles and runs the
program in a thread (the judge's sandbox blocks), and writes the verdict through
the core, which logs an event and moves the leaderboard. A job whose judging keeps
failing is closed with "Requires Reevaluation" after ``MAX_ATTEMPTS``.

A submission has one job (``result_id`` is unique): a rejudge re-queues it
(``desk``). Each rejudge or judge's override bumps the submission's
``judge_round``; a verdict reached for an older round is dropped and the job queued
again, so a rejudge asked mid-run is honoured without judging the submission twice
at once, and a judge's decision is never overwritten by a run it cancelled. A
finished job gives its lease back, so a later rejudge can start at once.

Any number of processes may run the queue against one store: a claim locks its rows
with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and re-checks ``run_after`` against a
row another process just leased, so a job has one judge at a time. ``stop`` lets the
judgements in hand finish; any cut short give their lease and try back.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import podium.judge as judge
from podium.config import Settings
from podium.core import resources
from podium.core.principal import SYSTEM
from podium.core.results import RESULTS, ResultUpdate
from podium.dialects.mooshak2.wire import Verdict
from podium.store.database import Database
from podium.store.tables import Challenge, JudgeJob, Result
from podium.store.types import utcnow

log = logging.getLogger("podium.judge")

MAX_ATTEMPTS = 3
POLL_SECONDS = 1.0
_COMPILE_SECONDS = 30.0
ROUND = "judge_round"


def round_of(attributes: dict[str, Any]) -> int:
    """Which request for a verdict the submission is on (0 until its first rejudge)."""
    value = attributes.get(ROUND, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass(frozen=True)
class Work:
    job_id: int
    result_id: int
    source: bytes
    filename: str
    tests: list[judge.TestCase]
    limits: judge.Limits
    round: int = 0
    # The lease this claim set: a release gives back only a lease still ours.
    leased_until: datetime | None = None


def lease_for(tests: int, timeout: float) -> timedelta:
    """Long enough to compile and run every test to its wall limit, with room to spare."""
    return timedelta(seconds=60 + _COMPILE_SECONDS + tests * (2 * timeout + 1))


def finished_attributes(attributes: dict[str, Any], outcome: judge.Evaluation) -> dict[str, Any]:
    """The submission's attributes once judged (what evaluation-summary reports)."""
    return {
        **attributes,
        "verdict": str(outcome.status),
        "state": "final",
        "mark": outcome.mark,
        "observations": outcome.observations,
        "feedback": outcome.feedback,
        "tests_passed": outcome.tests_passed,
        "tests_total": outcome.tests_total,
        "metrics": {
            "executionTime": outcome.execution_ms / 1000,
            "cpuUsage": outcome.cpu_ms / 1000,
            "memoryUsage": outcome.memory_kb,
            "programSize": outcome.program_size,
            "linesOfCode": outcome.lines_of_code,
        },
        "evaluated_at": int(time.time() * 1000),
    }


class JudgeQueue:
    """The judging workers of one process; ``wake()`` after committing a submission."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.workers = settings.judge_workers
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(max(self.workers, 1))
        self._running: dict[asyncio.Task[None], Work] = {}
        self._stopping = False
        # Seconds one judgement took; the app points this at its metrics.
        self.observe_seconds: Callable[[float], None] = _unobserved

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Claim nothing more; ``run`` returns once the judgements in hand are recorded."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Judge until stopped or cancelled; polls too, so jobs left by a stopped server
        are found. Cancelled with judgements in hand, it releases their jobs, so another
        process takes them at once instead of after the lease."""
        if self.workers == 0:
            return
        try:
            while not self._stopping:
                free = self.workers - len(self._running)
                claimed: list[Work] = []
                if free > 0:
                    try:
                        claimed = await self.claim(free)
                    except Exception:
                        log.exception("claiming judge jobs failed")
                for work in claimed:
                    task = asyncio.create_task(self._judge(work))
                    self._running[task] = work
                    task.add_done_callback(self._done)
                if claimed and len(self._running) < self.workers:
                    continue
                self._wake.clear()
                if self._stopping:
                    break
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancel.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(POLL_SECONDS):
                        await self._wake.wait()
            while self._running:
                await asyncio.wait(list(self._running))
        finally:
            cut_short = dict(self._running)
            for task in cut_short:
                task.cancel()
            if cut_short:
                await asyncio.gather(*cut_short, return_exceptions=True)
                await self.release(list(cut_short.values()))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.pop(task, None)
        self._wake.set()

    async def release(self, held: list[Work]) -> None:
        """Give back jobs whose judgement was cut short: due at once, the try uncounted.

        Only a lease still ours is given back (same ``run_after``, still queued), so a
        job that another process took over, or that a verdict closed, is left alone.
        """
        now = utcnow()
        async with self.database.write() as session:
            for work in held:
                job = await session.get(JudgeJob, work.job_id, with_for_update=True)
                if job is None or job.state != "queued" or job.run_after != work.leased_until:
                    continue
                job.run_after = now
                job.attempts = max(job.attempts - 1, 0)
        log.info("judge jobs released", extra={"jobs": [work.job_id for work in held]})

    async def claim(self, most: int) -> list[Work]:
        now = utcnow()
        out: list[Work] = []
        async with self.database.write() as session:
            query = (
                select(JudgeJob)
                .where(JudgeJob.state == "queued", JudgeJob.run_after <= now)
                .order_by(JudgeJob.id)
                .limit(most)
            )
            if self.database.backend == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for job in (await session.scalars(query)).all():
                result = await session.get(Result, job.result_id)
                problem = (
                    await session.get(Challenge, result.challenge_id)
                    if result is not None and result.challenge_id is not None
                    else None
                )
                if result is None or problem is None:
                    job.state, job.finished_at = "done", now
                    job.last_error = "The submission or its problem is gone."
                    continue
                job.attempts += 1
                work = _work(job, result, problem)
                job.run_after = now + lease_for(len(work.tests), work.limits.time_seconds)
                out.append(replace(work, leased_until=job.run_after))
        return out

    async def _judge(self, work: Work) -> None:
        async with self._slots:
            started = time.perf_counter()
            try:
                outcome = await asyncio.to_thread(
                    judge.evaluate, work.source, work.filename, work.tests, work.limits
                )
            except Exception as exc:
                log.exception("judging failed", extra={"result": work.result_id})
                await self._failed(work, f"{type(exc).__name__}: {exc}")
                return
            self.observe_seconds(time.perf_counter() - started)
        await self._record(work, outcome)

    async def judge_ready(self) -> int:
        """Judge, here and now, every job that is due until none is left; the number
        judged. For the CLI and tests: no polling, nothing left running after."""
        judged = 0
        while claimed := await self.claim(max(self.workers, 1)):
            await asyncio.gather(*(self._judge(work) for work in claimed))
            judged += len(claimed)
        return judged

    async def _current(self, session: AsyncSession, work: Work) -> tuple[JudgeJob, Result] | None:
        """The job (locked) and its submission when this run's verdict still counts.

        A job closed meanwhile (a judge's override) gives its lease back; one whose
        submission was rejudged while this ran is queued again at once.
        """
        job = await session.get(JudgeJob, work.job_id, with_for_update=True)
        if job is None:
            return None
        now = utcnow()
        if job.state != "queued":
            job.run_after = min(job.run_after, now)
            return None
        result = await session.get(Result, work.result_id)
        if result is None:
            job.state, job.finished_at, job.run_after = "done", now, now
            return None
        if round_of(result.attributes) != work.round:
            job.run_after, job.attempts = now, 0
            return None
        return job, result

    async def _record(self, work: Work, outcome: judge.Evaluation) -> None:
        async with self.database.write() as session:
            current = await self._current(session, work)
            if current is None:
                return
            job, result = current
            now = utcnow()
            job.state, job.finished_at, job.run_after = "done", now, now
            await resources.update(
                session,
                SYSTEM,
                RESULTS,
                result.id,
                ResultUpdate(
                    points=1.0 if outcome.status == judge.Verdict.ACCEPTED else 0.0,
                    attributes=finished_attributes(result.attributes, outcome),
                ),
            )
        log.info("judged", extra={"result": work.result_id, "verdict": str(outcome.status)})

    async def _failed(self, work: Work, error: str) -> None:
        async with self.database.write() as session:
            current = await self._current(session, work)
            if current is None:
                return
            job, result = current
            job.last_error = error[:500]
            if job.attempts < MAX_ATTEMPTS:
                job.run_after = utcnow() + timedelta(seconds=5 * job.attempts)
                return
            now = utcnow()
            job.state, job.finished_at, job.run_after = "done", now, now
            attributes = {
                **result.attributes,
                "verdict": Verdict.REQUIRES_REEVALUATION.value,
                "state": "final",
                "observations": "The judge could not evaluate this submission.",
                "evaluated_at": int(time.time() * 1000),
            }
            await resources.update(
                session, SYSTEM, RESULTS, result.id, ResultUpdate(attributes=attributes)
            )


def _unobserved(_seconds: float) -> None:
    """No metrics attached (the CLI, tests)."""


def _work(job: JudgeJob, result: Result, problem: Challenge) -> Work:
    attrs = result.attributes
    tests = problem.attributes.get("tests") or []
    if not attrs.get("consider", True):
        tests = [t for t in tests if t.get("public")] or tests[:1]
    limits = judge.Limits(
        time_seconds=float(problem.attributes.get("timeout", 1.0)),
        memory_mb=int(problem.attributes.get("memory_mb", 256)),
    )
    return Work(
        job_id=job.id,
        result_id=result.id,
        source=base64.b64decode(attrs.get("program", "")),
        filename=str(attrs.get("filename", "program")),
        tests=[judge.TestCase(str(t["input"]).encode(), str(t["output"]).encode()) for t in tests],
        limits=limits,
        round=round_of(attrs),
    )
